"""Verifying an upload in a child process with a memory and a time limit, one at a time.

A hostile upload must not take the room down: the web process never parses it. It hands
the bytes to a fresh Python process (``python -m shared.plandoc.sandbox``) that first
limits itself (address space, CPU time, no files written, no core dumps), then verifies
and answers with the `Verification` as JSON on stdout. The parent waits cooperatively
(under gevent or eventlet the room's sockets keep being served), kills the child's whole
process group when it takes too long, and turns every failure into a clear refusal.

Only one verification runs at a time; a few more may wait for their turn, beyond that an
upload is refused as "busy".
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from .verify import ERRORS, MAX_INPUT, Difference, Verification, verify_file

log = logging.getLogger(__name__)

MEMORY_LIMIT = 768 * 1024 * 1024
"""Address space of the child (bytes): Python with lxml and pyHanko loaded takes about
150 MB; a plan with 1,000 signatures about 100 MB more."""
TIME_LIMIT = 60.0
"""Seconds a verification may take (a plan with 1,000 signatures takes a few)."""
MAX_WAITING = 4
"""Uploads that may wait while one is checked; more are refused as busy."""
WAIT_LIMIT = 90.0
_OUTPUT_LIMIT = 64 * 1024 * 1024
_ROOT = Path(__file__).resolve().parents[2]


class _Gate:
    """One at a time, a short queue, and a wait that ends. Uses the threading module as
    it is when the gate is first used (monkey-patched by gevent or eventlet in the
    server, so a waiting request yields to the room's sockets)."""

    def __init__(self) -> None:
        self._lock: Any = None
        self._count = 0
        self._count_lock = threading.Lock()

    def _get_lock(self) -> Any:
        if self._lock is None:
            self._lock = threading.Lock()
        return self._lock

    def enter(self, timeout: float) -> bool:
        with self._count_lock:
            if self._count > MAX_WAITING:
                return False
            self._count += 1
        if self._get_lock().acquire(timeout=timeout):
            return True
        with self._count_lock:
            self._count -= 1
        return False

    def leave(self) -> None:
        self._get_lock().release()
        with self._count_lock:
            self._count -= 1


_GATE = _Gate()


def _refusal(code: str, kind: str | None = None) -> Verification:
    return Verification(valid=False, kind=kind, error=ERRORS[code], error_code=code)


def verify_isolated(
    data: bytes,
    public_key_b64: str,
    certificate: x509.Certificate | None = None,
    own_verify_urls: tuple[str, ...] | list[str] = (),
    *,
    time_limit: float = TIME_LIMIT,
    memory_limit: int = MEMORY_LIMIT,
) -> Verification:
    """`verify_file` in a child process with limits; never raises for bad input."""
    if not data:
        return _refusal("empty")
    if len(data) > MAX_INPUT:
        return _refusal("too_large")
    if not _GATE.enter(WAIT_LIMIT):
        return _refusal("busy")
    try:
        return _run_child(
            bytes(data), public_key_b64, certificate, tuple(own_verify_urls), time_limit,
            memory_limit,
        )  # fmt: skip
    finally:
        _GATE.leave()


def _run_child(
    data: bytes,
    public_key_b64: str,
    certificate: x509.Certificate | None,
    own_verify_urls: tuple[str, ...],
    time_limit: float,
    memory_limit: int,
) -> Verification:
    header = json.dumps(
        {
            "public_key": public_key_b64,
            "certificate": (
                certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")
                if certificate is not None
                else None
            ),
            "own_verify_urls": list(own_verify_urls),
            "memory_limit": memory_limit,
            "cpu_limit": int(time_limit) + 5,
        }
    ).encode("utf-8")
    message = len(header).to_bytes(4, "big") + header + data
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(_ROOT),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    started = time.monotonic()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "shared.plandoc.sandbox"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=str(_ROOT),
            start_new_session=True,  # its own process group: a timeout kills all of it
        )
    except OSError:
        log.exception("could not start the verification process")
        return _refusal("internal")
    try:
        out, err = proc.communicate(message, timeout=time_limit)
    except subprocess.TimeoutExpired:
        _kill(proc)
        log.warning("verification killed after %.0f s", time.monotonic() - started)
        return _refusal("timeout")
    except BaseException:
        _kill(proc)
        raise
    if proc.returncode != 0 or len(out) > _OUTPUT_LIMIT:
        tail = err[-2000:].decode("utf-8", "replace")
        log.warning("verification process ended with %s: %s", proc.returncode, tail)
        if proc.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
            return _refusal("timeout")
        # out of memory (MemoryError, or killed by the kernel): the file is far too large
        return _refusal("too_large")
    if err:
        log.debug("verification process said: %s", err[-2000:].decode("utf-8", "replace"))
    try:
        return from_json(json.loads(out.decode("utf-8")))
    except (UnicodeDecodeError, ValueError, TypeError, KeyError):
        log.exception("verification process gave no readable answer")
        return _refusal("internal")


def _kill(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.communicate(timeout=5)
    except (subprocess.TimeoutExpired, ValueError):
        pass


def to_json(result: Verification) -> dict[str, Any]:
    return asdict(result)


def from_json(data: dict[str, Any]) -> Verification:
    details = [Difference(**d) for d in data.pop("details", [])]
    data.pop("differences", None)
    result = Verification(**data)
    for difference in details:
        result.details.append(difference)
        result.differences.append(difference.message)
    return result


# --- the child ------------------------------------------------------------------------------


def _limit(memory: int, cpu: int) -> None:
    import resource

    for kind, value in (
        (resource.RLIMIT_AS, memory),
        (resource.RLIMIT_CPU, cpu),
        (resource.RLIMIT_FSIZE, 0),
        (resource.RLIMIT_CORE, 0),
    ):
        _soft, hard = resource.getrlimit(kind)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(kind, (value, value if hard == resource.RLIM_INFINITY else hard))


def _child() -> int:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    raw = sys.stdin.buffer
    size = int.from_bytes(raw.read(4), "big")
    if not 0 < size < 1024 * 1024:
        return 2
    header = json.loads(raw.read(size).decode("utf-8"))
    _limit(int(header["memory_limit"]), int(header["cpu_limit"]))
    data = raw.read(MAX_INPUT + 1)
    certificate = None
    if header.get("certificate"):
        certificate = x509.load_pem_x509_certificate(header["certificate"].encode("ascii"))
    try:
        result = verify_file(
            data, header["public_key"], certificate, tuple(header.get("own_verify_urls") or ())
        )
    except MemoryError:
        result = _refusal("too_large")
    answer = json.dumps(to_json(result), ensure_ascii=False).encode("utf-8")
    sys.stdout.buffer.write(answer)
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(_child())

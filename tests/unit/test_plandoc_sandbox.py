"""Verification in a child process: limits, a time limit that kills, one at a time, and
hostile files refused cheaply by the parser's budgets."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from shared.plandoc import ServerKey, build_docx, load_or_create_key, sandbox, seal, verify_file
from shared.plandoc.sample import sample_images, sample_record
from tests import hostile

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def key(tmp_path_factory: pytest.TempPathFactory) -> ServerKey:
    return load_or_create_key(tmp_path_factory.mktemp("instance"))


@pytest.fixture(scope="module")
def document(key: ServerKey) -> bytes:
    record = sample_record(n_signatures=6)
    return build_docx(record, seal(record, key), "", sample_images(record))


def test_a_sealed_plan_verifies_in_the_child(document: bytes, key: ServerKey) -> None:
    result = sandbox.verify_isolated(document, key.public_key_b64, key.certificate)
    assert result.valid, result.differences
    assert result.record and result.record["meeting"]["title"] == "Plandag Lindelaan"


def test_differences_survive_the_trip(document: bytes, key: ServerKey) -> None:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(document)) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    parts["word/header1.xml"] = parts["word/header1.xml"].replace(b"Lindelaan", b"Eikenlaan")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    direct = verify_file(out.getvalue(), key.public_key_b64, key.certificate)
    isolated = sandbox.verify_isolated(out.getvalue(), key.public_key_b64, key.certificate)
    assert not isolated.valid
    assert isolated.details == direct.details
    assert isolated.differences == direct.differences


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (hostile.tree_bomb, "too_large"),
        (hostile.gigabyte_member, "too_large"),
        (hostile.element_bomb, "too_large"),
        (hostile.billion_laughs, "corrupt"),
        (hostile.encrypted_pdf, "encrypted"),
    ],
)
def test_hostile_files_are_refused_with_their_reason(make: Any, code: str, key: ServerKey) -> None:
    result = sandbox.verify_isolated(make(), key.public_key_b64, key.certificate)
    assert not result.valid and result.error_code == code, result


def test_element_budget_stops_the_parser_early(key: ServerKey) -> None:
    """40 MB of <a/> would be 10 million elements; the budget stops at one million.
    The child's own peak is its VmHWM: ``ru_maxrss`` survives exec, so it would also
    count the test runner's memory at the fork (over 400 MB late in a full run)."""
    code = (
        "import re, sys; from tests import hostile; from shared.plandoc import verify_file;"
        "data = hostile.element_bomb(); "
        "r = verify_file(data, sys.argv[1]); "
        "hwm = re.search(r'VmHWM:\\s+(\\d+) kB', open('/proc/self/status').read()).group(1); "
        "print(r.error_code, int(hwm) // 1024)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, key.public_key_b64],
        capture_output=True, text=True, check=True, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    ).stdout.split()  # fmt: skip
    assert out[0] == "too_large"
    assert int(out[1]) < 400  # MB peak, far below what 10 million elements would take


def test_encrypted_docx_is_called_password_protected(document: bytes, key: ServerKey) -> None:
    result = sandbox.verify_isolated(
        hostile.encrypted_docx(document), key.public_key_b64, key.certificate
    )
    assert result.error_code == "encrypted"
    assert "password-protected" in (result.error or "")


def test_the_time_limit_kills_the_child(key: ServerKey, monkeypatch: pytest.MonkeyPatch) -> None:
    started_children: list[subprocess.Popen[bytes]] = []

    class Recorded(subprocess.Popen):  # type: ignore[type-arg]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            started_children.append(self)

    monkeypatch.setattr(sandbox.subprocess, "Popen", Recorded)
    record = sample_record(n_signatures=400)
    big = build_docx(record, seal(record, key), "", sample_images(record))
    started = time.monotonic()
    result = sandbox.verify_isolated(big, key.public_key_b64, key.certificate, time_limit=0.2)
    assert result.error_code == "timeout"
    assert time.monotonic() - started < 10
    (child,) = started_children
    assert child.returncode is not None, "the verification process was left running"
    assert not Path(f"/proc/{child.pid}").exists()


def test_the_child_limits_its_memory() -> None:
    code = (
        "from shared.plandoc.sandbox import _limit; _limit(400 * 1024 * 1024, 10)\n"
        "import resource; print(resource.getrlimit(resource.RLIMIT_AS)[0] // 2**20)\n"
        "try:\n    bytearray(1024 * 1024 * 1024)\nexcept MemoryError:\n    print('refused')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.split()
    assert out == ["400", "refused"]


def test_one_verification_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    running = 0
    peak = 0
    lock = threading.Lock()

    def slow(*_args: Any) -> Any:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.1)
        with lock:
            running -= 1
        return sandbox._refusal("corrupt")

    monkeypatch.setattr(sandbox, "_run_child", slow)
    results: list[str | None] = []
    threads = [
        threading.Thread(
            target=lambda: results.append(sandbox.verify_isolated(b"PK", "key").error_code)
        )
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert peak == 1
    assert results == ["corrupt"] * 4


def test_a_long_queue_is_told_the_server_is_busy(monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()

    def blocked(*_args: Any) -> Any:
        release.wait(10)
        return sandbox._refusal("corrupt")

    monkeypatch.setattr(sandbox, "_run_child", blocked)
    results: list[str | None] = []
    threads = [
        threading.Thread(
            target=lambda: results.append(sandbox.verify_isolated(b"PK", "key").error_code)
        )
        for _ in range(sandbox.MAX_WAITING + 3)
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 5
    while "busy" not in results and time.monotonic() < deadline:
        time.sleep(0.01)
    release.set()
    for thread in threads:
        thread.join()
    assert "busy" in results
    assert results.count("corrupt") == sandbox.MAX_WAITING + 1

"""Uploads to /verify cannot starve the room: hostile files are refused with a clear
reason while the server's memory stays bounded and a beamer keeps getting its updates.

Runs against the real server subprocess. The server never parses an upload itself: a
child process with a memory and a time limit does, one at a time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from tests import hostile
from tests.support import Phone, Server, beamer_client, create_meeting, login

pytestmark = pytest.mark.protocol

MB = 1024 * 1024


def rss(pid: int) -> int:
    """Resident memory of a process (bytes), 0 once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except (FileNotFoundError, ProcessLookupError):
        return 0
    return 0


def children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            text = (task / "children").read_text().split()
            found.extend(int(c) for c in text)
    except (FileNotFoundError, ProcessLookupError):
        return found
    return found + [g for c in found for g in children(c)]


@dataclass
class MemoryWatch:
    """Samples the server's RSS (and its children's) every 20 ms in a thread."""

    pid: int
    peak_server: int = 0
    peak_total: int = 0
    samples: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> MemoryWatch:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            server = rss(self.pid)
            total = server + sum(rss(c) for c in children(self.pid))
            self.peak_server = max(self.peak_server, server)
            self.peak_total = max(self.peak_total, total)
            self.samples += 1
            time.sleep(0.02)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        assert self._thread is not None
        self._thread.join(5)


def post(server: Server, data: bytes, name: str, language: str = "en") -> requests.Response:
    return requests.post(
        f"{server.url}/verify",
        files={"document": (name, data)},
        headers={"Accept-Language": language},
        timeout=180,
    )


@pytest.fixture(scope="module")
def plain_docx() -> bytes:
    """A sealed plan made by the library (another server's key: enough to encrypt)."""
    import tempfile

    from shared.plandoc import build_docx, load_or_create_key, seal
    from shared.plandoc.sample import sample_images, sample_record

    with tempfile.TemporaryDirectory() as folder:
        key = load_or_create_key(Path(folder))
    record = sample_record(n_signatures=4)
    return build_docx(record, seal(record, key), "", sample_images(record))


UPLOADS: list[tuple[str, str, str, str]] = [
    # (name, file name, English message, what must not be on the page)
    ("tree bomb", "plan.docx", "The file is too large", "Traceback"),
    ("gigabyte member", "plan.docx", "The file is too large", "Traceback"),
    ("element bomb", "plan.docx", "The file is too large", "Traceback"),
    ("billion laughs", "plan.docx", "The file is damaged", "Traceback"),
    ("encrypted pdf", "plan.pdf", "password-protected", "damaged"),
    ("encrypted docx", "plan.docx", "password-protected", "not a Word document"),
]


def _file(name: str, plain: bytes) -> bytes:
    return {
        "tree bomb": hostile.tree_bomb,
        "gigabyte member": hostile.gigabyte_member,
        "element bomb": hostile.element_bomb,
        "billion laughs": hostile.billion_laughs,
        "encrypted pdf": hostile.encrypted_pdf,
        "encrypted docx": lambda: hostile.encrypted_docx(plain),
    }[name]()


@pytest.fixture(scope="module")
def files(plain_docx: bytes) -> dict[str, bytes]:
    return {name: _file(name, plain_docx) for name, *_rest in UPLOADS}


@pytest.mark.parametrize(("name", "filename", "message", "absent"), UPLOADS)
def test_hostile_upload_gets_a_clear_refusal(
    server: Server, files: dict[str, bytes], name: str, filename: str, message: str, absent: str
) -> None:
    page = post(server, files[name], filename)
    assert page.status_code == 200, page.status_code
    assert 'class="verdict-box invalid"' in page.text
    assert message in page.text, (name, page.text[page.text.find("verdict-box") :][:400])
    assert absent not in page.text
    assert server.alive()


def test_refusals_speak_dutch_by_default(server: Server, files: dict[str, bytes]) -> None:
    page = requests.post(
        f"{server.url}/verify",
        files={"document": ("plan.pdf", files["encrypted pdf"])},
        timeout=60,
    )
    assert "met een wachtwoord beveiligd" in page.text
    page = post(server, files["tree bomb"], "plan.docx", "nl")
    assert "Het bestand is te groot" in page.text


@pytest.fixture(scope="module")
def room(server: Server) -> Iterator[tuple[object, str]]:
    anna = login(server, "anna@example.org")
    meeting = create_meeting(anna, server, title="Plandag Uploadproef")
    beamer = beamer_client(server, meeting)
    beamer.wait_for(lambda: "counts" in beamer.views)
    yield beamer, meeting.code
    beamer.close()


def test_uploads_leave_memory_bounded_and_the_beamer_served(
    server: Server, files: dict[str, bytes], room: tuple[object, str]
) -> None:
    """Hostile uploads from two clients at once, while phones join and a beamer watches:
    the server's RSS stays within its start + 300 MB, and the beamer sees every join
    within a second."""
    beamer, code = room
    assert server.proc is not None
    pid = server.proc.pid
    start = rss(pid)
    order = ["tree bomb", "gigabyte member", "element bomb", "billion laughs",
             "encrypted docx", "encrypted pdf"]  # fmt: skip
    refused: list[str] = []
    errors: list[BaseException] = []

    def upload(names: list[str]) -> None:
        try:
            for name in names:
                filename = "plan.pdf" if "pdf" in name else "plan.docx"
                page = post(server, files[name], filename)
                if 'class="verdict-box invalid"' in page.text:
                    refused.append(name)
        except BaseException as exc:  # reported below
            errors.append(exc)

    delays: list[float] = []
    with MemoryWatch(pid) as watch:
        uploaders = [
            threading.Thread(target=upload, args=(order,)),
            threading.Thread(target=upload, args=(list(reversed(order)),)),
        ]
        for thread in uploaders:
            thread.start()
        joined = 0
        while any(t.is_alive() for t in uploaders) or joined < 5:
            phone = Phone(server, code)
            response = phone.join(f"Bezoeker {joined:02d}")
            assert response.ok, response.text
            joined += 1
            sent = time.monotonic()
            beamer.wait_for(  # type: ignore[attr-defined]
                lambda n=joined: beamer.views["counts"]["joined"] >= n,  # type: ignore[attr-defined]
                timeout=5,
            )
            delays.append(time.monotonic() - sent)
            time.sleep(0.2)
        for thread in uploaders:
            thread.join(300)
    assert not errors, errors
    assert sorted(refused) == sorted(order * 2), refused
    growth = (watch.peak_server - start) / MB
    print(
        f"\nserver RSS: start {start / MB:.0f} MB, peak {watch.peak_server / MB:.0f} MB "
        f"(+{growth:.0f} MB); with the checking process: peak {watch.peak_total / MB:.0f} MB; "
        f"{watch.samples} samples; {len(delays)} joins seen by the beamer, slowest "
        f"{max(delays):.2f} s"
    )
    assert watch.samples > 10
    assert watch.peak_server <= start + 300 * MB
    assert watch.peak_total <= start + 300 * MB
    assert max(delays) < 1.0, delays
    assert server.alive()

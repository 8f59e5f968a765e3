"""The signed plan end to end: a 40-participant meeting runs through every phase over
the protocol, signs on phones, and the downloaded .docx holds every agreement, kader,
follow-up and signature; /verify and `plandag verify` catch tampering."""

from __future__ import annotations

import io
import itertools
import os
import re
import shutil
import struct
import subprocess
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from docx import Document

from tests.protocol.test_frameworks import PartyDevice, advance, invite, ok
from tests.support import PLANDAG, Client, Phone, Server, console_client, create_meeting, login

pytestmark = pytest.mark.protocol
_ids = itertools.count()

AGREEMENTS = [
    ("Speelplek bij de Lindelaan", "Een speelplek met bankjes voor ouders"),
    ("Buurtcafé op het plein", "Elke vrijdag open van vier tot acht"),
    ("Betere verlichting", "Ledlampen langs het pad naar de school"),
]


def cid(tag: str) -> str:
    return f"{tag}-{next(_ids)}-plan"[:64]


def tiny_png(seed: int) -> str:
    """A small drawn-looking signature as a PNG data URL."""
    width, height = 60, 20
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            ink = (x * 3 + seed) % 17 == y % 17
            row += b"\x00\x00\x00" if ink else b"\xff\xff\xff"
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )
    import base64

    return "data:image/png;base64," + base64.b64encode(png).decode()


@dataclass
class Sealed:
    meeting_id: str
    docx: bytes
    http: requests.Session
    signer_names: list[str]
    fingerprint: str


@pytest.fixture(scope="module")
def sealed(server: Server) -> Sealed:
    return seal_a_meeting(server)


def seal_a_meeting(server: Server) -> Sealed:
    """A whole meeting to its sealed plan: kaders by a party and the facilitator, forty
    phones, proposals, consent, the check, signing (one declines and signs again)."""
    anna = login(server, "anna@example.org")
    meeting = create_meeting(anna, server, title="Plandag Lindeplein")
    console = console_client(server, anna, meeting.id)
    console.wait_for(lambda: "meeting" in console.views)
    device = PartyDevice(server, invite(console, "Gemeente Zuidstad"))
    assert device.claim("Wethouder Smit")["status"] == "approved"
    party = device.connect(meeting.code)
    budget = ok(
        party.call(
            "framework.save",
            {"client_id": cid("k"), "title": "Budget", "description": "Hooguit 50.000 euro."},
        )
    )["id"]
    safety = ok(
        console.call(
            "framework.save",
            {"client_id": cid("k"), "title": "Brandweerroute", "description": "Altijd vrij."},
        )
    )["id"]
    ok(console.call("framework.lock", {"client_id": cid("l")}))
    phones: list[Client] = []
    groups = ["Bewoners", "Gemeente", "Jongeren"]
    for i in range(40):
        phone = Phone(server, meeting.code)
        assert phone.join(f"Buur {i:02d}", groups[i % 3]).ok
        client = phone.connect()
        phones.append(client)
    advance(console, "proposals")
    proposal_ids = [
        ok(
            phones[0].call(
                "proposal.create",
                {"client_id": cid("p"), "title": title, "description": what, "what": what},
            )
        )["id"]
        for title, what in AGREEMENTS
    ]
    advance(console, "consent")
    for n, pid in enumerate([*proposal_ids, None]):
        payload = {"client_id": cid("o")}
        payload.update({"proposal_id": pid} if pid else {"whole_plan": True})
        round_id = ok(console.call("consent.open", payload))["round_id"]
        for i, phone in enumerate(phones[:10]):
            answer = {"client_id": cid("a"), "round_id": round_id, "answer": "consent"}
            if i == 3 and n == 1:
                answer.update(answer="concern", text="Let op de buren die vroeg slapen.")
            ok(phone.call("consent.answer", answer))
        assert ok(console.call("consent.close", {"client_id": cid("c")}))["outcome"] == "adopted"
    advance(console, "framework_check")
    console.wait_for(lambda: len(console.views["agreements"]["items"]) == 3)
    agreements = [a["id"] for a in console.views["agreements"]["items"]]
    for n, agreement in enumerate(agreements):
        verdict = "does_not_fit" if n == 1 else "fits"
        ok(
            party.call(
                "check.record",
                {
                    "client_id": cid("r"),
                    "agreement_id": agreement,
                    "framework_id": budget,
                    "verdict": verdict,
                    "explanation": "Het café kost meer dan het budget." if n == 1 else "",
                },
            )
        )
        ok(
            console.call(
                "check.record",
                {
                    "client_id": cid("r"),
                    "agreement_id": agreement,
                    "framework_id": safety,
                    "verdict": "fits",
                },
            )
        )
    ok(
        console.call(
            "followup.add",
            {
                "client_id": cid("f"),
                "agreement_id": agreements[1],
                "what": "Een kleiner café-plan binnen het budget",
                "who": "Werkgroep plein",
                "when": "1 maart 2027",
            },
        )
    )
    advance(console, "signing")
    names = []
    for i, phone in enumerate(phones):
        name = f"Buurvrouw {i:02d} van Dijk"
        payload = {"client_id": cid("s"), "name": name}
        if i % 2 == 0:
            payload["image"] = tiny_png(i)
        ack = phone.call("signature.sign", payload)
        assert ack["ok"], ack
        names.append(name)
    declined = phones[5].call(
        "signature.sign",
        {"client_id": cid("s"), "sign": False, "name": "Buurvrouw 05 van Dijk", "reason": "x"},
    )
    assert declined["ok"]
    ok(phones[5].call("signature.sign", {"client_id": cid("s"), "name": "Buurvrouw 05 van Dijk"}))
    ok(party.call("signature.sign", {"client_id": cid("s"), "name": "M. Smit, wethouder"}))
    closed = ok(console.call("signing.close", {"client_id": cid("cl")}))
    assert closed["signatures"] == 41
    late = phones[6].call("signature.sign", {"client_id": cid("s"), "name": "Te laat"})
    assert late["error"]["code"] == "signing.closed"
    response = anna.get(f"{server.url}/m/{meeting.id}/plan.docx")
    assert response.status_code == 200, response.text[:300]
    for client in [*phones, party, console]:
        client.close()
    # Signing order: everyone in turn; number 05 signed again after declining.
    order = [n for n in names if n != "Buurvrouw 05 van Dijk"]
    order += ["Buurvrouw 05 van Dijk", "M. Smit, wethouder"]
    return Sealed(meeting.id, response.content, anna, order, closed["fingerprint"])


def document_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def test_the_document_holds_every_agreement_kader_followup_and_signature(sealed: Sealed):
    text = document_text(sealed.docx)
    for title, what in AGREEMENTS:
        assert title in text and what in text
    for kader in ("Budget", "Hooguit 50.000 euro.", "Brandweerroute"):
        assert kader in text
    assert "Een kleiner café-plan binnen het budget" in text and "Werkgroep plein" in text
    assert "Het café kost meer dan het budget." in text
    assert "Let op de buren die vroeg slapen." in text
    positions = [text.find(name) for name in sealed.signer_names]
    assert all(p >= 0 for p in positions), [
        n for n, p in zip(sealed.signer_names, positions, strict=True) if p < 0
    ]
    assert positions == sorted(positions), "signatures are not in signing order"
    assert len(sealed.signer_names) == 41
    assert sealed.fingerprint.replace("-", "")[:4] in text.replace("-", "")
    doc = Document(io.BytesIO(sealed.docx))
    assert len(doc.inline_shapes) >= 20  # the drawn signatures (and the QR code)


def cli_verify(server: Server, path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PLANDAG, "verify", str(path)],
        env=server.env(),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def verify(server: Server, data: bytes, name: str = "plan.docx") -> requests.Response:
    return requests.post(
        f"{server.url}/verify", files={"document": (name, data)}, headers={"Accept-Language": "en"}
    )


def test_an_untouched_copy_is_valid(server: Server, sealed: Sealed):
    page = verify(server, sealed.docx)
    assert page.status_code == 200
    assert 'class="verdict-box valid"' in page.text
    assert "Plandag Lindeplein" in page.text and ">41<" in page.text


def test_one_changed_word_in_an_agreement_is_caught_and_named(
    server: Server, sealed: Sealed, tmp_path: Path
):
    doc = Document(io.BytesIO(sealed.docx))
    changed = False
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    for run in paragraph.runs:
                        if "vrijdag" in run.text and not changed:
                            run.text = run.text.replace("vrijdag", "zaterdag")
                            changed = True
    for paragraph in doc.paragraphs:
        for run in paragraph.runs:
            if "vrijdag" in run.text and not changed:
                run.text = run.text.replace("vrijdag", "zaterdag")
                changed = True
    assert changed
    out = io.BytesIO()
    doc.save(out)
    page = verify(server, out.getvalue())
    assert 'class="verdict-box invalid"' in page.text
    assert "Agreement 2 (“Buurtcafé op het plein”) differs from the signed text." in page.text
    dutch = requests.post(
        f"{server.url}/verify",
        files={"document": ("plan.docx", out.getvalue())},
        headers={"Accept-Language": "nl"},
    )
    assert "Afspraak 2 (“Buurtcafé op het plein”) wijkt af van de ondertekende tekst." in (
        dutch.text
    )
    path = tmp_path / "changed.docx"
    path.write_bytes(out.getvalue())
    result = cli_verify(server, path)
    assert result.returncode == 1 and "not valid" in result.stdout
    assert "Buurtcafé op het plein" in result.stdout
    good = tmp_path / "good.docx"
    good.write_bytes(sealed.docx)
    result = cli_verify(server, good)
    assert result.returncode == 0 and result.stdout.startswith("valid:"), result.stdout


def test_changed_embedded_data_is_not_valid(server: Server, sealed: Sealed):
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(sealed.docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "docProps/custom.xml":
                assert b"PlandagCanonical" in data
                # flip one character of the base64 canonical form
                start = data.index(b"PlandagCanonical")
                value = data.index(b"<vt:lpwstr>", start) + len(b"<vt:lpwstr>") + 40
                flipped = b"A" if data[value : value + 1] != b"A" else b"B"
                data = data[:value] + flipped + data[value + 1 :]
            target.writestr(item, data)
    page = verify(server, out.getvalue())
    assert 'class="verdict-box invalid"' in page.text


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("empty.docx", b""),
        ("notes.txt", b"Dit is geen plan."),
        ("random.docx", bytes(range(256)) * 40),
    ],
)
def test_a_file_that_is_no_plan_gets_a_clear_answer(server: Server, name: str, data: bytes):
    page = verify(server, data, name)
    assert page.status_code == 200
    assert 'class="verdict-box invalid"' in page.text
    assert "Traceback" not in page.text


def test_a_50_mb_upload_is_refused_clearly(server: Server):
    page = verify(server, b"\0" * (50 * 1024 * 1024), "big.docx")
    assert page.status_code == 413
    assert "MB" in page.text and 'class="verdict-box invalid"' in page.text
    assert server.alive()


@pytest.mark.skipif(
    shutil.which("soffice") is None and not os.environ.get("CI"),
    reason="LibreOffice is not installed (CI installs it)",
)
def test_the_signed_pdf_downloads_and_verifies(server: Server, sealed: Sealed):
    response = sealed.http.get(f"{server.url}/m/{sealed.meeting_id}/plan.pdf", timeout=300)
    assert response.status_code == 200, response.text[:300]
    assert response.content.startswith(b"%PDF")
    page = verify(server, response.content, "plan.pdf")
    assert 'class="verdict-box valid"' in page.text and ">41<" in page.text
    damaged = bytearray(response.content)
    damaged[len(damaged) // 3] ^= 0x01
    page = verify(server, bytes(damaged), "plan.pdf")
    assert 'class="verdict-box invalid"' in page.text


def test_the_sealed_record_carries_the_verify_address(server: Server, sealed: Sealed):
    import json
    import zipfile

    with zipfile.ZipFile(io.BytesIO(sealed.docx)) as zf:
        custom = zf.read("docProps/custom.xml").decode()
    assert "plandag-plan/2" in custom
    start = custom.index("PlandagCanonical")
    value = custom[custom.index("<vt:lpwstr>", start) + 11 : custom.index("</vt:lpwstr>", start)]
    import base64

    record = json.loads(base64.b64decode(value))
    assert record["format"] == "plandag-plan/2"
    assert record["verify_url"] == f"{server.url}/verify"


def test_cli_names_a_password_protected_docx(server: Server, sealed: Sealed, tmp_path: Path):
    from tests.hostile import encrypted_docx, encrypted_pdf

    for name, data in (
        ("locked.docx", encrypted_docx(sealed.docx)),
        ("locked.pdf", encrypted_pdf()),
    ):
        path = tmp_path / name
        path.write_bytes(data)
        result = cli_verify(server, path)
        assert result.returncode == 1
        assert "password-protected" in result.stdout, result.stdout
        assert "damaged" not in result.stdout and "not a Word document" not in result.stdout
        assert result.stderr == ""


@pytest.mark.skipif(
    shutil.which("soffice") is None and not os.environ.get("CI"),
    reason="LibreOffice is not installed (CI installs it)",
)
def test_an_updated_or_flipped_pdf_is_refused_cleanly(
    server: Server, sealed: Sealed, tmp_path: Path
):
    from pyhanko.pdf_utils.generic import NameObject, TextStringObject
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    response = sealed.http.get(f"{server.url}/m/{sealed.meeting_id}/plan.pdf", timeout=300)
    assert response.status_code == 200
    writer = IncrementalPdfFileWriter(io.BytesIO(response.content))
    writer.root[NameObject("/PlandagNote")] = TextStringObject("toegevoegd")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    path = tmp_path / "updated.pdf"
    path.write_bytes(out.getvalue())
    result = cli_verify(server, path)
    assert result.returncode == 1 and "not valid" in result.stdout
    assert "Something was added to the PDF after it was signed." in result.stdout
    assert "Traceback" not in result.stderr and result.stderr == ""
    for offset in (len(response.content) // 3, len(response.content) // 2):
        damaged = bytearray(response.content)
        damaged[offset] ^= 0x01
        page = verify(server, bytes(damaged), "plan.pdf")
        assert 'class="verdict-box invalid"' in page.text
        items = re.findall(r"<li>(.*?)</li>", page.text)
        assert len(items) == len(set(items)), items
        flipped = tmp_path / "flipped.pdf"
        flipped.write_bytes(bytes(damaged))
        result = cli_verify(server, flipped)
        lines = [line for line in result.stdout.splitlines() if line.startswith("  - ")]
        assert len(lines) == len(set(lines)) and result.stderr == "", result

"""The signed PDF: LibreOffice conversion, PAdES signature, verification, page images.

Skipped when LibreOffice (soffice) is missing, unless $CI is set: then missing
LibreOffice fails the run, so CI cannot silently skip the PDF path.

The page images are written to docs/screenshots/plan-page-1.png and
plan-page-signatures.png when those files are missing or $PLANDAG_UPDATE_SCREENSHOTS is
set (so that an ordinary test run does not rewrite tracked files).
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from pyhanko.pdf_utils.generic import NameObject, TextStringObject
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from shared.plandoc import (
    ServerKey,
    build_docx,
    canonical_bytes,
    docx_to_pdf,
    load_or_create_key,
    seal,
    sign_pdf,
    soffice_path,
    validate_pdf_signature,
    verify_file,
    verify_pdf,
)
from shared.plandoc.sample import sample_images, sample_record

URL = "https://plandag.example.org/controle"
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"

pytestmark = pytest.mark.skipif(
    soffice_path() is None and not os.environ.get("CI"),
    reason="LibreOffice (soffice) is not installed",
)


@pytest.fixture(scope="module")
def key(tmp_path_factory: pytest.TempPathFactory) -> ServerKey:
    return load_or_create_key(tmp_path_factory.mktemp("instance"))


@pytest.fixture(scope="module")
def record() -> dict[str, Any]:
    return sample_record(n_signatures=40, n_agreements=3)


@pytest.fixture(scope="module")
def docx_bytes(record: dict[str, Any], key: ServerKey) -> bytes:
    return build_docx(record, seal(record, key), URL, sample_images(record))


@pytest.fixture(scope="module")
def pdf_bytes(docx_bytes: bytes) -> bytes:
    return docx_to_pdf(docx_bytes)


@pytest.fixture(scope="module")
def signed(pdf_bytes: bytes, record: dict[str, Any], key: ServerKey) -> bytes:
    sealed = seal(record, key)
    return sign_pdf(pdf_bytes, key, canonical_bytes(record), sealed.signature, verify_url=URL)


def test_libreoffice_makes_a_pdf(pdf_bytes: bytes) -> None:
    assert pdf_bytes.startswith(b"%PDF-")
    assert len(pdf_bytes) > 10_000


def test_signed_pdf_validates(signed: bytes, pdf_bytes: bytes, key: ServerKey) -> None:
    assert validate_pdf_signature(signed, key.certificate)
    assert not validate_pdf_signature(pdf_bytes, key.certificate)  # not signed at all
    assert not validate_pdf_signature(b"not a pdf", key.certificate)


def test_one_byte_changed_in_the_signed_range_is_invalid(signed: bytes, key: ServerKey) -> None:
    byte_range = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", signed)
    assert byte_range
    start, length = int(byte_range.group(1)), int(byte_range.group(2))
    for position in (start + length // 3, start + length // 2):
        assert start <= position < start + length
        changed = bytearray(signed)
        changed[position] ^= 0x01
        assert not validate_pdf_signature(bytes(changed), key.certificate)
        result = verify_file(bytes(changed), key.public_key_b64, key.certificate)
        assert not result.valid


def test_verify_file_accepts_the_signed_pdf(
    signed: bytes, key: ServerKey, record: dict[str, Any]
) -> None:
    result = verify_file(signed, key.public_key_b64, key.certificate)
    assert result.valid, (result.error, result.differences)
    assert result.kind == "pdf"
    assert result.meeting_title == "Plandag Lindelaan"
    assert result.meeting_date == "2025-06-12"
    assert result.signatures == 38
    assert result.record == record


def test_an_update_appended_after_signing_is_invalid(signed: bytes, key: ServerKey) -> None:
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    writer.root[NameObject("/PlandagNote")] = TextStringObject("toegevoegd")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    result = verify_pdf(out.getvalue(), key.public_key_b64, key.certificate)
    assert not result.valid
    assert result.differences_codes == [("pdf_added", None)]


def test_another_servers_pdf_is_not_trusted(
    pdf_bytes: bytes, record: dict[str, Any], key: ServerKey, tmp_path: Path
) -> None:
    other = load_or_create_key(tmp_path)
    forged = sign_pdf(
        pdf_bytes, other, canonical_bytes(record), seal(record, other).signature, verify_url=URL
    )
    assert validate_pdf_signature(forged, other.certificate)
    assert not validate_pdf_signature(forged, key.certificate)
    result = verify_file(forged, key.public_key_b64, key.certificate)
    assert not result.valid
    assert "The PDF was not signed with this server's certificate." in result.differences


def test_renewed_certificate_of_the_same_key_still_verifies(
    signed: bytes, key: ServerKey, tmp_path: Path
) -> None:
    """The certificate is renewed before it expires; the key, and so the trust, stays."""
    renewed = ServerKey(
        private_key=key.private_key, certificate=load_or_create_key(tmp_path).certificate
    )
    result = verify_pdf(signed, key.public_key_b64, renewed.certificate)
    assert result.valid, result.differences


def test_a_copy_saved_again_by_libreoffice_still_verifies(
    docx_bytes: bytes, key: ServerKey, tmp_path: Path
) -> None:
    """LibreOffice keeps the custom properties, the custom XML part and the text."""
    soffice = soffice_path()
    assert soffice
    source = tmp_path / "plan.docx"
    source.write_bytes(docx_bytes)
    out = tmp_path / "out"
    subprocess.run(
        [soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
         "--norestore", "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(out),
         str(source)],
        check=True, capture_output=True, timeout=180, env={**os.environ, "HOME": str(tmp_path)},
    )  # fmt: skip
    result = verify_file((out / "plan.docx").read_bytes(), key.public_key_b64)
    assert result.valid, result.differences


def test_parallel_conversions_do_not_collide(docx_bytes: bytes) -> None:
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(docx_to_pdf, [docx_bytes, docx_bytes]))
    assert all(r.startswith(b"%PDF-") for r in results)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} (poppler-utils) is missing")
        pytest.skip(f"{name} (poppler-utils) is not installed")
    return found


def test_page_images(signed: bytes, tmp_path: Path) -> None:
    pdftoppm, pdftotext = _tool("pdftoppm"), _tool("pdftotext")
    pdf = tmp_path / "plan.pdf"
    pdf.write_bytes(signed)
    text = subprocess.run(
        [pdftotext, "-layout", str(pdf), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8")
    pages = text.split("\f")
    signature_page = next(
        i + 1 for i, page in enumerate(pages) if "Handtekeningen" in page and "Fatima" in page
    )
    assert "Plandag Lindelaan" in pages[0]
    images = {}
    for label, page in (("1", 1), ("signatures", signature_page)):
        prefix = tmp_path / f"plan-page-{label}"
        subprocess.run(
            [pdftoppm, "-r", "60", "-png", "-singlefile", "-f", str(page), "-l", str(page),
             str(pdf), str(prefix)],
            check=True,
        )  # fmt: skip
        image = prefix.with_suffix(".png")
        assert image.read_bytes().startswith(b"\x89PNG")
        images[label] = image
    for label, image in images.items():
        target = SCREENSHOTS / f"plan-page-{label}.png"
        if not target.exists() or os.environ.get("PLANDAG_UPDATE_SCREENSHOTS"):
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(image, target)

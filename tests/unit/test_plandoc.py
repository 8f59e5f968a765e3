"""The plan document library (shared.plandoc): the seal, the .docx and its verification.

No LibreOffice needed here; the PDF side is in test_plandoc_pdf.py.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import io
import json
import os
import random
import re
import stat
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph

import shared.plandoc.pdf as plandoc_pdf
from shared.plandoc import (
    FORMAT,
    PdfConversionError,
    ServerKey,
    build_docx,
    canonical_bytes,
    check_seal,
    docx_to_pdf,
    load_or_create_key,
    seal,
    verify_docx,
    verify_file,
    visible_lines,
)
from shared.plandoc.content import comparable
from shared.plandoc.sample import sample_images, sample_record, signature_png

URL = "https://plandag.example.org/controle"


@pytest.fixture(scope="module")
def key(tmp_path_factory: pytest.TempPathFactory) -> ServerKey:
    return load_or_create_key(tmp_path_factory.mktemp("instance"))


@pytest.fixture(scope="module")
def record() -> dict[str, Any]:
    return sample_record(n_signatures=40, n_agreements=3)


def make_docx(record: dict[str, Any], key: ServerKey) -> bytes:
    return build_docx(record, seal(record, key), URL, sample_images(record))


@pytest.fixture(scope="module")
def document(record: dict[str, Any], key: ServerKey) -> bytes:
    return make_docx(record, key)


def body_texts(data: bytes) -> list[str]:
    """Paragraph and cell texts in body order, as python-docx sees them."""
    texts: list[str] = []
    for item in docx.Document(io.BytesIO(data)).iter_inner_content():
        if isinstance(item, Paragraph):
            texts.append(item.text)
        elif isinstance(item, DocxTable):
            for row in item.rows:
                texts.extend(cell.text for cell in row.cells)
    return [t for t in texts if comparable(t)]


def edit_runs(data: bytes, old: str, new: str) -> bytes:
    """Replace `old` by `new` in one run, the way an edit in Word would."""
    document = docx.Document(io.BytesIO(data))
    done = 0
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    for run in paragraph.runs:
                        if old in run.text and not done:
                            run.text = run.text.replace(old, new, 1)
                            done += 1
    for paragraph in document.paragraphs:
        for run in paragraph.runs:
            if old in run.text and not done:
                run.text = run.text.replace(old, new, 1)
                done += 1
    assert done, f"{old!r} not found"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def rewrite_zip(data: bytes, changes: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(info.filename, changes.get(info.filename, source.read(info.filename)))
    return out.getvalue()


def custom_props(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        xml = zf.read("docProps/custom.xml").decode("utf-8")
    return dict(re.findall(r'name="(\w+)"><vt:lpwstr>([^<]*)</vt:lpwstr>', xml))


def replace_property(data: bytes, name: str, value: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        xml = zf.read("docProps/custom.xml").decode("utf-8")
    xml, count = re.subn(
        rf'(name="{name}"><vt:lpwstr>)[^<]*(</vt:lpwstr>)', rf"\g<1>{value}\g<2>", xml
    )
    assert count == 1
    return rewrite_zip(data, {"docProps/custom.xml": xml.encode("utf-8")})


# --- the key and the seal ------------------------------------------------------------------


def test_key_is_created_private_and_reused(tmp_path: Path) -> None:
    first = load_or_create_key(tmp_path / "instance")
    path = tmp_path / "instance" / "plan_seal_key.pem"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert (tmp_path / "instance" / "plan_seal_cert.pem").exists()
    again = load_or_create_key(tmp_path / "instance")
    assert again.key_id == first.key_id and again.public_key_b64 == first.public_key_b64
    assert len(base64.b64decode(first.public_key_b64)) == 32
    assert re.fullmatch(r"[0-9a-f]{16}", first.key_id)
    raw = base64.b64decode(first.public_key_b64)
    assert first.key_id == hashlib.sha256(raw).hexdigest()[:16]
    assert first.public_pem().startswith("-----BEGIN PUBLIC KEY-----")
    cert = first.certificate
    assert cert.subject.rfc4514_string() == "CN=Plandag plan seal"
    assert (cert.not_valid_after_utc - cert.not_valid_before_utc).days >= 3650


def test_certificate_is_remade_when_missing(tmp_path: Path) -> None:
    first = load_or_create_key(tmp_path)
    (tmp_path / "plan_seal_cert.pem").unlink()
    second = load_or_create_key(tmp_path)
    assert second.key_id == first.key_id
    assert second.certificate.public_key().public_bytes_raw() == base64.b64decode(
        first.public_key_b64
    )


def _reverse_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _reverse_keys(value[k]) for k in reversed(list(value))}
    if isinstance(value, list):
        return [_reverse_keys(v) for v in value]
    return value


def test_canonical_bytes_are_stable_under_key_order(record: dict[str, Any]) -> None:
    data = canonical_bytes(record)
    assert canonical_bytes(_reverse_keys(record)) == data
    assert b", " not in data[:200] and b'": ' not in data[:200]
    assert b"Speelplek bij de Lindelaan" in data  # UTF-8, not \\u escapes
    assert "€".encode() in data
    assert json.loads(data) == record


@pytest.mark.parametrize(
    "bad",
    [
        {"x": 1.5},
        {"x": [1, 2.0]},
        {"x": (1, 2)},
        {"x": {1, 2}},
        {"x": b"bytes"},
        {1: "non-string key"},
        {"x": "lone surrogate \ud800"},
        {"x": float("nan")},
    ],
)
def test_canonical_bytes_refuse_non_json(bad: dict[Any, Any]) -> None:
    with pytest.raises(ValueError):
        canonical_bytes(bad)


def test_seal_verifies_and_a_changed_byte_fails(record: dict[str, Any], key: ServerKey) -> None:
    sealed = seal(record, key)
    data = canonical_bytes(record)
    assert sealed.digest == hashlib.sha256(data).hexdigest()
    assert sealed.key_id == key.key_id
    assert re.fullmatch(r"[0-9A-F]{4}(-[0-9A-F]{4}){3}", sealed.fingerprint)
    assert sealed.fingerprint.replace("-", "") == sealed.digest[:16].upper()
    assert check_seal(data, sealed.signature, key.public_key_b64)
    for index in (0, len(data) // 2, len(data) - 1):
        changed = bytearray(data)
        changed[index] ^= 0x01
        assert not check_seal(bytes(changed), sealed.signature, key.public_key_b64)
    other = load_or_create_key_in_memory()
    assert not check_seal(data, sealed.signature, other.public_key_b64)
    assert not check_seal(data, "not base64!", key.public_key_b64)
    assert not check_seal(data, sealed.signature, "AAAA")


def load_or_create_key_in_memory() -> ServerKey:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        return load_or_create_key(Path(folder))


# --- the .docx -------------------------------------------------------------------------------


def test_docx_opens_and_holds_everything_in_order(record: dict[str, Any], document: bytes) -> None:
    texts = body_texts(document)
    joined = "\n".join(texts)

    def in_order(needles: list[str]) -> None:
        positions = [joined.find(needle) for needle in needles]
        assert all(p >= 0 for p in positions), [
            n for n, p in zip(needles, positions, strict=True) if p < 0
        ]
        assert positions == sorted(positions), needles

    agreements = record["plan"]["agreements"]
    in_order([a["title"] for a in agreements])
    in_order([a["what"].split("\n")[0] for a in agreements])
    in_order([f["title"] for f in record["frameworks"]])
    in_order([f["what"] for f in record["framework_check"]["followups"]])
    signed = [s for s in record["signatures"] if s["status"] == "signed"]
    declined = [s for s in record["signatures"] if s["status"] == "declined"]
    assert len(signed) == 38 and len(declined) == 2
    # the signature table lists everyone who signed, by number, after the heading
    after = [t.split("\n")[0] for t in texts[texts.index("Handtekeningen") :]]
    signed_names = {s["name"] for s in signed}
    assert [t for t in after if t in signed_names][: len(signed)] == [s["name"] for s in signed]
    assert [t for t in after if t in {s["name"] for s in declined}] == [s["name"] for s in declined]
    # numbered without gaps: signed 1..38, declined 1..2
    assert [s["number"] for s in signed] == list(range(1, 39))
    assert [s["number"] for s in declined] == [1, 2]
    # the room's name for a person, beside the name they signed with
    assert "Fatima El Amrani\nin de zaal: Fatima (Bewoners Lindelaan)" in texts
    headings = [
        "Kwestieomschrijving",
        "Open vraag",
        "Kaders",
        "Deelnemers",
        "Thema's",
        "Afspraken",
        "Wie komt opnieuw bij elkaar als iets niet werkt",
        "Wie evalueert het plan, waar en wanneer",
        "Instemmingsverslag",
        "Kadertoets",
        "Vervolgafspraken",
        "Handtekeningen",
        "Zagen af van ondertekening",
        "Niet getekend",
        "Verzegeling",
    ]
    positions = [texts.index(heading) for heading in headings]
    assert positions == sorted(positions)
    assert "41 konden tekenen: 38 ondertekend, 2 zagen ervan af, 1 niet getekend." in texts
    assert "Deelnemer 1" in texts  # eligible, neither signed nor declined
    # how each objection ended, with the text before and after the amendment
    assert "Ronde 1 · over voorstelversie 1" in joined
    assert "niet aangenomen: er stond een bezwaar" in joined
    assert (
        "Afloop: verwerkt in voorstelversie 2, die in ronde 2 is aangenomen. Wie het bezwaar "
        "maakte, stemde daarna in." in texts
    )
    assert "Was (waar): Grasveld voor de Lindelaan" in texts
    assert "Werd (waar): Grasveld achter de Lindelaan" in texts
    assert "Het plan gaat ongewijzigd door" not in joined  # agreement 2 does not fit
    assert "Deze afspraken passen niet binnen de kaders:" in texts
    assert "Afspraak 2: Speelplek bij de Lindelaan" in texts
    assert "Ik wil eerst zien of de speelplek er echt komt." in joined
    assert seal_fingerprint(record) in joined
    # times are Amsterdam time: sealed 16:40 UTC in June is 18:40 CEST
    assert "Verzegeld op: 12 juni 2025 om 18:40" in texts
    # themes show counts, never contributions
    assert "Overlast en lawaai 's avonds" in texts and "14" in texts


def seal_fingerprint(record: dict[str, Any]) -> str:
    digest = hashlib.sha256(canonical_bytes(record)).hexdigest()[:16].upper()
    return "-".join(digest[i : i + 4] for i in range(0, 16, 4))


def test_docx_text_is_exactly_the_visible_lines(
    record: dict[str, Any], key: ServerKey, document: bytes
) -> None:
    lines = visible_lines(record, key_id=key.key_id, verify_url=URL)
    assert body_texts(document) == [text for _ref, text in lines]
    refs = {ref for ref, _text in lines}
    assert {"meeting", "plan", "agreement:3", "framework:2", "signature:17"} <= refs
    assert {"followup:1", "check:2:1", "consent:2", "consent:plan", "seal"} <= refs
    # without the key id, the seal section has none; the address is sealed in the record
    # (format 2) and shown whatever address is given
    plain = visible_lines(record)
    assert not any(key.key_id in text for _ref, text in plain)
    assert any(URL in text for _ref, text in plain)
    other = visible_lines(record, verify_url="https://elsewhere.example/verify")
    assert not any("elsewhere" in text for _ref, text in other)


def test_docx_structure(document: bytes, record: dict[str, Any]) -> None:
    parsed = docx.Document(io.BytesIO(document))
    section = parsed.sections[0]
    assert abs(section.page_width.cm - 21.0) < 0.01 and abs(section.page_height.cm - 29.7) < 0.01
    styles_used = {p.style.name for p in parsed.paragraphs}
    assert {"Title", "Heading 1", "Heading 2", "Normal"} <= styles_used
    assert all(t.style.name == "Table Grid" for t in parsed.tables)
    header_row = parsed.tables[0].rows[0]
    assert all(run.bold for cell in header_row.cells for p in cell.paragraphs for run in p.runs)
    assert record["meeting"]["title"] in section.header.paragraphs[0].text
    assert "12 juni 2025" in section.header.paragraphs[0].text
    footer_xml = section.footer._element.xml
    assert "PAGE" in footer_xml and "NUMPAGES" in footer_xml
    assert len(parsed.inline_shapes) == 34 + 1  # drawn signatures and the QR code
    with zipfile.ZipFile(io.BytesIO(document)) as zf:
        types = zf.read("[Content_Types].xml").decode()
        rels = zf.read("_rels/.rels").decode()
        names = zf.namelist()
    assert (
        '<Override PartName="/docProps/custom.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.custom-properties+xml"/>'
    ) in types
    assert (
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'custom-properties" Target="docProps/custom.xml"'
    ) in rels
    assert "docProps/thumbnail.jpeg" not in names
    props = custom_props(document)
    assert props["PlandagFormat"] == FORMAT == "plandag-plan/2"
    assert base64.b64decode(props["PlandagCanonical"]) == canonical_bytes(record)
    assert props["PlandagKeyId"] and props["PlandagSignature"]
    assert parsed.core_properties.author == "Plandag"
    assert parsed.core_properties.title == record["meeting"]["title"]


def test_build_refuses_a_foreign_seal_and_missing_images(
    record: dict[str, Any], key: ServerKey
) -> None:
    other = copy.deepcopy(record)
    other["meeting"]["title"] = "Iets anders"
    with pytest.raises(ValueError, match="seal"):
        build_docx(record, seal(other, key), URL, sample_images(record))
    with pytest.raises(ValueError, match="no image"):
        build_docx(record, seal(record, key), URL, {})
    images = sample_images(record)
    wrong = {digest: signature_png(9999) for digest in images}
    with pytest.raises(ValueError, match="does not match"):
        build_docx(record, seal(record, key), URL, wrong)


def test_english_document(key: ServerKey) -> None:
    record = sample_record(n_signatures=5, language="en")
    texts = body_texts(make_docx(record, key))
    for expected in (
        "Date: Thursday 12 June 2025",
        "Agreements",
        "Who comes together again if something does not work",
        "Who evaluates the plan, where and when",
        "Consent record",
        "Framework check",
        "Follow-up agreements",
        "Signatures",
        "Seal",
        "Sealed on: 12 June 2025 at 18:40",
    ):
        assert expected in texts
    assert "participant" in texts and "framework party" in texts


def test_times_follow_amsterdam_winter_time(key: ServerKey) -> None:
    record = sample_record(n_signatures=2, n_declined=0)
    record["meeting"]["date"] = "2025-01-15"
    record["meeting"]["sealed_at"] = "2025-01-15T10:00:00Z"
    record["signatures"][0]["at"] = "2025-01-15T09:30:00Z"
    texts = [text for _ref, text in visible_lines(record)]
    assert "Verzegeld op: 15 januari 2025 om 11:00" in texts
    assert "Datum: woensdag 15 januari 2025" in texts
    assert "10:30" in texts


def test_empty_sections_keep_their_headings(key: ServerKey) -> None:
    record = sample_record(
        n_signatures=0, n_agreements=0, n_frameworks=0, n_declined=0, n_not_signed=0
    )
    record["themes"] = []
    record["consent"] = []
    record["issue_statement"] = ""
    record["participants"] = {"anonymous": False, "total": 0, "groups": []}
    record["plan"]["followup"] = ""
    data = make_docx(record, key)
    texts = body_texts(data)
    for expected in (
        "Kaders",
        "Geen kaders vastgesteld.",
        "Geen kwestieomschrijving vastgelegd.",
        "Geen deelnemers vastgelegd.",
        "Geen thema's vastgelegd.",
        "Geen afspraken vastgelegd.",
        "Niet vastgelegd.",
        "Geen instemmingsrondes gehouden.",
        "Er waren geen kaders om het plan aan te toetsen.",
        "Geen vervolgafspraken gemaakt.",
        "Geen handtekeningen.",
    ):
        assert expected in texts
    result = verify_docx(data, load_key_b64(key))
    assert result.valid and result.signatures == 0


def load_key_b64(key: ServerKey) -> str:
    return key.public_key_b64


def test_user_text_is_normalised_consistently(key: ServerKey) -> None:
    record = sample_record(n_signatures=3, n_declined=0)
    record["plan"]["agreements"][0]["what"] = "Eerste regel\r\nTweede\tregel  \n\n\nDerde\x07 regel"
    record["issue_statement"] = "  Kwestie met\u2028regelscheiding "
    data = make_docx(record, key)
    result = verify_docx(data, key.public_key_b64)
    assert result.valid, result.differences
    texts = body_texts(data)
    assert any("Eerste regel\nTweede regel\n\n\nDerde regel" in t for t in texts)
    assert "Kwestie met\nregelscheiding" in texts


def test_anonymous_meeting_shows_no_names_in_participants(key: ServerKey) -> None:
    named = sample_record(n_signatures=12)
    names = {name for g in named["participants"]["groups"] for name in g["names"]}
    assert names
    record = sample_record(n_signatures=12, anonymous=True)
    # even if the server left names in, an anonymous record must not show them
    record["participants"]["groups"][0]["names"] = sorted(names)
    lines = visible_lines(record)
    section = [t for ref, t in lines if ref == "participants" or ref.startswith("group:")]
    assert section and not any(name in text for text in section for name in names)
    assert "Deze bijeenkomst was anoniem: alleen aantallen worden vermeld." in section
    texts = body_texts(make_docx(record, key))
    start, end = texts.index("Deelnemers"), texts.index("Thema's")
    assert not any(name in text for text in texts[start:end] for name in names)
    # the non-anonymous document does list them
    named_lines = [t for ref, t in visible_lines(named) if ref.startswith("group:")]
    assert any("Fatima El Amrani" in t for t in named_lines)


# --- verification ---------------------------------------------------------------------------


def test_untouched_copy_is_valid(document: bytes, key: ServerKey, record: dict[str, Any]) -> None:
    result = verify_file(document, key.public_key_b64, key.certificate)
    assert result.valid, result.differences
    assert result.kind == "docx" and result.error is None
    assert result.meeting_title == "Plandag Lindelaan"
    assert result.meeting_date == "2025-06-12"
    assert result.signatures == 38 and result.declined == 2
    assert result.fingerprint == seal_fingerprint(record)
    assert result.differences == [] and result.details == []


def test_resaved_without_changes_is_still_valid(document: bytes, key: ServerKey) -> None:
    parsed = docx.Document(io.BytesIO(document))
    out = io.BytesIO()
    parsed.save(out)
    assert verify_docx(out.getvalue(), key.public_key_b64).valid


def test_one_word_changed_in_agreement_2_is_named(document: bytes, key: ServerKey) -> None:
    changed = edit_runs(document, "richt het grasveld", "richt het parkeerterrein")
    result = verify_docx(changed, key.public_key_b64)
    assert not result.valid
    assert result.differences == [
        "Agreement 2 (“Speelplek bij de Lindelaan”) differs from the signed text"
    ]
    assert result.differences_codes == [("text_changed", "agreement:2")]
    assert result.meeting_title == "Plandag Lindelaan"  # still says what it claims to be


def test_changed_signature_name_is_named(document: bytes, key: ServerKey) -> None:
    changed = edit_runs(document, "Pieter Brouwer", "Piet Brouwer")
    result = verify_docx(changed, key.public_key_b64)
    assert not result.valid
    assert result.differences == ["Signature 12 (Pieter Brouwer) differs from the signed text"]


def test_changed_kader_followup_and_check_are_named(document: bytes, key: ServerKey) -> None:
    changed = edit_runs(document, "wijkbudget van € 40.000", "wijkbudget van € 400.000")
    assert verify_docx(changed, key.public_key_b64).differences == [
        "Kader 1 (“Budget”) differs from the signed text"
    ]
    changed = edit_runs(document, "Voor 1 oktober", "Voor 1 december")
    assert verify_docx(changed, key.public_key_b64).differences_codes == [
        ("text_changed", "followup:1")
    ]
    changed = edit_runs(document, "kost meer dan het budget", "past binnen het budget")
    assert verify_docx(changed, key.public_key_b64).differences == [
        "The kader check of agreement 2 against kader 1 differs from the signed text"
    ]


def test_removed_signature_row_is_named(document: bytes, key: ServerKey) -> None:
    parsed = docx.Document(io.BytesIO(document))
    table = next(t for t in parsed.tables if t.rows[0].cells[1].text == "Naam")
    row = next(r for r in table.rows if r.cells[1].text.startswith("Samira Meijer"))
    row._tr.getparent().remove(row._tr)
    out = io.BytesIO()
    parsed.save(out)
    result = verify_docx(out.getvalue(), key.public_key_b64)
    assert not result.valid
    assert "Signature 19 (Samira Meijer) differs from the signed text" in result.differences
    assert any("drawn signature of signature 19" in d for d in result.differences)


def test_added_paragraph_is_reported(document: bytes, key: ServerKey) -> None:
    parsed = docx.Document(io.BytesIO(document))
    heading = next(
        p for p in parsed.paragraphs if p.text == "Wie evalueert het plan, waar en wanneer"
    )
    heading.insert_paragraph_before("Extra afspraak: de gemeente betaalt alles.")
    out = io.BytesIO()
    parsed.save(out)
    result = verify_docx(out.getvalue(), key.public_key_b64)
    assert not result.valid
    assert result.details[0].code == "text_added"
    assert "de gemeente betaalt alles" in result.differences[0]


def test_swapped_drawn_signature_is_named(document: bytes, key: ServerKey) -> None:
    parsed = docx.Document(io.BytesIO(document))
    target = hashlib.sha256(signature_png(1)).hexdigest()
    for rel in parsed.part.rels.values():
        if "image" in rel.reltype and hashlib.sha256(rel.target_part.blob).hexdigest() == target:
            rel.target_part._blob = signature_png(4242)
    out = io.BytesIO()
    parsed.save(out)
    result = verify_docx(out.getvalue(), key.public_key_b64)
    assert not result.valid
    assert result.differences == [
        "The drawn signature of signature 1 (Fatima El Amrani) differs from the signed one"
    ]


def test_renamed_qr_code_is_still_recognised(document: bytes, key: ServerKey) -> None:
    with zipfile.ZipFile(io.BytesIO(document)) as zf:
        xml = zf.read("word/document.xml")
    assert xml.count(b'name="PlandagVerifyQR"') == 1
    renamed = xml.replace(b'name="PlandagVerifyQR"', b'name="Picture 99"')
    result = verify_docx(rewrite_zip(document, {"word/document.xml": renamed}), key.public_key_b64)
    assert result.valid, result.differences


def test_word_is_asked_not_to_recompress_pictures(document: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(document)) as zf:
        assert b"<w:doNotAutoCompressPictures/>" in zf.read("word/settings.xml")


def test_changed_embedded_property_is_caught(document: bytes, key: ServerKey) -> None:
    props = custom_props(document)
    record = json.loads(base64.b64decode(props["PlandagCanonical"]))
    record["plan"]["agreements"][1]["what"] = "Iets heel anders."
    forged = base64.b64encode(canonical_bytes(record)).decode()
    result = verify_docx(replace_property(document, "PlandagCanonical", forged), key.public_key_b64)
    assert not result.valid
    assert result.differences == ["The embedded plan data does not match the seal"]
    assert result.differences_codes == [("embedded_data", None)]


def test_changed_custom_xml_copy_is_caught(document: bytes, key: ServerKey) -> None:
    with zipfile.ZipFile(io.BytesIO(document)) as zf:
        name = next(
            n for n in zf.namelist() if n.startswith("customXml/item") and b"plandag" in zf.read(n)
        )
        xml = zf.read(name).decode()
    canonical = re.search(r"<plandag:canonical>([^<]*)<", xml)
    assert canonical
    record = json.loads(base64.b64decode(canonical.group(1)))
    record["signatures"][0]["name"] = "Iemand Anders"
    forged = xml.replace(canonical.group(1), base64.b64encode(canonical_bytes(record)).decode())
    result = verify_docx(rewrite_zip(document, {name: forged.encode()}), key.public_key_b64)
    assert not result.valid
    assert "The embedded plan data does not match the seal" in result.differences


def test_property_cut_short_by_word_is_tolerated(document: bytes, key: ServerKey) -> None:
    """Desktop Word truncates custom properties to 255 characters when it saves."""
    props = custom_props(document)
    cut = replace_property(document, "PlandagCanonical", props["PlandagCanonical"][:255])
    assert verify_docx(cut, key.public_key_b64).valid


def test_other_servers_key_is_not_accepted(document: bytes) -> None:
    other = load_or_create_key_in_memory()
    result = verify_docx(document, other.public_key_b64)
    assert not result.valid
    assert result.differences_codes == [("wrong_key", None)]


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", b"<Types/>")
        with zf.open("_rels/.rels", "w", force_zip64=True) as fh:
            chunk = b" " * (1 << 20)
            for _ in range(260):  # 260 MB of spaces, about 250 kB compressed
                fh.write(chunk)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "make", "code"),
    [
        ("empty", lambda doc: b"", "empty"),
        ("random", lambda doc: random.Random(7).randbytes(5000), "unknown_type"),
        ("text", lambda doc: b"Dit is gewoon een tekstbestand.\n" * 50, "unknown_type"),
        ("zip", lambda doc: _zip({"hello.txt": b"hallo"}), "not_word"),
        ("truncated", lambda doc: doc[: len(doc) // 2], "corrupt"),
        ("huge", lambda doc: b"PK\x03\x04" + b"\0" * (50 * 1024 * 1024), "too_large"),
        ("bomb", lambda doc: _zip_bomb(), "too_large"),
        ("plain docx", lambda doc: _plain_docx(), "not_sealed"),
        ("pdf junk", lambda doc: b"%PDF-1.7\n" + b"x" * 1000, "corrupt"),
    ],
)
def test_unreadable_input_gives_a_clean_error(
    name: str, make: Any, code: str, document: bytes, key: ServerKey
) -> None:
    data = make(document)
    result = verify_file(data, key.public_key_b64, key.certificate)
    assert not result.valid
    assert result.error_code == code, (name, result)
    assert result.error and result.error[0].isupper()


def _plain_docx() -> bytes:
    out = io.BytesIO()
    parsed = docx.Document()
    parsed.add_paragraph("Een gewoon document zonder zegel.")
    parsed.save(out)
    return out.getvalue()


def test_verify_docx_refuses_a_pdf_cleanly(key: ServerKey) -> None:
    result = verify_docx(b"%PDF-1.7\n%%EOF\n", key.public_key_b64)
    assert not result.valid and result.error_code == "unknown_type"


def test_docx_to_pdf_without_libreoffice_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plandoc_pdf, "soffice_path", lambda: None)
    with pytest.raises(PdfConversionError, match="LibreOffice is not installed"):
        docx_to_pdf(b"PK")


# --- the format is frozen ---------------------------------------------------------------------

FROZEN_RECORD: dict[str, Any] = {
    "format": "plandag-plan/1",
    "meeting": {
        "id": "m1",
        "title": "Plandag Vaart",
        "date": "2025-03-30",
        "place": "Dorpshuis",
        "language": "nl",
        "template": "alle_hens",
        "facilitators": ["A. Begeleider"],
        "sealed_at": "2025-03-30T15:00:00Z",
    },
    "issue_statement": "Kwestie.",
    "open_question": "Vraag?",
    "frameworks": [
        {
            "id": 1,
            "number": 1,
            "party": "Gemeente",
            "title": "Budget",
            "description": "Binnen budget.",
            "version": 1,
            "changed_after_lock": False,
        }
    ],
    "participants": {
        "anonymous": False,
        "total": 2,
        "groups": [
            {
                "group": "Bewoners",
                "roles": {"participant": 2, "informant": 0, "framework_party": 0, "observer": 0},
                "names": ["Ad", "Bo"],
            }
        ],
    },
    "themes": [{"name": "Rust", "contributions": 3}],
    "plan": {
        "agreements": [
            {
                "id": 7,
                "number": 1,
                "title": "Bankje",
                "what": "Een bankje.",
                "who": "Ad",
                "where": "Plein",
                "when": "Mei",
                "concerns": [],
            }
        ],
        "followup": "Ad belt.",
        "evaluation": "In juni.",
    },
    "consent": [
        {
            "agreement_id": 7,
            "title": "Bankje",
            "rounds": [
                {
                    "number": 1,
                    "proposal_version": 1,
                    "opened_at": "2025-03-30T13:00:00Z",
                    "closed_at": "2025-03-30T13:05:00Z",
                    "outcome": "adopted",
                    "eligible": 2,
                    "counts": {"consent": 2, "concern": 0, "objection": 0, "withdrawn": 0},
                    "concerns": [],
                    "objections": [],
                }
            ],
        }
    ],
    "framework_check": {
        "status": "unchanged",
        "entries": [
            {
                "agreement_id": 7,
                "framework_id": 1,
                "verdict": "fits",
                "explanation": "",
                "recorded_by": "Gemeente",
                "on_behalf": False,
                "at": "2025-03-30T14:00:00Z",
            }
        ],
        "followups": [],
    },
    "signatures": [
        {
            "number": 1,
            "name": "Ad",
            "role": "participant",
            "group": "Bewoners",
            "at": "2025-03-30T14:30:00Z",
            "status": "signed",
            "reason": "",
            "image": None,
        }
    ],
}
FROZEN_DIGEST = "b73e4cf706f38431b31752dfe81c80918be0f67bb5ff17be49f9be3eec648241"


def test_format_v1_text_is_frozen() -> None:
    """Sealed documents must re-render identically for years. If this fails you changed
    the wording or layout of format plandag-plan/1: keep the old one for verifying old
    documents and introduce plandag-plan/2 instead."""
    lines = visible_lines(FROZEN_RECORD, key_id="0123456789abcdef", verify_url="https://x.test/c")
    digest = hashlib.sha256(json.dumps(lines, ensure_ascii=False).encode()).hexdigest()
    assert digest == FROZEN_DIGEST, "\n".join(f"{ref}\t{text}" for ref, text in lines)


def test_no_web_framework_is_imported() -> None:
    import subprocess
    import sys

    code = (
        "import sys, shared.plandoc\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('flask', 'flask_socketio', 'socketio', 'sqlalchemy', 'engineio')]\n"
        "print(','.join(bad))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert out.stdout.strip() == ""


FROZEN_V2 = Path(__file__).parent / "data" / "record_v2.json"
FROZEN_V2_DIGEST = "4ba1542f706a8019b31014d75ea26f0efd990799ec43a69be7c3e0c4bce58fd8"


def test_format_v2_text_is_frozen() -> None:
    """As for format 1: documents sealed as plandag-plan/2 must re-render identically. If
    this fails you changed its wording or layout: freeze this format too (as format_v1)
    and introduce plandag-plan/3."""
    record = json.loads(FROZEN_V2.read_text(encoding="utf-8"))
    assert record["format"] == "plandag-plan/2"
    lines = visible_lines(record, key_id="0123456789abcdef", verify_url="https://x.test/c")
    digest = hashlib.sha256(json.dumps(lines, ensure_ascii=False).encode()).hexdigest()
    assert digest == FROZEN_V2_DIGEST, "\n".join(f"{ref}\t{text}" for ref, text in lines)

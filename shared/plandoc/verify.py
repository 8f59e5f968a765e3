"""Verifying a plan document that comes back: is it exactly what was sealed?

For a .docx: the seal (Ed25519) must hold over the embedded canonical form, and the
document's visible text and drawn signatures must be exactly what that form renders to.
For a PDF: its PAdES signature must be intact, cover the whole file and be ours, and the
seal must hold over the embedded canonical form.

Nothing in here raises for bad input: every outcome is a `Verification`. Messages are in
English; `details` and `error_code` carry codes and refs for a page that translates.
"""

from __future__ import annotations

import base64
import binascii
import difflib
import hashlib
import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

from cryptography import x509
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from lxml import etree

from .content import (
    Line,
    blocks_to_images,
    blocks_to_lines,
    build_blocks,
    clean,
    comparable,
)
from .labels import READABLE_FORMATS
from .package import (
    PROP_CANONICAL,
    PROP_FORMAT,
    PROP_KEY_ID,
    PROP_SIGNATURE,
    PROP_VERIFY_URL,
    WORD_PROPERTY_LIMIT,
    Archive,
    EmbeddedSeal,
    PackageError,
    read_custom_properties,
    read_seal_items,
)
from .render import QR_NAME, qr_png
from .seal import check_seal, fingerprint_of, key_id_from_b64

log = logging.getLogger(__name__)

MAX_INPUT = 20 * 1024 * 1024
"""Largest file accepted (bytes). A plan with 1,000 drawn signatures is a few MB."""
MAX_UNPACKED = 100 * 1024 * 1024
"""Most bytes read out of a .docx in total (guards against zip bombs)."""
MAX_CANONICAL = 32 * 1024 * 1024

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
V = "urn:schemas-microsoft-com:vml"


@dataclass(frozen=True)
class Difference:
    """One finding. `code` is stable (for translation); `ref` names the source in the plan
    record (e.g. ``agreement:2``) when there is one; `subject` is the English name of it."""

    code: str
    message: str
    ref: str | None = None
    subject: str | None = None


@dataclass
class Verification:
    valid: bool
    kind: str | None = None  # "docx" or "pdf"
    meeting_title: str | None = None
    meeting_date: str | None = None
    signatures: int = 0  # how many signed
    declined: int = 0
    fingerprint: str | None = None
    sealed_at: str | None = None
    differences: list[str] = field(default_factory=list)
    details: list[Difference] = field(default_factory=list)
    error: str | None = None
    error_code: str | None = None
    record: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def differences_codes(self) -> list[tuple[str, str | None]]:
        """(code, ref) of every difference, for a page that words them itself."""
        return [(d.code, d.ref) for d in self.details]

    def add(self, difference: Difference) -> None:
        """Record a difference once (per code and ref, or per message when it has no ref)."""
        key = difference.ref if difference.ref is not None else difference.message
        for known in self.details:
            known_key = known.ref if known.ref is not None else known.message
            if known.code == difference.code and known_key == key:
                return
        self.details.append(difference)
        self.differences.append(difference.message)


ERRORS = {
    "empty": "The file is empty.",
    "too_large": "The file is larger than 20 MB; a plan document is much smaller.",
    "unknown_type": "This file is neither a Word document (.docx) nor a PDF.",
    "not_word": "This zip file is not a Word document.",
    "corrupt": "The file is damaged and cannot be read.",
    "not_sealed": "This document carries no Plandag seal.",
    "unsupported_format": "This document uses a plan format this server does not know.",
    "no_certificate": "This server has no certificate to check PDF signatures with.",
    "internal": "The document could not be checked.",
}


def _failure(code: str, kind: str | None = None, message: str | None = None) -> Verification:
    return Verification(valid=False, kind=kind, error=message or ERRORS[code], error_code=code)


def _size_problem(data: bytes, kind: str | None) -> Verification | None:
    if not data:
        return _failure("empty", kind)
    if len(data) > MAX_INPUT:
        return _failure("too_large", kind)
    return None


def sniff(data: bytes) -> str | None:
    """ "docx" for a zip, "pdf" for a PDF, None otherwise."""
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "docx"
    if b"%PDF-" in data[:1024]:
        return "pdf"
    return None


def verify_file(
    data: bytes, public_key_b64: str, certificate: x509.Certificate | None = None
) -> Verification:
    """Verify a .docx or PDF, recognised by its first bytes."""
    if not isinstance(data, bytes | bytearray):
        return _failure("unknown_type")
    data = bytes(data)
    problem = _size_problem(data, None)
    if problem:
        return problem
    kind = sniff(data)
    if kind == "docx":
        return verify_docx(data, public_key_b64)
    if kind == "pdf":
        if certificate is None:
            return _failure("no_certificate", "pdf")
        return verify_pdf(data, public_key_b64, certificate)
    return _failure("unknown_type")


# --- naming what differs ----------------------------------------------------------------------


def _as_dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class _Names:
    """English names for the refs of one record."""

    def __init__(self, record: dict[str, Any]) -> None:
        def by_number(items: object) -> dict[str, dict[str, Any]]:
            found = {}
            for item in items if isinstance(items, list) else []:
                if isinstance(item, dict):
                    found[str(item.get("number"))] = item
            return found

        plan = _as_dict(record.get("plan"))
        check = _as_dict(record.get("framework_check"))
        participants = _as_dict(record.get("participants"))
        self.agreements = by_number(plan.get("agreements"))
        self.frameworks = by_number(record.get("frameworks"))
        self.followups = by_number(check.get("followups"))
        signatures = record.get("signatures")
        signatures = signatures if isinstance(signatures, list) else []
        # signed ones are numbered 1..n and declined ones 1..m (format 1: one numbering)
        self.signatures = by_number(
            [s for s in signatures if isinstance(s, dict) and s.get("status") == "signed"]
            if record.get("format") != "plandag-plan/1"
            else signatures
        )
        self.declined = by_number(
            [s for s in signatures if isinstance(s, dict) and s.get("status") != "signed"]
        )
        groups = participants.get("groups")
        self.groups = groups if isinstance(groups, list) else []
        themes = record.get("themes")
        self.themes = themes if isinstance(themes, list) else []

    def _title(self, table: dict[str, dict[str, Any]], number: str, key: str = "title") -> str:
        item = table.get(number)
        return _short(clean(item.get(key))) if item else ""

    def subject(self, ref: str, text: str = "") -> str:
        kind, _, rest = ref.partition(":")
        if kind == "agreement":
            title = self._title(self.agreements, rest)
            return f"Agreement {rest} (“{title}”)" if title else f"Agreement {rest}"
        if kind == "framework":
            title = self._title(self.frameworks, rest)
            return f"Kader {rest} (“{title}”)" if title else f"Kader {rest}"
        if kind == "signature":
            name = self._title(self.signatures, rest, "name")
            return f"Signature {rest} ({name})" if name else f"Signature {rest}"
        if kind == "declined":
            name = self._title(self.declined, rest, "name")
            return f"Declined signature {rest} ({name})" if name else f"Declined signature {rest}"
        if kind == "not_signed":
            return f"Person {rest} of the list of those who did not sign"
        if kind == "followup":
            what = self._title(self.followups, rest, "what")
            return f"Follow-up agreement {rest} (“{what}”)" if what else f"Follow-up {rest}"
        if kind == "check":
            agreement, _, framework = rest.partition(":")
            return f"The kader check of agreement {agreement} against kader {framework}"
        if kind == "consent":
            if rest == "plan":
                return "The consent record of the plan as a whole"
            if rest.startswith("item"):
                return "The consent record of a proposal"
            title = self._title(self.agreements, rest)
            return f"The consent record of agreement {rest}" + (f" (“{title}”)" if title else "")
        if kind == "group":
            index = int(rest) - 1 if rest.isdigit() else -1
            group = self.groups[index] if 0 <= index < len(self.groups) else None
            name = _short(clean(group.get("group"))) if isinstance(group, dict) else ""
            return f"The participants of group “{name}”" if name else "The participants"
        if kind == "theme":
            index = int(rest) - 1 if rest.isdigit() else -1
            theme = self.themes[index] if 0 <= index < len(self.themes) else None
            name = _short(clean(theme.get("name"))) if isinstance(theme, dict) else ""
            return f"Theme {rest} (“{name}”)" if name else f"Theme {rest}"
        fixed = {
            "meeting": "The title page",
            "issue": "The issue statement",
            "question": "The open question",
            "frameworks": "The kaders section",
            "participants": "The participants section",
            "themes": "The themes section",
            "plan": "The agreements table",
            "plan:followup": "Who comes together again if something does not work",
            "plan:evaluation": "Who evaluates the plan, where and when",
            "consent": "The consent record",
            "check": "The result of the kader check",
            "followups": "The follow-up agreements section",
            "signatures": "The signatures section",
            "not_signed": "The list of those who did not sign",
            "seal": "The seal section",
            "seal:qr": "The QR code of the seal section",
        }
        if ref in fixed:
            return fixed[ref]
        if text:
            return f"The heading or label “{_short(text)}”"
        return "A heading or label"


def _compare_lines(
    expected: Sequence[Line], actual: Sequence[str], names: _Names, result: Verification
) -> None:
    want = [comparable(text) for _ref, text in expected]
    have = [comparable(text) for text in actual]
    have = [text for text in have if text]
    if want == have:
        return
    matcher = difflib.SequenceMatcher(None, want, have, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        if op in ("replace", "delete"):
            for ref, text in expected[i1:i2]:
                subject = names.subject(ref, text)
                result.add(
                    Difference(
                        "text_changed", f"{subject} differs from the signed text", ref, subject
                    )
                )
        if op == "insert":
            added = _short(" ".join(have[j1:j2]), 80)
            if i1 > 0:
                ref, text = expected[i1 - 1]
                subject = names.subject(ref, text)
                message = f"Text was added after {subject[0].lower()}{subject[1:]}: “{added}”"
            else:
                ref, subject = "start", "the start of the document"
                message = f"Text was added at the start of the document: “{added}”"
            result.add(Difference("text_added", message, ref, subject))


def _compare_images(
    expected: Sequence[tuple[str, str]],
    actual: Sequence[str],
    names: _Names,
    result: Verification,
) -> None:
    want = [digest for _ref, digest in expected]
    if want == list(actual):
        return
    matcher = difflib.SequenceMatcher(None, want, list(actual), autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        for ref, _digest in expected[i1:i2]:
            subject = names.subject(ref)
            if ref == "seal:qr":
                message = f"{subject} was changed or removed"
            elif op == "delete":
                message = f"The drawn signature of {subject[0].lower()}{subject[1:]} is missing"
            else:
                message = (
                    f"The drawn signature of {subject[0].lower()}{subject[1:]} differs from "
                    "the signed one"
                )
            result.add(Difference("image_changed", message, ref, subject))
        if j2 - j1 > i2 - i1:
            result.add(Difference("image_added", "An image was added to the document"))


# --- reading a .docx ------------------------------------------------------------------------


def _q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


_T, _BR, _CR, _TAB = _q(W, "t"), _q(W, "br"), _q(W, "cr"), _q(W, "tab")
_NBH, _SYM, _R, _P = _q(W, "noBreakHyphen"), _q(W, "sym"), _q(W, "r"), _q(W, "p")
_TBL, _TR, _TC, _SDT = _q(W, "tbl"), _q(W, "tr"), _q(W, "tc"), _q(W, "sdt")
_SDT_CONTENT, _CUSTOM_XML = _q(W, "sdtContent"), _q(W, "customXml")


def _paragraph_text(paragraph: etree._Element) -> str:
    parts: list[str] = []
    for run in paragraph.iter(_R):
        for child in run:
            tag = child.tag
            if tag == _T:
                parts.append(child.text or "")
            elif tag in (_BR, _CR):
                parts.append("\n")
            elif tag == _TAB:
                parts.append("\t")
            elif tag == _NBH:
                parts.append("-")
            elif tag == _SYM:
                parts.append(child.get(_q(W, "char")) or "?")
    return "".join(parts)


def _unwrap(element: etree._Element) -> Iterator[etree._Element]:
    """The children of `element`, looking through content controls and custom XML."""
    for child in element:
        if child.tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                yield from _unwrap(content)
        elif child.tag == _CUSTOM_XML:
            yield from _unwrap(child)
        else:
            yield child


def _body_texts(body: etree._Element) -> Iterator[str]:
    """One text per paragraph and per table cell, in body order."""
    for child in _unwrap(body):
        if child.tag == _P:
            yield _paragraph_text(child)
        elif child.tag == _TBL:
            for row in _unwrap(child):
                if row.tag != _TR:
                    continue
                for cell in _unwrap(row):
                    if cell.tag == _TC:
                        yield "\n".join(_paragraph_text(p) for p in cell.iter(_P))


def _body_images(
    body: etree._Element, archive: Archive, document_part: str, qr_digest: str | None
) -> list[str]:
    """sha256 of every picture in the body in order ("qr" for the seal's QR code, known by
    its name or, should a word processor rename it, by its bytes)."""
    targets = {
        r_id: target
        for r_id, rel_type, target in archive.relationships(document_part)
        if rel_type == RT.IMAGE
    }
    found: list[str] = []
    for element in body.iter(_q(W, "drawing"), _q(V, "imagedata")):
        if element.tag == _q(V, "imagedata"):
            r_id = element.get(_q(R, "id"))
            name = ""
        else:
            blip = next(element.iter(_q(A, "blip")), None)
            if blip is None:
                continue  # a shape or text box without a picture
            r_id = blip.get(_q(R, "embed"))
            doc_pr = next(element.iter(_q(WP, "docPr")), None)
            name = doc_pr.get("name", "") if doc_pr is not None else ""
        if name == QR_NAME:
            found.append("qr")
            continue
        target = targets.get(r_id or "")
        if target is None or not archive.has(target):
            found.append("missing")
            continue
        digest = hashlib.sha256(archive.read(target)).hexdigest()
        found.append("qr" if digest == qr_digest else digest)
    return found


def _decode_canonical(value: str) -> bytes | None:
    try:
        data = base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError):
        return None
    return data if len(data) <= MAX_CANONICAL else None


def _parse_record(canonical: bytes) -> dict[str, Any] | None:
    try:
        record = json.loads(canonical.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return None
    return record if isinstance(record, dict) else None


def _fill_summary(result: Verification, record: dict[str, Any], canonical: bytes) -> None:
    meeting = _as_dict(record.get("meeting"))
    raw_signatures = record.get("signatures")
    signatures: list[Any] = raw_signatures if isinstance(raw_signatures, list) else []
    result.meeting_title = clean(meeting.get("title")) or None
    result.meeting_date = meeting.get("date") if isinstance(meeting.get("date"), str) else None
    result.sealed_at = (
        meeting.get("sealed_at") if isinstance(meeting.get("sealed_at"), str) else None
    )
    result.signatures = sum(
        1 for s in signatures if isinstance(s, dict) and s.get("status") == "signed"
    )
    result.declined = sum(
        1 for s in signatures if isinstance(s, dict) and s.get("status") != "signed"
    )
    result.fingerprint = fingerprint_of(hashlib.sha256(canonical).hexdigest())
    result.record = record


EMBEDDED_DATA = "The embedded plan data does not match the seal"


def _seal_copies(archive: Archive) -> list[tuple[str, EmbeddedSeal]]:
    """Every embedded copy of the seal: the custom XML part(s) and the custom properties."""
    copies: list[tuple[str, EmbeddedSeal]] = [("xml", item) for item in read_seal_items(archive)]
    props = read_custom_properties(archive)
    if props:
        prop_copy = EmbeddedSeal(
            format=props.get(PROP_FORMAT, ""),
            key_id=props.get(PROP_KEY_ID, ""),
            signature=props.get(PROP_SIGNATURE, ""),
            canonical_b64=props.get(PROP_CANONICAL, ""),
            verify_url=props.get(PROP_VERIFY_URL, ""),
        )
        whole = [c.canonical_b64 for _s, c in copies if c.canonical_b64]
        cut_by_word = any(
            len(prop_copy.canonical_b64) == WORD_PROPERTY_LIMIT
            and b64.startswith(prop_copy.canonical_b64)
            for b64 in whole
        )
        if cut_by_word:
            # desktop Word truncated the long property when the file was saved; the custom
            # XML part keeps the whole canonical form
            prop_copy = EmbeddedSeal(
                prop_copy.format, prop_copy.key_id, prop_copy.signature, "", prop_copy.verify_url
            )
        copies.append(("properties", prop_copy))
    return copies


def verify_docx(data: bytes, public_key_b64: str) -> Verification:
    """Verify a sealed .docx against the server's public seal key (base64, raw 32 bytes)."""
    problem = _size_problem(data, "docx")
    if problem:
        return problem
    try:
        return _verify_docx(bytes(data), public_key_b64)
    except PackageError as exc:
        return _failure("corrupt", "docx", str(exc))
    except Exception:  # never let a hostile file crash the caller
        log.exception("verifying a .docx failed")
        return _failure("corrupt", "docx")


def _verify_docx(data: bytes, public_key_b64: str) -> Verification:
    if sniff(data) != "docx":
        return _failure("unknown_type", "docx")
    archive = Archive(data, MAX_UNPACKED)
    document_part = next(
        (t for _i, rel_type, t in archive.relationships("") if rel_type == RT.OFFICE_DOCUMENT),
        None,
    )
    if document_part is None or not archive.has(document_part):
        return _failure("not_word", "docx")

    copies = _seal_copies(archive)
    if not copies or not any(c.signature or c.canonical_b64 for _s, c in copies):
        return _failure("not_sealed", "docx")
    primary = next((c for _s, c in copies if c.canonical_b64), None)
    if primary is None:
        return _failure("not_sealed", "docx")
    if primary.format not in READABLE_FORMATS:
        return _failure(
            "unsupported_format",
            "docx",
            f"This document uses plan format “{_short(primary.format, 40)}”, which this "
            "server does not know.",
        )
    result = Verification(valid=False, kind="docx")
    our_key_id = key_id_from_b64(public_key_b64)
    if primary.key_id != our_key_id:
        result.add(
            Difference(
                "wrong_key",
                f"The document was sealed with another key ({_short(primary.key_id, 20)}), "
                "not with this server's",
            )
        )
        return result

    canonical = _decode_canonical(primary.canonical_b64)
    if canonical is None or not check_seal(canonical, primary.signature, public_key_b64):
        result.add(Difference("embedded_data", EMBEDDED_DATA))
        return result
    for _source, copy in copies:
        if not copy.canonical_b64:
            if copy.signature and copy.signature != primary.signature:
                result.add(Difference("embedded_data", EMBEDDED_DATA))
            continue
        other = _decode_canonical(copy.canonical_b64)
        if (
            other is None
            or other != canonical
            or copy.format != primary.format
            or copy.key_id != our_key_id
            or not check_seal(other, copy.signature, public_key_b64)
        ):
            result.add(Difference("embedded_data", EMBEDDED_DATA))
    record = _parse_record(canonical)
    if record is None:
        result.add(Difference("embedded_data", EMBEDDED_DATA))
        return result
    _fill_summary(result, record, canonical)
    if result.details:
        return result

    try:
        blocks = build_blocks(record, key_id=primary.key_id, verify_url=primary.verify_url)
    except (ValueError, TypeError, KeyError) as exc:
        log.warning("sealed record does not render: %s", exc)
        result.add(Difference("embedded_data", EMBEDDED_DATA))
        return result
    root = archive.xml(document_part)
    body = root.find(_q(W, "body"))
    if body is None:
        return _failure("not_word", "docx")
    names = _Names(record)
    _compare_lines(blocks_to_lines(blocks), list(_body_texts(body)), names, result)
    expected_images = blocks_to_images(blocks)
    qr_digest = None
    if primary.verify_url:
        expected_images.append(("seal:qr", "qr"))
        qr_digest = hashlib.sha256(qr_png(clean(primary.verify_url))).hexdigest()
    actual_images = _body_images(body, archive, document_part, qr_digest)
    _compare_images(expected_images, actual_images, names, result)
    result.valid = not result.details
    return result


# --- a PDF ----------------------------------------------------------------------------------


def verify_pdf(data: bytes, public_key_b64: str, certificate: x509.Certificate) -> Verification:
    """Verify a signed PDF made by `pdf.sign_pdf`: its PAdES signature (intact, whole file,
    our certificate or another certificate of the seal key) and the seal over the embedded
    canonical form."""
    problem = _size_problem(data, "pdf")
    if problem:
        return problem
    try:
        return _verify_pdf(bytes(data), public_key_b64, certificate)
    except Exception:  # pyHanko raises many kinds of errors for damaged files
        log.info("verifying a PDF failed", exc_info=True)
        return _failure("corrupt", "pdf")


def _verify_pdf(data: bytes, public_key_b64: str, certificate: x509.Certificate) -> Verification:
    from pyhanko.pdf_utils.reader import PdfFileReader

    from .pdf import CANONICAL_FILE, SEAL_FILE, check_pdf_signature, read_embedded_file

    if sniff(data) != "pdf":
        return _failure("unknown_type", "pdf")
    reader = PdfFileReader(BytesIO(data), strict=False)
    if not reader.embedded_signatures:
        return _failure("not_sealed", "pdf")
    result = Verification(valid=False, kind="pdf")
    check = check_pdf_signature(reader, [certificate], public_key_b64)
    if not check.ok:
        for message in check.problems:
            result.add(Difference("pdf_signature", message))
        return result

    seal_json = read_embedded_file(reader, SEAL_FILE, 64 * 1024)
    canonical = read_embedded_file(reader, CANONICAL_FILE, MAX_CANONICAL)
    if seal_json is None or canonical is None:
        return _failure("not_sealed", "pdf")
    try:
        seal_info = json.loads(seal_json.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        seal_info = None
    if not isinstance(seal_info, dict):
        result.add(Difference("embedded_data", EMBEDDED_DATA))
        return result
    if seal_info.get("format") not in READABLE_FORMATS:
        return _failure("unsupported_format", "pdf")
    if seal_info.get("key_id") != key_id_from_b64(public_key_b64):
        result.add(
            Difference("wrong_key", "The plan data was sealed with another key, not this server's")
        )
        return result
    signature = seal_info.get("signature")
    if not isinstance(signature, str) or not check_seal(canonical, signature, public_key_b64):
        result.add(Difference("embedded_data", EMBEDDED_DATA))
        return result
    record = _parse_record(canonical)
    if record is None:
        result.add(Difference("embedded_data", EMBEDDED_DATA))
        return result
    _fill_summary(result, record, canonical)
    result.valid = True
    return result

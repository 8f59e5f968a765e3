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
from collections.abc import Sequence
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

from cryptography import x509
from docx.image.image import Image
from docx.opc.constants import RELATIONSHIP_TYPE as RT

from .appearance import (
    FINDINGS_PER_CODE,
    FINDINGS_PER_KIND,
    PICTURE_TOLERANCE,
    Finding,
    Picture,
    Reader,
    check_parts,
    read_stories,
    walk_body,
)
from .content import (
    Line,
    blocks_to_images,
    blocks_to_lines,
    build_blocks,
    clean,
    comparable,
)
from .labels import FORMAT_V1, FORMATS
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
from .render import QR_WIDTH, SIGNATURE_WIDTH, furniture_texts, qr_png
from .seal import check_seal, fingerprint_of, key_id_from_b64

log = logging.getLogger(__name__)

MAX_INPUT = 20 * 1024 * 1024
"""Largest file accepted (bytes). A plan with 1,000 drawn signatures is a few MB."""
MAX_UNPACKED = 100 * 1024 * 1024
"""Most bytes read out of a .docx in total (guards against zip bombs)."""
MAX_CANONICAL = 32 * 1024 * 1024

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


@dataclass(frozen=True)
class Difference:
    """One finding. `code` is stable (for translation); `ref` names the source in the plan
    record (e.g. ``agreement:2``) when there is one; `subject` is the English name of it."""

    code: str
    message: str
    ref: str | None = None
    subject: str | None = None
    detail: str | None = None  # the mechanism, language-neutral (e.g. ``w:vanish``)


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

    def has(self, code: str, ref: str) -> bool:
        return any(d.code == code and d.ref == ref for d in self.details)

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
    "too_large": "The file is too large (over 20 MB, or it unpacks to far more than a plan "
    "document holds).",
    "encrypted": "The file is password-protected. Upload the plan document without a password.",
    "old_office": "This is an older Office file (.doc), not a plan document (.docx or .pdf).",
    "unknown_type": "This file is neither a Word document (.docx) nor a PDF.",
    "not_word": "This zip file is not a Word document.",
    "corrupt": "The file is damaged and cannot be read.",
    "not_sealed": "This document carries no Plandag seal.",
    "unsupported_format": "This document uses a plan format this server does not know.",
    "no_certificate": "This server has no certificate to check PDF signatures with.",
    "internal": "The document could not be checked.",
    "busy": "The server is checking other documents. Try again in a minute.",
    "timeout": "Checking this file took too long; a plan document is checked in seconds.",
}


def _failure(code: str, kind: str | None = None, message: str | None = None) -> Verification:
    return Verification(valid=False, kind=kind, error=message or ERRORS[code], error_code=code)


def _size_problem(data: bytes, kind: str | None) -> Verification | None:
    if not data:
        return _failure("empty", kind)
    if len(data) > MAX_INPUT:
        return _failure("too_large", kind)
    return None


CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff(data: bytes) -> str | None:
    """ "docx" for a zip, "pdf" for a PDF, "cfb" for an OLE compound file (a password-
    protected .docx or an old .doc), None otherwise."""
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "docx"
    if data[:8] == CFB_MAGIC:
        return "cfb"
    if b"%PDF-" in data[:1024]:
        return "pdf"
    return None


def cfb_kind(data: bytes) -> str:
    """Word saves a password-protected .docx as a compound file with the streams
    EncryptionInfo and EncryptedPackage (MS-OFFCRYPTO); other compound files are old Office
    documents. The stream names are in the directory, in UTF-16."""
    if "EncryptedPackage".encode("utf-16-le") in data:
        return "encrypted"
    return "old_office"


def verify_file(
    data: bytes,
    public_key_b64: str,
    certificate: x509.Certificate | None = None,
    own_verify_urls: Sequence[str] = (),
) -> Verification:
    """Verify a .docx or PDF, recognised by its first bytes. `own_verify_urls`: see
    `verify_docx`."""
    if not isinstance(data, bytes | bytearray):
        return _failure("unknown_type")
    data = bytes(data)
    problem = _size_problem(data, None)
    if problem:
        return problem
    kind = sniff(data)
    if kind == "docx":
        return verify_docx(data, public_key_b64, own_verify_urls)
    if kind == "cfb":
        return _failure(cfb_kind(data), "docx")
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

_W_BODY = f"{{{W}}}body"

APPEARANCE_MESSAGES = {
    "hidden_text": "{subject} holds hidden text ({detail})",
    "faint_text": "{subject} holds text that cannot be seen against its background ({detail})",
    "tiny_text": "{subject} holds text too small to read ({detail})",
    "displaced_text": "{subject} holds text moved out of its place ({detail})",
    "altered_text": "{subject} holds text whose look hides or changes it ({detail})",
    "hidden_table": "{subject} is in a table, row or cell that is hidden or has no room ({detail})",
    "extra_content": "{subject} holds content Plandag did not write: {detail}",
    "extra_part": "{subject} was not written by Plandag ({detail})",
    "unknown_markup": "{subject} holds markup this check does not know ({detail})",
    "header_changed": "{subject} differs from the one Plandag wrote ({detail})",
    "footer_changed": "{subject} differs from the one Plandag wrote ({detail})",
    "image_size": "{subject}: the picture is shown at another size than sealed ({detail})",
    "image_altered": "{subject}: the picture is cropped, recoloured or otherwise altered "
    "({detail})",
}


def _place_subject(place: str) -> str:
    kind, _, rest = place.partition(":")
    if kind == "header":
        return "The header"
    if kind == "footer":
        return "The footer"
    if kind == "style":
        return "The document defaults" if rest == "defaults" else f"The style “{_short(rest, 40)}”"
    if kind == "part":
        return f"The part {_short(rest, 60)}"
    return "The document"


def _unit_refs(
    expected: Sequence[Line], texts: Sequence[str]
) -> tuple[list[tuple[int, str]], dict[int, str]]:
    """The non-empty body texts (unit, comparable text), and for every unit the ref of the
    expected line it stands for (or follows, when it was added)."""
    have = [(unit, comparable(text)) for unit, text in enumerate(texts)]
    have = [(unit, text) for unit, text in have if text]
    want = [comparable(text) for _ref, text in expected]
    matcher = difflib.SequenceMatcher(None, want, [t for _u, t in have], autojunk=False)
    by_position: dict[int, str] = {}
    for i, j, size in matcher.get_matching_blocks():
        for k in range(size):
            by_position[j + k] = expected[i + k][0]
    refs: dict[int, str] = {}
    last = "start"
    position = 0
    for unit in range(len(texts)):
        if position < len(have) and have[position][0] == unit:
            last = by_position.get(position, last)
            position += 1
        refs[unit] = last
    return have, refs


def _add_findings(
    findings: Sequence[Finding], refs: dict[int, str], names: _Names, result: Verification
) -> None:
    """Name every place a finding is at. A problem in a style touches many places: at most
    `FINDINGS_PER_KIND` are named per kind of place (agreements, signatures, …) and
    `FINDINGS_PER_CODE` in all, then one line says how many more there are."""
    counts: dict[str, int] = {}
    per_kind: dict[tuple[str, str], int] = {}
    skipped: dict[str, int] = {}
    for finding in findings:
        if finding.place is not None:
            ref = finding.place
            subject = _place_subject(ref)
        else:
            ref = refs.get(finding.unit if finding.unit is not None else -1, "start")
            subject = "The start of the document" if ref == "start" else names.subject(ref)
        if result.has(finding.code, ref):
            continue
        kind = (finding.code, ref.partition(":")[0])
        if counts.get(finding.code, 0) >= FINDINGS_PER_CODE or per_kind.get(kind, 0) >= (
            FINDINGS_PER_KIND
        ):
            skipped[finding.code] = skipped.get(finding.code, 0) + 1
            continue
        template = APPEARANCE_MESSAGES.get(finding.code, "{subject}: {detail}")
        result.add(
            Difference(
                finding.code,
                template.format(subject=subject, detail=finding.detail),
                ref,
                subject,
                finding.detail,
            )
        )
        counts[finding.code] = counts.get(finding.code, 0) + 1
        per_kind[kind] = per_kind.get(kind, 0) + 1
    for code, more in skipped.items():
        result.add(
            Difference(
                "more_places",
                f"And {more} more places with the same kind of problem",
                f"more:{code}",
                None,
                str(more),
            )
        )


def _expected_size(data: bytes, width: int) -> tuple[int, int] | None:
    try:
        image = Image.from_blob(data)
        cx, cy = image.scaled_dimensions(width, None)
    except Exception:  # not an image python-docx can size: it is refused as changed anyway
        return None
    return int(cx), int(cy)


def _close(actual: int | None, wanted: int) -> bool:
    return actual is not None and abs(actual - wanted) <= max(wanted * PICTURE_TOLERANCE, 3600)


def _check_pictures(
    expected: Sequence[tuple[str, str]],
    pictures: Sequence[Picture],
    refs: dict[int, str],
    archive: Archive,
    qr_digest: str | None,
    names: _Names,
    result: Verification,
) -> None:
    """Every picture is the sealed one (by hash), in its place, at its displayed size."""
    actual: list[str] = []
    blobs: list[bytes | None] = []
    for picture in pictures:
        if picture.target is None:
            actual.append("missing")
            blobs.append(None)
            continue
        data = archive.read(picture.target)
        digest = hashlib.sha256(data).hexdigest()
        actual.append("qr" if digest == qr_digest else digest)
        blobs.append(data)
    _compare_images(expected, actual, names, result)
    matcher = difflib.SequenceMatcher(None, [d for _r, d in expected], actual, autojunk=False)
    for i, j, size in matcher.get_matching_blocks():
        for k in range(size):
            ref = expected[i + k][0]
            picture, blob = pictures[j + k], blobs[j + k]
            subject = names.subject(ref)
            place = refs.get(picture.unit if picture.unit is not None else -1)
            wanted_place = "seal" if ref == "seal:qr" else ref
            if place != wanted_place:
                result.add(
                    Difference(
                        "image_changed",
                        f"The picture of {subject[0].lower()}{subject[1:]} was moved",
                        ref,
                        subject,
                    )
                )
            width = QR_WIDTH if ref == "seal:qr" else SIGNATURE_WIDTH
            size_wanted = _expected_size(blob, width) if blob is not None else None
            if size_wanted is None:
                continue
            cx, cy = size_wanted
            shown = [(picture.cx, picture.cy)]
            if picture.xfrm_cx is not None or picture.xfrm_cy is not None:
                shown.append((picture.xfrm_cx, picture.xfrm_cy))
            for got_cx, got_cy in shown:
                if not (_close(got_cx, cx) and _close(got_cy, cy)):
                    detail = (
                        f"{(got_cx or 0) / 360000:.2f}×{(got_cy or 0) / 360000:.2f} cm "
                        f"instead of {cx / 360000:.2f}×{cy / 360000:.2f} cm"
                    )
                    result.add(
                        Difference(
                            "image_size",
                            APPEARANCE_MESSAGES["image_size"].format(
                                subject=subject, detail=detail
                            ),
                            ref,
                            subject,
                            detail,
                        )
                    )
                    break


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


def verify_docx(
    data: bytes, public_key_b64: str, own_verify_urls: Sequence[str] = ()
) -> Verification:
    """Verify a sealed .docx against the server's public seal key (base64, raw 32 bytes).

    `own_verify_urls` are this server's verification addresses: a document of format
    plandag-plan/1, whose address is not sealed, is valid only when it shows one of them."""
    problem = _size_problem(data, "docx")
    if problem:
        return problem
    try:
        return _verify_docx(bytes(data), public_key_b64, tuple(own_verify_urls))
    except PackageError as exc:
        return _failure(exc.code, "docx", str(exc))
    except Exception:  # never let a hostile file crash the caller
        log.exception("verifying a .docx failed")
        return _failure("corrupt", "docx")


def _verify_docx(
    data: bytes, public_key_b64: str, own_verify_urls: tuple[str, ...]
) -> Verification:
    kind = sniff(data)
    if kind == "cfb":
        return _failure(cfb_kind(data), "docx")
    if kind != "docx":
        return _failure("unknown_type", "docx")
    archive = Archive(data, MAX_UNPACKED)
    document_part = next(
        (
            t
            for _i, rel_type, t in archive.relationships("")
            if rel_type.lower() == RT.OFFICE_DOCUMENT.lower()
        ),
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
    if primary.format not in FORMATS:
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
    if record is None or record.get("format") != primary.format:
        result.add(Difference("embedded_data", EMBEDDED_DATA))
        return result
    _fill_summary(result, record, canonical)
    if result.details:
        return result

    verify_url = _check_verify_url(record, primary, copies, own_verify_urls, result)
    try:
        blocks = build_blocks(record, key_id=primary.key_id, verify_url=verify_url)
        furniture = furniture_texts(record)
    except (ValueError, TypeError, KeyError) as exc:
        log.warning("sealed record does not render: %s", exc)
        result.add(Difference("embedded_data", EMBEDDED_DATA))
        return result
    root = archive.xml(document_part)
    body = root.find(_W_BODY)
    if body is None:
        return _failure("not_word", "docx")
    names = _Names(record)
    reader = Reader(archive, document_part)
    content = walk_body(reader, body)
    expected_lines = blocks_to_lines(blocks)
    _compare_lines(expected_lines, content.texts, names, result)
    _have, refs = _unit_refs(expected_lines, content.texts)
    findings = list(content.findings)
    findings += read_stories(reader, content.sections, furniture)
    findings += check_parts(archive, document_part, reader)
    _add_findings(findings, refs, names, result)
    expected_images = blocks_to_images(blocks)
    qr_digest = None
    if verify_url:
        expected_images.append(("seal:qr", "qr"))
        qr_digest = hashlib.sha256(qr_png(verify_url)).hexdigest()
    _check_pictures(expected_images, content.pictures, refs, archive, qr_digest, names, result)
    result.valid = not result.details
    return result


def _check_verify_url(
    record: dict[str, Any],
    primary: EmbeddedSeal,
    copies: Sequence[tuple[str, EmbeddedSeal]],
    own_verify_urls: tuple[str, ...],
    result: Verification,
) -> str:
    """The verification address the document must show. Format /2 seals it in the record
    (every embedded copy must agree); format /1 did not, so there it must be this server's."""
    if record.get("format") == FORMAT_V1:
        url = clean(primary.verify_url)
        if url and url not in {clean(u) for u in own_verify_urls}:
            result.add(
                Difference(
                    "verify_url",
                    "The verification address in this document is not this server's "
                    f"(“{_short(url, 60)}”); in documents of format plandag-plan/1 it is not "
                    "sealed",
                    "seal",
                    "The seal section",
                )
            )
        return url
    sealed = record.get("verify_url")
    url = clean(sealed) if isinstance(sealed, str) else ""
    for _source, copy in copies:
        if copy.verify_url and clean(copy.verify_url) != url:
            result.add(
                Difference(
                    "verify_url",
                    "The verification address in the document's properties differs from the "
                    "sealed one",
                    "seal",
                    "The seal section",
                )
            )
            break
    return url


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
    if reader.encrypted:
        return _failure("encrypted", "pdf")
    if not reader.embedded_signatures:
        return _failure("not_sealed", "pdf")
    result = Verification(valid=False, kind="pdf")
    check = check_pdf_signature(reader, [certificate], public_key_b64)
    if not check.ok:
        for code, message in zip(check.codes, check.problems, strict=True):
            result.add(Difference(code, message))
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
    if seal_info.get("format") not in FORMATS:
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

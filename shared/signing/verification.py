"""The verify page's words: the plan library reports findings by stable code and ref
(``agreement:2``, ``signature:17``, ``header``); this turns them into the reader's
language. Technical details (``w:vanish``, a style's name) stay as they are."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext

from shared.domain.errors import N_
from shared.plandoc import Verification

ERRORS = {
    "empty": N_("The file is empty."),
    "too_large": N_(
        "The file is too large: over 20 MB, or it unpacks to far more than a plan document "
        "holds. It was not checked."
    ),
    "encrypted": N_(
        "The file is password-protected. Save the plan document without a password and "
        "upload it again."
    ),
    "old_office": N_("This is an older Office file (.doc), not a plan document (.docx or .pdf)."),
    "unknown_type": N_("This file is neither a Word document (.docx) nor a PDF."),
    "not_word": N_("This zip file is not a Word document, so it is not a plan document."),
    "corrupt": N_("The file is damaged and cannot be read."),
    "not_sealed": N_("This document carries no Plandag seal: it is not a plan document."),
    "unsupported_format": N_("This document uses a plan format this server does not know."),
    "no_certificate": N_("This server has no certificate to check PDF signatures with."),
    "internal": N_("The document could not be checked."),
    "busy": N_("The server is checking other documents. Try again in a minute."),
    "timeout": N_("Checking this file took too long; a plan document is checked in seconds."),
}

FINDINGS = {
    "text_changed": N_("{subject} differs from the signed text."),
    "text_added": N_("Text was added near {subject}."),
    "image_changed": N_("The drawn signature or seal image of {subject} differs or is missing."),
    "image_added": N_("An image was added to the document."),
    "embedded_data": N_("The embedded plan data does not match the seal."),
    "pdf_signature": N_(
        "The PDF's signature is not intact, does not cover the whole file, or was not "
        "made by this server."
    ),
    "pdf_changed": N_("The PDF was changed after it was signed."),
    "pdf_invalid": N_("The PDF's signature is not valid."),
    "pdf_untrusted": N_("The PDF was not signed by this server."),
    "pdf_added": N_("Something was added to the PDF after it was signed."),
    "pdf_unsigned": N_("The PDF carries no signature."),
    "wrong_key": N_("The plan data was sealed with another key than this server's."),
    "verify_url": N_(
        "The verification address in {subject} is not the sealed one: it may lead to another site."
    ),
    "hidden_text": N_("{subject} holds hidden text ({detail})."),
    "faint_text": N_("{subject} holds text that cannot be seen against its background ({detail})."),
    "tiny_text": N_("{subject} holds text too small to read ({detail})."),
    "displaced_text": N_("{subject} holds text moved out of its place ({detail})."),
    "altered_text": N_("{subject} holds text whose look hides or changes it ({detail})."),
    "hidden_table": N_(
        "{subject} is in a table, row or cell that is hidden or has no room ({detail})."
    ),
    "extra_content": N_("{subject} holds content Plandag did not write: {detail}."),
    "extra_part": N_("{subject} was not written by Plandag ({detail})."),
    "unknown_markup": N_("{subject} holds markup this check does not know ({detail})."),
    "header_changed": N_("{subject} differs from the one Plandag wrote ({detail})."),
    "footer_changed": N_("{subject} differs from the one Plandag wrote ({detail})."),
    "image_size": N_("{subject}: the picture is shown at another size than sealed ({detail})."),
    "image_altered": N_(
        "{subject}: the picture is cropped, recoloured or otherwise altered ({detail})."
    ),
    "more_places": N_("And {detail} more places with the same kind of problem."),
}

SUBJECTS = {
    "agreement": N_("agreement {n} (“{title}”)"),
    "framework": N_("framework {n} (“{title}”)"),
    "signature": N_("signature {n} ({title})"),
    "declined": N_("declined signature {n} ({title})"),
    "followup": N_("follow-up agreement {n} (“{title}”)"),
    "check": N_("the framework check of agreement {n}"),
    "consent": N_("the consent record"),
    "seal": N_("the seal section"),
    "header": N_("the header"),
    "footer": N_("the footer"),
    "style": N_("the style “{title}”"),
    "defaults": N_("the document's default formatting"),
    "part": N_("the part {title}"),
    "document": N_("the document"),
    "start": N_("the start of the document"),
    "meeting": N_("the title page"),
    "issue": N_("the issue statement"),
    "question": N_("the open question"),
    "participants": N_("the participants section"),
    "group": N_("the participants section"),
    "theme": N_("the themes section"),
    "themes": N_("the themes section"),
    "plan": N_("the agreements section"),
    "other": N_("a part of the document"),
}


def _by_number(items: object) -> dict[str, dict[str, Any]]:
    return {
        str(item.get("number")): item
        for item in (items if isinstance(items, list) else [])
        if isinstance(item, dict)
    }


def _signatures(record: dict[str, Any], *, signed: bool) -> list[Any]:
    """Signed ones are numbered 1..n, declined ones 1..m (format 1: one numbering)."""
    items = record.get("signatures")
    items = items if isinstance(items, list) else []
    if record.get("format") == "plandag-plan/1":
        return items if signed else []
    return [s for s in items if isinstance(s, dict) and (s.get("status") == "signed") == signed]


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "…"


def subject(ref: str | None, record: dict[str, Any] | None) -> str:
    kind, _, rest = (ref or "").partition(":")
    record = record or {}
    tables = {
        "agreement": (_by_number((record.get("plan") or {}).get("agreements")), "title"),
        "framework": (_by_number(record.get("frameworks")), "title"),
        "signature": (_by_number(_signatures(record, signed=True)), "name"),
        "declined": (_by_number(_signatures(record, signed=False)), "name"),
        "followup": (_by_number((record.get("framework_check") or {}).get("followups")), "what"),
    }
    if kind in tables:
        table, field = tables[kind]
        title = _short(str((table.get(rest) or {}).get(field) or ""))
        return str(gettext(SUBJECTS[kind])).format(n=rest, title=title)
    if kind == "check":
        template = SUBJECTS["check"]
        return str(gettext(template)).format(n=rest.partition(":")[0])
    if kind == "style" and rest == "defaults":
        return str(gettext(SUBJECTS["defaults"]))
    if kind in ("style", "part"):
        return str(gettext(SUBJECTS[kind])).format(title=_short(rest))
    if kind in SUBJECTS:
        return str(gettext(SUBJECTS[kind]))
    template = SUBJECTS["other"]
    return str(gettext(template))


def localized(result: Verification) -> dict[str, Any]:
    """What the verify page shows, in the request's language; each sentence once."""
    error = None
    if result.error_code:
        error = gettext(ERRORS.get(result.error_code, ERRORS["internal"]))
    findings: list[str] = []
    for d in result.details:
        template = FINDINGS.get(d.code)
        if template is None:
            text = d.message
        else:
            text = gettext(template).format(
                subject=subject(d.ref, result.record), detail=d.detail or ""
            )
            text = text[0].upper() + text[1:]
        if text not in findings:
            findings.append(text)
    return {"error": error, "differences": findings}

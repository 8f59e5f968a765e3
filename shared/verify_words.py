"""The verify page's words: the plan library reports findings by stable code and ref
(``agreement:2``, ``signature:17``); this turns them into the reader's language."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext

from .domain.errors import N_
from .plandoc import Verification

ERRORS = {
    "empty": N_("The file is empty."),
    "too_large": N_("The file is larger than 20 MB; a plan document is much smaller."),
    "unknown_type": N_("This file is neither a Word document (.docx) nor a PDF."),
    "not_word": N_("This zip file is not a Word document."),
    "corrupt": N_("The file is damaged and cannot be read."),
    "not_sealed": N_("This document carries no Plandag seal."),
    "unsupported_format": N_("This document uses a plan format this server does not know."),
    "no_certificate": N_("This server has no certificate to check PDF signatures with."),
    "internal": N_("The document could not be checked."),
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
    "wrong_key": N_("The plan data was sealed with another key than this server's."),
}

SUBJECTS = {
    "agreement": N_("agreement {n} (“{title}”)"),
    "framework": N_("framework {n} (“{title}”)"),
    "signature": N_("signature {n} ({title})"),
    "declined": N_("declined signature {n} ({title})"),
    "followup": N_("follow-up agreement {n} (“{title}”)"),
    "check": N_("the framework check of agreement {n}"),
    "consent": N_("the consent record"),
    "seal": N_("the seal"),
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
        title = str((table.get(rest) or {}).get(field) or "")
        if len(title) > 60:
            title = title[:57] + "…"
        return str(gettext(SUBJECTS[kind])).format(n=rest, title=title)
    if kind == "check":
        template = SUBJECTS["check"]
        return str(gettext(template)).format(n=rest.partition(":")[0])
    if kind in ("consent", "seal"):
        return str(gettext(SUBJECTS[kind]))
    template = SUBJECTS["other"]
    return str(gettext(template))


def localized(result: Verification) -> dict[str, Any]:
    """What the verify page shows, in the request's language."""
    error = None
    if result.error_code:
        error = gettext(ERRORS.get(result.error_code, ERRORS["internal"]))
    findings = []
    for d in result.details:
        template = FINDINGS.get(d.code)
        if template is None:
            findings.append(d.message)
            continue
        text = gettext(template).format(subject=subject(d.ref, result.record))
        findings.append(text[0].upper() + text[1:])
    return {"error": error, "differences": findings}

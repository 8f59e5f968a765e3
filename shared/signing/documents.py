"""The sealed plan as files: the .docx and the PDF are rendered once per seal into the
instance folder's cache, and every later download reads them from there. The rendering
runs off the event loop (a worker thread; LibreOffice as a child process), so the room
keeps being served while a document is made."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared import plandoc
from shared.core.db import Database
from shared.core.models import PlanSeal
from shared.domain import DomainError
from shared.signing.service import sealed_plan, server_key

KINDS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


@dataclass(frozen=True)
class PlanFile:
    data: bytes
    mimetype: str
    filename: str


def plan_file(
    db: Database,
    meeting_id: str,
    title: str,
    kind: str,
    *,
    instance_dir: Path,
    verify_url: str,
    pkcs12: Any,
    offload: Callable[..., Any],
) -> PlanFile:
    """The sealed plan of a meeting as a .docx or a signed PDF. Refuses with
    ``plan.not_sealed`` before signing closed, ``plan.no_pdf`` without LibreOffice and
    ``plan.pdf_failed`` when the conversion fails."""
    if kind not in KINDS:
        raise DomainError("payload.invalid", detail="docx or pdf")
    record, seal_row, images = sealed_plan(db, meeting_id)
    if kind == "pdf" and plandoc.soffice_path() is None:
        raise DomainError("plan.no_pdf")
    target = cached(instance_dir, seal_row.digest, kind)
    if not target.exists():
        key = server_key(instance_dir)
        docx_path = cached(instance_dir, seal_row.digest, "docx")
        if docx_path.exists():
            docx = docx_path.read_bytes()
        else:
            docx = offload(render_docx, record, seal_row, images, key, verify_url)
            write_atomically(docx_path, docx)
        if kind == "pdf":
            try:
                pdf = plandoc.docx_to_pdf(docx)  # a child process; the loop keeps serving
            except plandoc.PdfConversionError:
                raise DomainError("plan.pdf_failed") from None
            write_atomically(target, offload(sign_pdf, pdf, record, key, pkcs12))
    name = re.sub(r"[^A-Za-z0-9]+", "-", title).strip("-")[:60] or "plan"
    return PlanFile(target.read_bytes(), KINDS[kind], f"plan-{name}.{kind}")


def render_docx(
    record: dict[str, Any],
    seal_row: PlanSeal,
    images: dict[str, bytes],
    key: plandoc.ServerKey,
    verify_url: str,
) -> bytes:
    """Pure work (no database): safe to run in a worker thread."""
    sealed = plandoc.seal(record, key)
    if sealed.digest != seal_row.digest:
        raise DomainError("plan.not_sealed")  # the stored record was altered
    return plandoc.build_docx(record, sealed, verify_url, images)


def sign_pdf(pdf: bytes, record: dict[str, Any], key: plandoc.ServerKey, pkcs12: Any) -> bytes:
    """Pure work: safe to run in a worker thread. (The conversion itself runs LibreOffice
    as a child process, which the green event loop waits for cooperatively.)"""
    sealed = plandoc.seal(record, key)
    signer = pkcs12 if pkcs12 is not None else key
    return plandoc.sign_pdf(
        pdf, signer, plandoc.canonical_bytes(record), sealed.signature, key_id=key.key_id
    )


def cached(instance_dir: Path, digest: str, kind: str) -> Path:
    """Where a sealed plan's rendered document is kept: it never changes once sealed."""
    folder = instance_dir / "plans"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{digest}.{kind}"


def write_atomically(path: Path, data: bytes) -> None:
    """Two downloads at once each write their own temporary file; the last rename wins
    and both are the same bytes."""
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".part")
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.replace(name, path)

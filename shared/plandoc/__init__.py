"""Plandag's signed plan document (formats ``plandag-plan/1`` and ``/2``): seal, .docx,
PDF, verification.

A self-contained library: imports no other Plandag package and no Flask, SQLAlchemy or
Socket.IO; ``shared.signing`` and the pages import it. The server turns a meeting
into a canonical plan record (a plain dict); this package seals it (Ed25519), renders it
as a .docx with the seal embedded, converts and signs it as a PDF (PAdES), and verifies
documents that come back::

    key = load_or_create_key(instance_dir)
    sealed = seal(record, key)
    docx = build_docx(record, sealed, verify_url, images)
    pdf = sign_pdf(docx_to_pdf(docx), key, canonical_bytes(record), sealed.signature)
    result = verify_file(upload, key.public_key_b64, key.certificate)
"""

from .content import Line, visible_lines
from .labels import FORMAT, LABELS
from .pdf import (
    PdfConversionError,
    docx_to_pdf,
    sign_pdf,
    soffice_path,
    validate_pdf_signature,
)
from .render import build_docx
from .seal import Seal, ServerKey, canonical_bytes, check_seal, load_or_create_key, seal
from .verify import Difference, Verification, verify_docx, verify_file, verify_pdf

__all__ = [
    "FORMAT",
    "LABELS",
    "Difference",
    "Line",
    "PdfConversionError",
    "Seal",
    "ServerKey",
    "Verification",
    "build_docx",
    "canonical_bytes",
    "check_seal",
    "docx_to_pdf",
    "load_or_create_key",
    "seal",
    "sign_pdf",
    "soffice_path",
    "validate_pdf_signature",
    "verify_docx",
    "verify_file",
    "verify_pdf",
    "visible_lines",
]

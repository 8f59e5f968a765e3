"""The signed PDF: LibreOffice converts the .docx, pyHanko adds a PAdES signature.

The PDF carries the sealed canonical form as an embedded file (``plandag-plan.json``) and
the seal itself as a second one (``plandag-seal.json``: format, key id, Ed25519 signature,
verification address), both inside the range the PAdES signature covers.

pyHanko (0.38) signs and validates with the Ed25519 seal key directly (CMS with SHA-512,
RFC 8419), so the certificate from `load_or_create_key` holds the seal key itself. Some
older PDF readers do not know Ed25519 signatures yet; a PKCS#12 file (e.g. an ECDSA or RSA
key from a real CA) can be given instead.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any, TypeVar

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.embed import EmbeddedFileObject, FileSpec, embed_file
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.validation import validate_pdf_signature as _pyhanko_validate
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from .labels import FORMAT, FORMATS
from .seal import ServerKey

CANONICAL_FILE = "plandag-plan.json"
SEAL_FILE = "plandag-seal.json"
SIGNATURE_FIELD = "PlandagSeal"

_SOFFICE_CANDIDATES = (
    "/usr/bin/soffice",
    "/usr/lib/libreoffice/program/soffice",
    "/opt/libreoffice/program/soffice",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
)
# Tagged PDF (accessibility) and the headings as bookmarks; the JSON form of filter options
# needs LibreOffice 7.4 or later, so a plain conversion is tried when it fails.
_EXPORT_FILTER = (
    'pdf:writer_pdf_Export:{"UseTaggedPDF":{"type":"boolean","value":"true"},'
    '"ExportBookmarks":{"type":"boolean","value":"true"}}'
)


class PdfConversionError(RuntimeError):
    """LibreOffice is missing or could not convert the document."""


def soffice_path() -> str | None:
    """LibreOffice's ``soffice``: ``$PLANDAG_SOFFICE``, then the PATH, then usual places."""
    configured = os.environ.get("PLANDAG_SOFFICE")
    if configured and os.access(configured, os.X_OK):
        return configured
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for candidate in _SOFFICE_CANDIDATES:
        if os.access(candidate, os.X_OK):
            return candidate
    return None


def _run(cmd: list[str], cwd: Path, timeout: float) -> subprocess.CompletedProcess[bytes]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(cwd),  # LibreOffice writes caches under $HOME; keep them in the temp dir
        "LANG": "C.UTF-8",
        "SAL_USE_VCLPLUGIN": "svp",  # headless rendering, no display needed
    }
    # its own session, so a timeout can end soffice.bin too, not only the oosplash wrapper
    proc = subprocess.Popen(  # noqa: S603 - fixed argument list, no shell
        cmd,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.communicate()
        raise PdfConversionError(
            f"LibreOffice did not finish converting the plan within {timeout:g} s"
        ) from exc
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def docx_to_pdf(docx: bytes, timeout: float = 120) -> bytes:
    """Convert .docx bytes to PDF bytes with headless LibreOffice.

    Each call uses its own temporary profile (``-env:UserInstallation``), so conversions can
    run in parallel. Raises `PdfConversionError` when LibreOffice is missing or fails.
    """
    exe = soffice_path()
    if exe is None:
        raise PdfConversionError(
            "LibreOffice is not installed (no 'soffice' found); install e.g. the Debian "
            "package libreoffice-writer-nogui, or set PLANDAG_SOFFICE, to make PDFs"
        )
    with tempfile.TemporaryDirectory(prefix="plandag-pdf-") as tmp:
        folder = Path(tmp)
        source = folder / "plan.docx"
        source.write_bytes(docx)
        target = folder / "plan.pdf"
        profile = (folder / "profile").as_uri()
        last: subprocess.CompletedProcess[bytes] | None = None
        for export in (_EXPORT_FILTER, "pdf"):
            cmd = [
                exe,
                f"-env:UserInstallation={profile}",
                "--headless",
                "--invisible",
                "--nologo",
                "--nodefault",
                "--norestore",
                "--nolockcheck",
                "--convert-to",
                export,
                "--outdir",
                str(folder),
                str(source),
            ]
            last = _run(cmd, folder, timeout)
            if target.exists() and target.stat().st_size > 0:
                return target.read_bytes()
        assert last is not None
        detail = (last.stderr or last.stdout or b"").decode("utf-8", "replace").strip()[-500:]
        raise PdfConversionError(
            f"LibreOffice could not convert the plan (exit status {last.returncode})"
            + (f": {detail}" if detail else "")
        )


# --- signing -------------------------------------------------------------------------------


def _asn1_cert(cert: x509.Certificate | asn1_x509.Certificate) -> asn1_x509.Certificate:
    if isinstance(cert, asn1_x509.Certificate):
        return cert
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _signer_for(key: ServerKey) -> signers.SimpleSigner:
    private = asn1_keys.PrivateKeyInfo.load(
        key.private_key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert = _asn1_cert(key.certificate)
    return signers.SimpleSigner(
        signing_cert=cert,
        signing_key=private,
        cert_registry=SimpleCertificateStore.from_certs([cert]),  # type: ignore[no-untyped-call]
    )


def _embed(writer: IncrementalPdfFileWriter, name: str, data: bytes, description: str) -> None:
    stream = EmbeddedFileObject.from_file_data(writer, data, mime_type="application/json")
    embed_file(
        writer,
        FileSpec(
            file_spec_string=name, file_name=name, embedded_data=stream, description=description
        ),
    )


def sign_pdf(
    pdf: bytes,
    key: ServerKey | tuple[str | Path, bytes | None],
    canonical: bytes,
    signature_b64: str,
    *,
    key_id: str | None = None,
    verify_url: str = "",
) -> bytes:
    """Embed the sealed canonical form and its seal in `pdf` and sign it (PAdES B-B).

    `key` is the server's `ServerKey` or a PKCS#12 file as ``(path, passphrase)``. `key_id`
    names the seal key (defaults to the ServerKey's; required with PKCS#12).
    """
    if isinstance(key, ServerKey):
        signer = _signer_for(key)
        key_id = key_id or key.key_id
    else:
        path, passphrase = key
        loaded = signers.SimpleSigner.load_pkcs12(  # type: ignore[no-untyped-call]
            str(path), passphrase=passphrase
        )
        if loaded is None:
            raise ValueError(f"could not load a signing key from {path}")
        signer = loaded
        if not key_id:
            raise ValueError("key_id (the seal key's id) is required with a PKCS#12 signer")
    try:
        sealed_format = json.loads(canonical.decode("utf-8")).get("format")
    except (UnicodeDecodeError, json.JSONDecodeError, AttributeError):
        sealed_format = None
    plan_format = sealed_format if sealed_format in FORMATS else FORMAT
    seal_info = json.dumps(
        {
            "format": plan_format,
            "key_id": key_id,
            "signature": signature_b64,
            "verify_url": verify_url,
        },
        sort_keys=True,
    ).encode("utf-8")
    try:
        writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    except Exception as exc:  # pyHanko raises several kinds for unreadable input
        raise ValueError(f"not a readable PDF: {exc}") from exc
    _embed(writer, CANONICAL_FILE, canonical, f"Sealed plan data ({plan_format})")
    _embed(writer, SEAL_FILE, seal_info, "Seal of the plan data (Ed25519)")
    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        subfilter=SigSeedSubFilter.PADES,
        reason=f"Sealed plan document ({plan_format})",
        name="Plandag",
    )
    out = outside_event_loop(signers.sign_pdf, writer, meta, signer=signer)
    signed: bytes = out.getvalue()
    return signed


T = TypeVar("T")


def outside_event_loop(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run `fn` where no asyncio loop runs. pyHanko's synchronous API calls
    asyncio.run(), which refuses inside a running loop (an async caller, or a test
    session that drives a browser): then run it in a short-lived thread instead."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args, **kwargs).result()


# --- validation ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PdfSignatureCheck:
    ok: bool
    problems: tuple[str, ...]
    codes: tuple[str, ...] = ()  # one stable code per problem: pdf_changed, pdf_invalid, ...


def _same_key(cert: asn1_x509.Certificate, public_key_b64: str | None) -> bool:
    if not public_key_b64:
        return False
    try:
        loaded = x509.load_der_x509_certificate(cert.dump()).public_key()
    except ValueError:
        return False
    if not isinstance(loaded, Ed25519PublicKey):
        return False
    return base64.b64encode(loaded.public_bytes_raw()).decode("ascii") == public_key_b64


def check_pdf_signature(
    reader: PdfFileReader,
    trusted: Sequence[x509.Certificate | asn1_x509.Certificate],
    public_key_b64: str | None = None,
) -> PdfSignatureCheck:
    """Check the document's last signature: intact, valid, covering the whole file, made
    with a trusted certificate (or, when `public_key_b64` is given, any certificate of the
    seal key: a renewed certificate keeps the key)."""
    signatures = reader.embedded_signatures
    if not signatures:
        return PdfSignatureCheck(False, ("The PDF carries no signature.",), ("pdf_unsigned",))
    embedded = signatures[-1]
    roots = [_asn1_cert(c) for c in trusted]
    signer_cert = embedded.signer_cert
    if signer_cert is not None and _same_key(signer_cert, public_key_b64):
        roots.append(signer_cert)
    # judge the certificate at the time the signature says it was made, so a document
    # signed years ago still verifies after its certificate expired
    moment = embedded.self_reported_timestamp
    context = ValidationContext(trust_roots=roots, allow_fetching=False, moment=moment)
    status: PdfSignatureStatus = outside_event_loop(_pyhanko_validate, embedded, context)
    problems: list[tuple[str, str]] = []
    if not status.intact:
        problems.append(("pdf_changed", "The PDF was changed after it was signed."))
    elif not status.valid:
        problems.append(("pdf_invalid", "The PDF's signature is not valid."))
    elif not status.trusted:
        # an intact signature by someone else (a changed one cannot say who made it)
        problems.append(("pdf_untrusted", "The PDF was not signed with this server's certificate."))
    if status.coverage is None or status.coverage.name != "ENTIRE_FILE":
        problems.append(("pdf_added", "Something was added to the PDF after it was signed."))
    return PdfSignatureCheck(
        not problems, tuple(m for _c, m in problems), tuple(c for c, _m in problems)
    )


def validate_pdf_signature(
    pdf: bytes, trusted_cert: x509.Certificate | asn1_x509.Certificate
) -> bool:
    """True when the PDF's last signature is intact, valid, covers the whole file and was
    made with `trusted_cert`. Never raises for bad input."""
    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        return check_pdf_signature(reader, [trusted_cert]).ok
    except Exception:  # any parse or validation failure means: not validly signed
        return False


def read_embedded_file(reader: PdfFileReader, name: str, limit: int) -> bytes | None:
    """The bytes of the embedded file called `name`, or None."""
    try:
        names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
    except (KeyError, TypeError):
        return None
    for i in range(0, len(names) - 1, 2):
        entry = names[i]
        label = entry if isinstance(entry, str) else str(entry)
        if label != name:
            continue
        spec = names[i + 1].get_object()
        stream = spec["/EF"]["/F"].get_object()
        if not isinstance(stream, generic.StreamObject):
            return None
        data = stream.data
        return data if len(data) <= limit else None
    return None

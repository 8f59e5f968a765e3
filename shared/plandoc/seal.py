"""The seal: an Ed25519 signature over the canonical JSON form of a plan record.

The server keeps one key pair in its instance folder. The same key also has a
self-signed X.509 certificate, used for the PAdES signature of the PDF (pyHanko signs
with Ed25519 keys; the certificate is only as trustworthy as the server that shows it).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.x509.oid import NameOID

KEY_FILE = "plan_seal_key.pem"
CERT_FILE = "plan_seal_cert.pem"
CERT_COMMON_NAME = "Plandag plan seal"
CERT_VALIDITY = dt.timedelta(days=3652)


@dataclass(frozen=True)
class ServerKey:
    """The server's seal key and the certificate that carries its public half."""

    private_key: Ed25519PrivateKey
    certificate: x509.Certificate

    @property
    def public_raw(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    @property
    def public_key_b64(self) -> str:
        return base64.b64encode(self.public_raw).decode("ascii")

    @property
    def key_id(self) -> str:
        return key_id_for(self.public_raw)

    def public_pem(self) -> str:
        return (
            self.private_key.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode("ascii")
        )

    def certificate_pem(self) -> str:
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")


def key_id_for(public_raw: bytes) -> str:
    """The first 16 hex digits of the SHA-256 of the raw 32-byte public key."""
    return hashlib.sha256(public_raw).hexdigest()[:16]


def key_id_from_b64(public_key_b64: str) -> str | None:
    raw = _b64decode(public_key_b64)
    if raw is None or len(raw) != 32:
        return None
    return key_id_for(raw)


def _write_private(path: Path, data: bytes) -> None:
    """Create `path` with mode 0600 atomically; never overwrite an existing file."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.link(tmp, path)  # fails with FileExistsError when another process won the race
    finally:
        tmp.unlink(missing_ok=True)


def _make_certificate(key: Ed25519PrivateKey, now: dt.datetime) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, CERT_COMMON_NAME)])
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + CERT_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, None)  # Ed25519 signs without a separate digest
    )


def _load_certificate(
    path: Path, key: Ed25519PrivateKey, now: dt.datetime
) -> x509.Certificate | None:
    try:
        cert = x509.load_pem_x509_certificate(path.read_bytes())
    except (OSError, ValueError):
        return None
    pub = cert.public_key()
    if not isinstance(pub, Ed25519PublicKey) or pub.public_bytes_raw() != (
        key.public_key().public_bytes_raw()
    ):
        return None
    if cert.not_valid_after_utc <= now + dt.timedelta(days=1):
        return None  # expired or about to: renew with the same key
    return cert


def load_or_create_key(instance_dir: Path) -> ServerKey:
    """The seal key from `instance_dir`, created (mode 0600) with its certificate on first use.

    An existing key is never replaced. The certificate is (re)made when it is missing,
    does not belong to the key, or is about to expire.
    """
    instance_dir = Path(instance_dir)
    instance_dir.mkdir(parents=True, exist_ok=True)
    key_path = instance_dir / KEY_FILE
    if not key_path.exists():
        new_key = Ed25519PrivateKey.generate()
        pem = new_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        try:
            _write_private(key_path, pem)
        except FileExistsError:
            pass  # another process created it first: use theirs
    loaded = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    if not isinstance(loaded, Ed25519PrivateKey):
        raise ValueError(f"{key_path} does not hold an Ed25519 private key")

    now = dt.datetime.now(dt.UTC)
    cert_path = instance_dir / CERT_FILE
    cert = _load_certificate(cert_path, loaded, now)
    if cert is None:
        cert = _make_certificate(loaded, now)
        tmp = cert_path.with_name(f".{cert_path.name}.{secrets.token_hex(6)}.tmp")
        tmp.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        os.replace(tmp, cert_path)
    return ServerKey(private_key=loaded, certificate=cert)


def _check_json(value: Any, path: str) -> None:
    if value is None or isinstance(value, bool | int):
        return
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ValueError(f"{path}: string is not valid Unicode") from exc
        return
    if isinstance(value, float):
        raise ValueError(f"{path}: floats are not allowed in a plan record")
    if isinstance(value, list):
        for i, item in enumerate(value):
            _check_json(item, f"{path}[{i}]")
        return
    if isinstance(value, dict):
        for k, item in value.items():
            if not isinstance(k, str):
                raise ValueError(f"{path}: object keys must be strings, not {type(k).__name__}")
            _check_json(item, f"{path}.{k}")
        return
    raise ValueError(f"{path}: {type(value).__name__} is not a JSON type")


def canonical_bytes(record: dict[str, Any]) -> bytes:
    """The canonical form: sorted keys, no spaces, UTF-8, only JSON types (no floats)."""
    if not isinstance(record, dict):
        raise ValueError("a plan record must be a dict")
    _check_json(record, "record")
    return json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8"
    )


def fingerprint_of(digest_hex: str) -> str:
    """The human form of a digest: its first 16 hex digits in groups of four."""
    head = digest_hex[:16].upper()
    return "-".join(head[i : i + 4] for i in range(0, 16, 4))


@dataclass(frozen=True)
class Seal:
    digest: str  # SHA-256 hex of the canonical bytes
    signature: str  # base64 Ed25519 signature over the canonical bytes
    key_id: str
    fingerprint: str


def seal(record: dict[str, Any], key: ServerKey) -> Seal:
    data = canonical_bytes(record)
    return seal_bytes(data, key)


def seal_bytes(canonical: bytes, key: ServerKey) -> Seal:
    digest = hashlib.sha256(canonical).hexdigest()
    signature = base64.b64encode(key.private_key.sign(canonical)).decode("ascii")
    return Seal(
        digest=digest, signature=signature, key_id=key.key_id, fingerprint=fingerprint_of(digest)
    )


def _b64decode(value: str) -> bytes | None:
    try:
        return base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError, AttributeError):
        return None


def check_seal(canonical: bytes, signature_b64: str, public_key_b64: str) -> bool:
    """True when `signature_b64` is a valid Ed25519 signature over `canonical`."""
    signature = _b64decode(signature_b64)
    raw = _b64decode(public_key_b64)
    if signature is None or raw is None or len(raw) != 32 or len(signature) != 64:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(raw).verify(signature, canonical)
    except (InvalidSignature, ValueError):
        return False
    return True

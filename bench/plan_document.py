"""How long does the signed plan document take for a big meeting?

Builds and seals the plan of a meeting with 1,000 drawn signatures (300×100 PNG
scribbles from a tiny pure-Python PNG writer), verifies it, and, when LibreOffice is
installed, converts it to PDF, signs it (PAdES) and verifies the PDF.

    .venv/bin/python bench/plan_document.py [--signatures 1000] [--out /tmp/plan] [--no-pdf]
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shared.plandoc import (
    build_docx,
    canonical_bytes,
    docx_to_pdf,
    load_or_create_key,
    seal,
    sign_pdf,
    soffice_path,
    verify_file,
)
from shared.plandoc.sample import sample_record, signature_png

T = TypeVar("T")
URL = "https://plandag.example.org/controle"


def timed(label: str, action: Callable[[], T]) -> T:
    start = time.perf_counter()
    result = action()
    print(f"  {label:<34} {time.perf_counter() - start:8.3f} s")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signatures", type=int, default=1000)
    parser.add_argument("--out", type=Path, help="keep the .docx and .pdf in this folder")
    parser.add_argument("--no-pdf", action="store_true", help="skip LibreOffice and PAdES")
    args = parser.parse_args()

    n = args.signatures
    print(f"Plan document with {n} signatures, each with a drawn signature")
    record = sample_record(n_signatures=n, n_agreements=5, n_frameworks=4, n_declined=0)

    def draw() -> dict[str, bytes]:
        images = {}
        for signature in record["signatures"]:
            png = signature_png(signature["number"])
            digest = hashlib.sha256(png).hexdigest()
            signature["image"] = digest
            images[digest] = png
        return images

    images = timed("drawing signature PNGs (setup)", draw)
    print(f"  {'signature images':<34} {sum(map(len, images.values())) / 1024:8.0f} kB")

    with tempfile.TemporaryDirectory() as folder:
        key = load_or_create_key(Path(folder))
        canonical = timed("canonical form", lambda: canonical_bytes(record))
        print(f"  {'canonical size':<34} {len(canonical) / 1024:8.0f} kB")
        sealed = timed("seal (sha256 + Ed25519)", lambda: seal(record, key))
        docx = timed("build .docx", lambda: build_docx(record, sealed, URL, images))
        print(f"  {'.docx size':<34} {len(docx) / 1024 / 1024:8.2f} MB")
        result = timed("verify .docx", lambda: verify_file(docx, key.public_key_b64))
        assert result.valid and result.signatures == n, result.differences

        pdf_signed = None
        if args.no_pdf:
            print("  PDF skipped (--no-pdf)")
        elif soffice_path() is None:
            print("  PDF skipped: LibreOffice (soffice) is not installed")
        else:
            pdf = timed("LibreOffice .docx → PDF", lambda: docx_to_pdf(docx, timeout=600))
            pdf_signed = timed(
                "PAdES signature (pyHanko)",
                lambda: sign_pdf(pdf, key, canonical, sealed.signature, verify_url=URL),
            )
            print(f"  {'signed PDF size':<34} {len(pdf_signed) / 1024 / 1024:8.2f} MB")
            checked = timed(
                "verify PDF",
                lambda: verify_file(pdf_signed or b"", key.public_key_b64, key.certificate),
            )
            assert checked.valid, (checked.error, checked.differences)

        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            (args.out / "plan.docx").write_bytes(docx)
            if pdf_signed:
                (args.out / "plan.pdf").write_bytes(pdf_signed)
            print(f"  written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Hostile uploads for /verify and the verifier: made in the test, small on the wire."""

from __future__ import annotations

import io
import zipfile
from functools import lru_cache

CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    b'package/2006/content-types"><Default Extension="rels" ContentType="application/'
    b'vnd.openxmlformats-package.relationships+xml"/></Types>'
)


@lru_cache(maxsize=1)
def tree_bomb() -> bytes:
    """A ~100 KB .docx whose _rels/.rels holds 99 MB of ``<a/>`` (25 million elements)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        with zf.open("_rels/.rels", "w", force_zip64=True) as fh:
            fh.write(b"<Relationships>")
            chunk = b"<a/>" * (1 << 18)  # 1 MB
            for _ in range(99):
                fh.write(chunk)
            fh.write(b"</Relationships>")
    return out.getvalue()


@lru_cache(maxsize=1)
def element_bomb() -> bytes:
    """A .docx whose custom XML part (where the seal is looked for) is 40 MB of ``<a/>``:
    under the part size cap, over the element budget (the parser must stop early instead of
    building a 10-million-element tree)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr(
            "_rels/.rels",
            b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            b'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            b'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
            b"</Relationships>",
        )
        zf.writestr("word/document.xml", b"<document/>")
        with zf.open("customXml/item1.xml", "w", force_zip64=True) as fh:
            fh.write(b"<seal>")
            chunk = b"<a/>" * (1 << 18)  # 1 MB
            for _ in range(40):
                fh.write(chunk)
            fh.write(b"</seal>")
    return out.getvalue()


@lru_cache(maxsize=1)
def gigabyte_member() -> bytes:
    """A .docx-looking zip with one member of 1 GiB (zeros: about 1 MB compressed)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        with zf.open("_rels/.rels", "w", force_zip64=True) as fh:
            chunk = b"\0" * (1 << 24)  # 16 MiB
            for _ in range(64):
                fh.write(chunk)
    return out.getvalue()


def billion_laughs() -> bytes:
    """Nested entities that would expand to 3 GB if a parser resolved them."""
    lol = ['<!ENTITY lol "lolololololololololololololololololololololololololololololo">']
    for level in range(1, 10):
        prev = "lol" if level == 1 else f"lol{level - 1}"
        lol.append(f'<!ENTITY lol{level} "{("&" + prev + ";") * 10}">')
    dtd = "\n".join(lol)
    rels = (
        f'<?xml version="1.0"?>\n<!DOCTYPE Relationships [\n{dtd}\n]>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        "&lol9;</Relationships>"
    ).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", rels)
    return out.getvalue()


def encrypted_docx(docx: bytes, password: str = "geheim") -> bytes:
    """What Word saves for a password-protected .docx (an OLE compound file, MS-OFFCRYPTO)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(docx)).encrypt(password, out)
    return out.getvalue()


def encrypted_pdf(password: str = "geheim") -> bytes:
    """A password-protected PDF (standard security handler, AES)."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.writer import PdfFileWriter

    writer = PdfFileWriter()
    page = generic.DictionaryObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/Page"),
            generic.NameObject("/MediaBox"): generic.ArrayObject(
                [generic.NumberObject(n) for n in (0, 0, 595, 842)]
            ),
        }
    )
    writer.insert_page(page)
    writer.encrypt(password, password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()

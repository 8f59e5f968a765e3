"""The seal inside a .docx, and careful reading of untrusted .docx files.

The sealed canonical form travels twice in the document:

* as custom document properties (``docProps/custom.xml``): ``PlandagFormat``,
  ``PlandagKeyId``, ``PlandagSignature``, ``PlandagCanonical`` (base64) and
  ``PlandagVerifyUrl``. Desktop Word truncates custom property values to 255 characters
  when it saves a file, so after an edit in Word ``PlandagCanonical`` is cut short;
* as a custom XML part (``customXml/itemN.xml``), which Word keeps whole. It is the copy
  the verifier relies on; a property copy is checked too unless it is a Word truncation.
"""

from __future__ import annotations

import posixpath
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

from docx.document import Document as DocxDocument
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from lxml import etree

CUSTOM_PROPS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
CUSTOM_PROPS_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
SEAL_NS = "urn:plandag:plan-seal:1"
DS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/customXml"
PKG_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"

PROP_FORMAT = "PlandagFormat"
PROP_KEY_ID = "PlandagKeyId"
PROP_SIGNATURE = "PlandagSignature"
PROP_CANONICAL = "PlandagCanonical"
PROP_VERIFY_URL = "PlandagVerifyUrl"

WORD_PROPERTY_LIMIT = 255  # desktop Word truncates custom property values to this length


@dataclass(frozen=True)
class EmbeddedSeal:
    format: str
    key_id: str
    signature: str
    canonical_b64: str
    verify_url: str


def _serialise(root: etree._Element) -> bytes:
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return data


def _custom_properties_xml(props: list[tuple[str, str]]) -> bytes:
    root = etree.Element(
        f"{{{CUSTOM_PROPS_NS}}}Properties", nsmap={None: CUSTOM_PROPS_NS, "vt": VT_NS}
    )
    for pid, (name, value) in enumerate(props, start=2):  # pids start at 2 by convention
        prop = etree.SubElement(
            root,
            f"{{{CUSTOM_PROPS_NS}}}property",
            fmtid=CUSTOM_PROPS_FMTID,
            pid=str(pid),
            name=name,
        )
        etree.SubElement(prop, f"{{{VT_NS}}}lpwstr").text = value
    return _serialise(root)


def _seal_item_xml(embedded: EmbeddedSeal) -> bytes:
    root = etree.Element(f"{{{SEAL_NS}}}seal", nsmap={"plandag": SEAL_NS})
    for name, value in (
        ("format", embedded.format),
        ("keyId", embedded.key_id),
        ("signature", embedded.signature),
        ("verifyUrl", embedded.verify_url),
        ("canonical", embedded.canonical_b64),
    ):
        etree.SubElement(root, f"{{{SEAL_NS}}}{name}").text = value
    return _serialise(root)


def _item_props_xml(item_id: str) -> bytes:
    root = etree.Element(f"{{{DS_NS}}}datastoreItem", nsmap={"ds": DS_NS})
    root.set(f"{{{DS_NS}}}itemID", item_id)
    refs = etree.SubElement(root, f"{{{DS_NS}}}schemaRefs")
    etree.SubElement(refs, f"{{{DS_NS}}}schemaRef").set(f"{{{DS_NS}}}uri", SEAL_NS)
    return _serialise(root)


def embed_seal(document: DocxDocument, embedded: EmbeddedSeal, digest: str) -> None:
    """Add the custom properties part and the custom XML part to `document`'s package."""
    package = document.part.package
    props = Part(
        PackURI("/docProps/custom.xml"),
        CT.OFC_CUSTOM_PROPERTIES,
        _custom_properties_xml(
            [
                (PROP_FORMAT, embedded.format),
                (PROP_KEY_ID, embedded.key_id),
                (PROP_SIGNATURE, embedded.signature),
                (PROP_VERIFY_URL, embedded.verify_url),
                (PROP_CANONICAL, embedded.canonical_b64),
            ]
        ),
        package,
    )
    package.relate_to(props, RT.CUSTOM_PROPERTIES)

    # python-docx's template already holds customXml/item1.xml (a bibliography store)
    item = Part(
        package.next_partname("/customXml/item%d.xml"), CT.XML, _seal_item_xml(embedded), package
    )
    item_id = "{" + str(uuid.UUID(digest[:32])).upper() + "}"
    item_props = Part(
        package.next_partname("/customXml/itemProps%d.xml"),
        CT.OFC_CUSTOM_XML_PROPERTIES,
        _item_props_xml(item_id),
        package,
    )
    item.relate_to(item_props, RT.CUSTOM_XML_PROPS)
    document.part.relate_to(item, RT.CUSTOM_XML)
    # the template's thumbnail shows some other document: drop it
    for r_id, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            package.rels.pop(r_id)


# --- reading untrusted packages ------------------------------------------------------------

MAX_MEMBERS = 5_000
"""Most zip members: a plan with 1,000 drawn signatures has about 1,050."""
MAX_XML_PART = 48 * 1024 * 1024
"""Largest XML part (the body of a plan with 1,000 signatures, re-saved, is about 6 MB)."""
MAX_RELS_PART = 2 * 1024 * 1024
MAX_MEDIA_PART = 8 * 1024 * 1024
MAX_ELEMENTS = 1_000_000
"""Most XML elements parsed from one document, over all its parts (an element costs lxml
about 150 bytes: this bounds the trees near 150 MB even for a hostile file; a re-saved plan
with 1,000 signatures has about 150,000)."""
_CHUNK = 64 * 1024


class PackageError(Exception):
    """The input is not a readable .docx (message is for people). `code` is one of the
    verifier's error codes: corrupt, too_large, encrypted."""

    def __init__(self, message: str, code: str = "corrupt") -> None:
        super().__init__(message)
        self.code = code


def _part_cap(name: str) -> int:
    lower = name.lower()
    if lower.endswith(".rels") or lower == "[content_types].xml":
        return MAX_RELS_PART
    if lower.endswith(".xml"):
        return MAX_XML_PART
    return MAX_MEDIA_PART


_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)


def _has_doctype(data: bytes) -> bool:
    """A DTD must come before the root element: look only at the prolog."""
    head = data[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            head = head.decode("utf-16").encode("utf-8", "replace")
        except UnicodeDecodeError:
            return True
    return _DOCTYPE.search(head) is not None


@dataclass
class Archive:
    """Reads members of a zip within budgets: the number of members, the size of each part
    (declared and actual), the total uncompressed bytes and the XML elements parsed."""

    data: bytes
    budget: int
    elements: int = MAX_ELEMENTS
    _zip: zipfile.ZipFile = field(init=False)
    _names: dict[str, zipfile.ZipInfo] = field(init=False)
    _parsed: dict[str, etree._Element] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        try:
            self._zip = zipfile.ZipFile(BytesIO(self.data))
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
            raise PackageError("The file is damaged: it is not a readable zip archive.") from exc
        if len(infos) > MAX_MEMBERS:
            raise PackageError("The file has too many parts to be a plan document.", "too_large")
        self._names = {}
        for info in infos:
            if info.flag_bits & 0x1:
                raise PackageError("The file is password-protected.", "encrypted")
            self._names[info.filename.lower()] = info

    def has(self, name: str) -> bool:
        return name.lstrip("/").lower() in self._names

    def names(self) -> list[str]:
        return [info.filename for info in self._names.values()]

    def read(self, name: str) -> bytes:
        info = self._names.get(name.lstrip("/").lower())
        if info is None:
            raise KeyError(name)
        cap = _part_cap(info.filename)
        if info.file_size > cap or info.file_size > self.budget:
            raise PackageError(
                f"The file is too large: part {info.filename} unpacks to more than a plan "
                "document holds.",
                "too_large",
            )
        limit = info.file_size
        chunks: list[bytes] = []
        got = 0
        try:
            with self._zip.open(info) as fh:
                while True:
                    chunk = fh.read(min(_CHUNK, limit - got + 1))
                    if not chunk:
                        break
                    got += len(chunk)
                    if got > limit:
                        raise PackageError(
                            f"The file is damaged: part {info.filename} is larger than it says.",
                        )
                    chunks.append(chunk)
        except PackageError:
            raise
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError) as exc:
            raise PackageError(
                f"The file is damaged: part {info.filename} cannot be read."
            ) from exc
        except RuntimeError as exc:  # zipfile: "File ... is encrypted, password required"
            raise PackageError("The file is password-protected.", "encrypted") from exc
        self.budget -= got
        return b"".join(chunks)

    def xml(self, name: str) -> etree._Element:
        """The parsed part (parsed once): no DTD, no entities, no network, and every element
        counted against the document's budget while parsing."""
        key = name.lstrip("/").lower()
        if key in self._parsed:
            return self._parsed[key]
        data = self.read(name)
        if _has_doctype(data):
            raise PackageError(f"The file is damaged: part {name} declares a DTD.")
        parser = etree.XMLPullParser(
            events=("start",),
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            remove_pis=True,
            collect_ids=False,
        )
        try:
            for offset in range(0, len(data), _CHUNK):
                parser.feed(data[offset : offset + _CHUNK])
                for _event in parser.read_events():
                    self.elements -= 1
                if self.elements < 0:
                    raise PackageError(
                        "The file is too large: it holds far more elements than a plan document.",
                        "too_large",
                    )
            root = parser.close()
        except etree.XMLSyntaxError as exc:
            raise PackageError(f"The file is damaged: part {name} is not well-formed.") from exc
        self._parsed[key] = root
        return root

    def relationships(self, source: str, external: bool = False) -> list[tuple[str, str, Any]]:
        """(Id, Type, resolved part name) of the relationships of part `source` ("" = package).
        With `external`, external relationships are listed too, with target None."""
        folder, base = posixpath.split(source.lstrip("/"))
        rels_name = posixpath.join(folder, "_rels", f"{base}.rels")
        if not self.has(rels_name):
            return []
        found: list[tuple[str, str, Any]] = []
        for rel in self.xml(rels_name).iter(f"{{{PKG_RELS_NS}}}Relationship"):
            if rel.get("TargetMode") == "External":
                if external:
                    found.append((rel.get("Id") or "", rel.get("Type") or "", None))
                continue
            target = rel.get("Target") or ""
            if target.startswith("/"):
                resolved = target.lstrip("/")
            else:
                resolved = posixpath.normpath(posixpath.join(folder, target))
            found.append((rel.get("Id") or "", rel.get("Type") or "", resolved))
        return found


def read_custom_properties(archive: Archive) -> dict[str, str]:
    props: dict[str, str] = {}
    for _id, rel_type, target in archive.relationships(""):
        if rel_type.lower() == RT.CUSTOM_PROPERTIES.lower() and archive.has(target):
            for prop in archive.xml(target).iter(f"{{{CUSTOM_PROPS_NS}}}property"):
                name = prop.get("name")
                if name and name.startswith("Plandag") and len(prop):
                    props[name] = "".join(prop[0].itertext())
    return props


def read_seal_items(archive: Archive) -> list[EmbeddedSeal]:
    """Every custom XML part holding a Plandag seal (Word may renumber the items)."""
    found = []
    for name in archive.names():
        lower = name.lower()
        if not (lower.startswith("customxml/item") and lower.endswith(".xml")):
            continue
        if "props" in lower:
            continue
        root = archive.xml(name)
        if root.tag != f"{{{SEAL_NS}}}seal":
            continue

        def text(tag: str, root: etree._Element = root) -> str:
            element = root.find(f"{{{SEAL_NS}}}{tag}")
            return "".join(element.itertext()) if element is not None else ""

        found.append(
            EmbeddedSeal(
                format=text("format"),
                key_id=text("keyId"),
                signature=text("signature"),
                canonical_b64=text("canonical"),
                verify_url=text("verifyUrl"),
            )
        )
    return found

"""The signed plan as a .docx: real Word styles, A4, page X of Y, the seal embedded."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Mapping
from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape as xml_escape

import segno
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.image.image import Image
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.shape import CT_Inline
from docx.parts.image import ImagePart
from docx.shared import Cm, Length, Pt, RGBColor
from docx.text.paragraph import Paragraph

from .content import (
    Block,
    Cell,
    Line,
    Para,
    QrCode,
    Run,
    Table,
    Words,
    build_blocks,
    clean,
    language_of,
    parse_date,
    parse_instant,
    record_format,
    sealed_verify_url,
    visible_lines,
)
from .labels import FORMAT
from .package import EmbeddedSeal, embed_seal
from .seal import Seal, canonical_bytes, fingerprint_of

__all__ = ["FORMAT", "Line", "build_docx", "visible_lines"]

FONT = "Arial"  # LibreOffice renders it with the metric-compatible Liberation Sans
INK = RGBColor(0x1F, 0x2A, 0x37)
ACCENT = RGBColor(0x1F, 0x4E, 0x79)
MUTED = RGBColor(0x59, 0x63, 0x6E)
HEADER_FILL = "DCE6F0"
LABEL_FILL = "EEF2F6"
SIGNATURE_WIDTH = Cm(3.5)
QR_WIDTH = Cm(4.0)
QR_NAME = "PlandagVerifyQR"  # the verifier recognises the seal's QR code by this name
PAGE_WIDTH, PAGE_HEIGHT, MARGIN = Cm(21.0), Cm(29.7), Cm(2.0)
KEEP_TOGETHER_ROWS = 15  # shorter tables are kept on one page with their heading


# --- styles -----------------------------------------------------------------------------


def _plain_fonts(document: DocxDocument) -> None:
    """Use one concrete font everywhere: theme font references would override it."""
    for fonts in document.styles.element.iter(qn("w:rFonts")):
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(attr), None)
        for attr in ("w:ascii", "w:hAnsi", "w:cs"):
            fonts.set(qn(attr), FONT)


def _drop_theme_colors(document: DocxDocument) -> None:
    for color in document.styles.element.iter(qn("w:color")):
        for attr in ("w:themeColor", "w:themeShade", "w:themeTint"):
            color.attrib.pop(qn(attr), None)


def _set_language(document: DocxDocument, language: str) -> None:
    tag = {"nl": "nl-NL", "en": "en-GB"}[language]
    rpr_default = document.styles.element.find(qn("w:docDefaults"))
    if rpr_default is None:
        return
    rpr = rpr_default.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
    if rpr is None:
        return
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), tag)
    lang.set(qn("w:eastAsia"), tag)
    lang.set(qn("w:bidi"), "ar-SA")


# the elements that follow w:pBdr in a w:pPr (schema order)
_PPR_AFTER_BORDER = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
    "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
    "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
    "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)  # fmt: skip


def _drop_run_spacing(style_element: Any) -> None:
    """Remove the template's letter spacing and kerning from a style."""
    rpr = style_element.find(qn("w:rPr"))
    if rpr is not None:
        for tag in ("w:spacing", "w:kern"):
            found = rpr.find(qn(tag))
            if found is not None:
                rpr.remove(found)


def _bottom_rule(style_element: Any) -> None:
    """A thin accent line under paragraphs of this style."""
    ppr = style_element.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for attr, value in (
        ("w:val", "single"),
        ("w:sz", "8"),
        ("w:space", "8"),
        ("w:color", "1F4E79"),
    ):
        bottom.set(qn(attr), value)
    border.append(bottom)
    ppr.insert_element_before(border, *_PPR_AFTER_BORDER)


def _setup_styles(document: DocxDocument, language: str) -> None:
    _plain_fonts(document)
    _drop_theme_colors(document)
    _set_language(document, language)
    styles = document.styles

    normal = styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(10)
    normal.font.color.rgb = INK
    normal.paragraph_format.space_after = Pt(5)
    normal.paragraph_format.line_spacing = 1.12

    title = styles["Title"]
    title.font.size = Pt(28)
    title.font.bold = True
    title.font.color.rgb = ACCENT
    title.paragraph_format.space_before = Pt(110)
    title.paragraph_format.space_after = Pt(6)
    # the default template gives Title a bottom border and expanded spacing: keep it simple
    ppr = title.element.find(qn("w:pPr"))
    if ppr is not None:
        border = ppr.find(qn("w:pBdr"))
        if border is not None:
            ppr.remove(border)
    _drop_run_spacing(title.element)

    subtitle = styles["Subtitle"]
    subtitle.font.size = Pt(15)
    subtitle.font.italic = False
    subtitle.font.color.rgb = MUTED
    subtitle.paragraph_format.space_after = Pt(30)
    _drop_run_spacing(subtitle.element)
    _bottom_rule(subtitle.element)

    for name, size, before, after in (("Heading 1", 17, 20, 8), ("Heading 2", 12.5, 14, 5)):
        style = styles[name]
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.color.rgb = ACCENT
        style.paragraph_format.space_before = Pt(before)
        style.paragraph_format.space_after = Pt(after)
        style.paragraph_format.keep_with_next = True

    bullet = styles["List Bullet"]
    bullet.paragraph_format.space_after = Pt(2)

    note = styles.add_style("Note", WD_STYLE_TYPE.PARAGRAPH)
    note.base_style = normal
    note.font.italic = True
    note.font.color.rgb = MUTED

    meta = styles.add_style("Meta", WD_STYLE_TYPE.PARAGRAPH)
    meta.base_style = normal
    meta.font.size = Pt(11.5)
    meta.paragraph_format.space_after = Pt(7)

    cell = styles.add_style("Table Text", WD_STYLE_TYPE.PARAGRAPH)
    cell.base_style = normal
    cell.font.size = Pt(9)
    cell.paragraph_format.space_before = Pt(1)
    cell.paragraph_format.space_after = Pt(1)
    cell.paragraph_format.line_spacing = 1.05

    for name in ("Header", "Footer"):
        style = styles[name]
        style.font.size = Pt(8)
        style.font.color.rgb = MUTED
        # the template's centre and right tabs are for Letter paper: one right tab at the margin
        style.paragraph_format.tab_stops.clear_all()
        style.paragraph_format.tab_stops.add_tab_stop(
            PAGE_WIDTH - 2 * MARGIN, WD_TAB_ALIGNMENT.RIGHT
        )


# --- page furniture -----------------------------------------------------------------------


def _field(paragraph: Paragraph, instruction: str, placeholder: str) -> None:
    """A PAGE or NUMPAGES field (python-docx has no API for fields)."""

    def char(kind: str) -> None:
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        paragraph.add_run()._r.append(element)

    char("begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} \\* MERGEFORMAT "
    paragraph.add_run()._r.append(instr)
    char("separate")
    paragraph.add_run(placeholder)
    char("end")


def furniture_texts(record: Mapping[str, Any]) -> dict[str, str]:
    """The text of the header and the footer `_page_furniture` writes, with the page fields
    as ``{page}`` and ``{pages}`` (for the verifier)."""
    words = Words(language_of(record))
    meeting = record.get("meeting") or {}
    day = parse_date(meeting.get("date"))
    date_text = words.date_medium(day) if day else ""
    fingerprint = fingerprint_of(hashlib.sha256(canonical_bytes(dict(record))).hexdigest())
    return {
        "header": clean(meeting.get("title")).replace("\n", " ") + "\t" + date_text,
        "footer": f"{words['fingerprint']} {fingerprint}\t" + words["page"],
    }


def _page_furniture(
    document: DocxDocument, words: Words, record: Mapping[str, Any], fingerprint: str
) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.left_margin = section.right_margin = MARGIN
    section.top_margin, section.bottom_margin = Cm(2.2), Cm(2.0)
    section.header_distance = section.footer_distance = Cm(1.0)
    section.different_first_page_header_footer = True  # a clean title page

    meeting = record.get("meeting") or {}
    day = parse_date(meeting.get("date"))
    date_text = words.date_medium(day) if day else ""

    header = section.header.paragraphs[0]
    header.style = document.styles["Header"]
    header.add_run(clean(meeting.get("title")).replace("\n", " "))
    header.add_run("\t" + date_text)

    footer = section.footer.paragraphs[0]
    footer.style = document.styles["Footer"]
    footer.add_run(f"{words['fingerprint']} {fingerprint}\t")
    template = words["page"]
    before, _, rest = template.partition("{page}")
    middle, _, after = rest.partition("{pages}")
    footer.add_run(before)
    _field(footer, "PAGE", "1")
    footer.add_run(middle)
    _field(footer, "NUMPAGES", "1")
    if after:
        footer.add_run(after)


# --- blocks ---------------------------------------------------------------------------------


def _add_runs(paragraph: Paragraph, runs: tuple[Run, ...]) -> None:
    for run in runs:
        added = paragraph.add_run(run.text)
        if run.bold:
            added.bold = True
        if run.italic:
            added.italic = True


class _Pictures:
    """Adds pictures in constant time each.

    python-docx's ``Run.add_picture`` rescans every image part, relationship and ``@id`` in
    the document for each picture, which is quadratic: 30 s for 1,000 signatures.
    """

    def __init__(self, document: DocxDocument) -> None:
        self.part = document.part
        self.package = self.part.package
        used = [int(v) for v in self.part.element.xpath("//@id") if str(v).isdigit()]
        self.next_shape_id = max(used, default=0) + 1
        self.next_image = len(self.package.image_parts) + 1
        self.rids: dict[str, str] = {}

    def add(self, paragraph: Any, data: bytes, width: Length, name: str, alt: str) -> None:
        """Append the picture `data` (PNG) as a new run of the `w:p` element `paragraph`."""
        image = Image.from_blob(data)
        digest = hashlib.sha256(data).hexdigest()
        r_id = self.rids.get(digest)
        if r_id is None:
            partname = PackURI(f"/word/media/image{self.next_image}.{image.ext}")
            part = ImagePart.from_image(image, partname)
            self.package.image_parts.append(part)
            r_id = f"rIdPlandagImage{self.next_image}"
            self.part.rels.add_relationship(RT.IMAGE, part, r_id)
            self.next_image += 1
            self.rids[digest] = r_id
        cx, cy = image.scaled_dimensions(width, None)
        inline = CT_Inline.new_pic_inline(self.next_shape_id, r_id, image.filename, cx, cy)
        self.next_shape_id += 1
        doc_pr = inline.docPr
        doc_pr.set("name", name)
        doc_pr.set("descr", alt)
        run = OxmlElement("w:r")
        paragraph.append(run)
        run.add_drawing(inline)


def _runs_xml(runs: tuple[Run, ...]) -> str:
    parts = []
    for run in runs:
        props = ("<w:b/>" if run.bold else "") + ("<w:i/>" if run.italic else "")
        content = []
        for index, line in enumerate(run.text.split("\n")):
            if index:
                content.append("<w:br/>")
            for piece_index, piece in enumerate(line.split("\t")):
                if piece_index:
                    content.append("<w:tab/>")
                if piece:
                    content.append(f'<w:t xml:space="preserve">{xml_escape(piece)}</w:t>')
        rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
        parts.append(f"<w:r>{rpr}{''.join(content)}</w:r>")
    return "".join(parts)


def _row_xml(
    cells: tuple[Cell, ...],
    widths: tuple[float, ...],
    style_id: str,
    *,
    header: bool = False,
    keep_with_next: bool = False,
    label_column: bool = False,
) -> str:
    """One table row as WordprocessingML, built as text: python-docx's element API costs
    about 1 ms per cell, too slow for 1,000 signature rows."""
    row_props = "<w:cantSplit/>" + ("<w:tblHeader/>" if header else "")  # schema order
    tcs = []
    for index, (cell, width) in enumerate(zip(cells, widths, strict=True)):
        fill = HEADER_FILL if header else (LABEL_FILL if label_column and index == 0 else None)
        cell_props = f'<w:tcW w:w="{round(width / 2.54 * 1440)}" w:type="dxa"/>'
        if fill:
            cell_props += f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>'
        if cell.image:
            cell_props += '<w:vAlign w:val="center"/>'
        runs = tuple(Run(r.text, True, r.italic) for r in cell.runs) if header else cell.runs
        keep = "<w:keepNext/>" if keep_with_next else ""
        tcs.append(
            f"<w:tc><w:tcPr>{cell_props}</w:tcPr>"
            f'<w:p><w:pPr><w:pStyle w:val="{style_id}"/>{keep}</w:pPr>{_runs_xml(runs)}</w:p>'
            "</w:tc>"
        )
    return f"<w:tr {nsdecls('w')}><w:trPr>{row_props}</w:trPr>{''.join(tcs)}</w:tr>"


def _add_table(
    document: DocxDocument, table: Table, pictures: _Pictures, images: Mapping[str, bytes]
) -> None:
    columns = len(table.widths)
    docx_table = document.add_table(rows=0, cols=columns)
    docx_table.style = document.styles["Table Grid"]
    docx_table.alignment = WD_TABLE_ALIGNMENT.CENTER
    docx_table.autofit = False
    for column, width in zip(docx_table.columns, table.widths, strict=True):
        column.width = Cm(width)
    tbl = docx_table._tbl
    style_id = document.styles["Table Text"].style_id
    if table.header:
        # the header row repeats on every page and stays with the first row
        tbl.append(
            parse_xml(
                _row_xml(table.header, table.widths, style_id, header=True, keep_with_next=True)
            )
        )
    keep_together = len(table.rows) <= KEEP_TOGETHER_ROWS
    for number, cells in enumerate(table.rows, start=1):
        row = parse_xml(
            _row_xml(
                cells,
                table.widths,
                style_id,
                keep_with_next=keep_together and number < len(table.rows),
                label_column=table.label_column,
            )
        )
        tbl.append(row)
        for cell, tc in zip(cells, row.iterchildren(qn("w:tc")), strict=True):
            if cell.image:
                number_text = cell.ref.rpartition(":")[2]
                paragraph = tc.find(qn("w:p"))
                pictures.add(
                    paragraph,
                    images[cell.image],
                    SIGNATURE_WIDTH,
                    f"PlandagSignature{number_text}",
                    cell.image_alt,
                )


def qr_png(url: str) -> bytes:
    """The seal section's QR code for `url` (deterministic for a given segno version)."""
    png = BytesIO()
    segno.make(url, error="m").save(png, kind="png", scale=8, border=2)
    return png.getvalue()


def _add_qr(document: DocxDocument, qr: QrCode, pictures: _Pictures) -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
    paragraph.paragraph_format.space_before = Pt(12)
    pictures.add(paragraph._p, qr_png(qr.url), QR_WIDTH, QR_NAME, qr.alt)


def _render(document: DocxDocument, blocks: list[Block], images: Mapping[str, bytes]) -> None:
    previous: Block | None = None
    last_paragraph: Paragraph | None = None
    pictures = _Pictures(document)
    style_ids: dict[str, str] = {}
    for block in blocks:
        if isinstance(block, Para):
            if block.style not in style_ids:
                style_ids[block.style] = document.styles[block.style].style_id
            paragraph = document.add_paragraph()
            paragraph._p.style = style_ids[block.style]
            _add_runs(paragraph, block.runs)
            if block.page_break_before:
                paragraph.paragraph_format.page_break_before = True
            if isinstance(previous, Table) and block.style not in ("Heading 1", "Heading 2"):
                paragraph.paragraph_format.space_before = Pt(8)
            last_paragraph = paragraph
        elif isinstance(block, Table):
            if isinstance(previous, Para) and last_paragraph is not None:
                last_paragraph.paragraph_format.keep_with_next = True  # no lone intro line
            _add_table(document, block, pictures, images)
        elif isinstance(block, QrCode):
            _add_qr(document, block, pictures)
        previous = block


def _check_images(blocks: list[Block], images: Mapping[str, bytes]) -> None:
    for block in blocks:
        if not isinstance(block, Table):
            continue
        for row in block.rows:
            for cell in row:
                if not cell.image:
                    continue
                data = images.get(cell.image)
                if data is None:
                    raise ValueError(f"{cell.ref}: no image given for hash {cell.image}")
                if hashlib.sha256(data).hexdigest() != cell.image:
                    raise ValueError(f"{cell.ref}: the image does not match its hash")
                if not data.startswith(b"\x89PNG\r\n\x1a\n"):
                    raise ValueError(f"{cell.ref}: the signature image is not a PNG")


def _keep_pictures_uncompressed(document: DocxDocument) -> None:
    """Ask Word not to downsample pictures when it saves the file: a recompressed drawn
    signature would no longer match the hash in the seal."""
    settings = document.settings.element
    if settings.find(qn("w:doNotAutoCompressPictures")) is None:
        settings.insert_element_before(
            OxmlElement("w:doNotAutoCompressPictures"),
            "w:forceUpgrade",
            "w:captions",
            "w:readModeInkLockDown",
            "w:smartTagType",
            "w:shapeDefaults",
            "w:doNotEmbedSmartTags",
            "w:decimalSymbol",
            "w:listSeparator",
        )


def _core_properties(document: DocxDocument, record: Mapping[str, Any], language: str) -> None:
    meeting = record.get("meeting") or {}
    props = document.core_properties
    props.title = clean(meeting.get("title")).replace("\n", " ")[:250]
    props.subject = "Plan"
    props.author = "Plandag"
    props.last_modified_by = "Plandag"
    props.keywords = record_format(record)
    props.comments = ""
    props.category = ""
    props.language = {"nl": "nl-NL", "en": "en-GB"}[language]
    props.revision = 1
    sealed = parse_instant(meeting.get("sealed_at"))
    if sealed is not None:
        moment = sealed.astimezone(dt.UTC).replace(tzinfo=None)
        props.created = moment
        props.modified = moment
        props.last_printed = moment


def build_docx(
    record: dict[str, Any], seal: Seal, verify_url: str, images: Mapping[str, bytes]
) -> bytes:
    """The sealed plan document (.docx bytes) for `record`.

    `seal` must be ``seal(record, key)``; `images` maps the sha256 hex of each drawn
    signature named in the record to its PNG bytes. The document's body text is exactly
    ``visible_lines(record, key_id=seal.key_id, verify_url=verify_url)``. A record of format
    plandag-plan/2 carries its own (sealed) ``verify_url``, which wins over `verify_url`.
    """
    canonical = canonical_bytes(record)
    if hashlib.sha256(canonical).hexdigest() != seal.digest:
        raise ValueError("the seal does not belong to this record")
    language = language_of(record)
    words = Words(language)
    blocks = build_blocks(record, key_id=seal.key_id, verify_url=verify_url)
    _check_images(blocks, images)
    shown_url = sealed_verify_url(record, verify_url) or ""

    document = Document()
    _setup_styles(document, language)
    _page_furniture(document, words, record, seal.fingerprint)
    _core_properties(document, record, language)
    _keep_pictures_uncompressed(document)
    _render(document, blocks, images)
    embed_seal(
        document,
        EmbeddedSeal(
            format=record_format(record),
            key_id=seal.key_id,
            signature=seal.signature,
            canonical_b64=base64.b64encode(canonical).decode("ascii"),
            verify_url=clean(shown_url),
        ),
        seal.digest,
    )
    out = BytesIO()
    document.save(out)
    return out.getvalue()

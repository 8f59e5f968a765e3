"""The .docx verifier checks what a reader sees, not only the words.

Every test tampers with a real sealed plan (built by `build_docx` from the sample record)
the way a word processor or a hand-edited XML file would, and expects *not valid* with the
place named; an untouched LibreOffice re-save, bold and another font stay valid.
"""

from __future__ import annotations

import copy
import hashlib
import io
import re
import subprocess
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from shared.plandoc import (
    ServerKey,
    build_docx,
    load_or_create_key,
    seal,
    soffice_path,
    verify_docx,
)
from shared.plandoc.render import qr_png
from shared.plandoc.sample import SAMPLE_VERIFY_URL, sample_images, sample_record

URL = SAMPLE_VERIFY_URL
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
NS = {"w": W, "wp": WP, "a": A, "r": R}
DOCUMENT = "word/document.xml"
STYLES = "word/styles.xml"
AGREEMENT_3 = "Vast aanspreekpunt bij de woningcorporatie"


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


@pytest.fixture(scope="module")
def key(tmp_path_factory: pytest.TempPathFactory) -> ServerKey:
    return load_or_create_key(tmp_path_factory.mktemp("instance"))


@pytest.fixture(scope="module")
def record() -> dict[str, Any]:
    return sample_record(n_signatures=12, n_agreements=3)


@pytest.fixture(scope="module")
def document(record: dict[str, Any], key: ServerKey) -> bytes:
    return build_docx(record, seal(record, key), URL, sample_images(record))


# --- editing a package ----------------------------------------------------------------------


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def rezip(data: bytes, changes: dict[str, bytes]) -> bytes:
    parts = members(data)
    parts.update(changes)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in parts.items():
            zf.writestr(name, content)
    return out.getvalue()


def edit(data: bytes, part: str, change: Callable[[etree._Element], object]) -> bytes:
    root = etree.fromstring(members(data)[part])
    change(root)
    return rezip(data, {part: etree.tostring(root, xml_declaration=True, encoding="UTF-8")})


def add_part(
    data: bytes,
    name: str,
    content: bytes,
    content_type: str,
    rel_type: str,
    source: str = DOCUMENT,
) -> tuple[bytes, str]:
    """Add a part related from `source`; returns the new package and the relationship id."""
    parts = members(data)
    types = etree.fromstring(parts["[Content_Types].xml"])
    override = etree.SubElement(types, f"{{{CT}}}Override")
    override.set("PartName", "/" + name)
    override.set("ContentType", content_type)
    folder, base = source.rsplit("/", 1) if "/" in source else ("", source)
    rels_name = f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"
    rels = etree.fromstring(parts[rels_name])
    r_id = f"rIdTamper{len(rels)}"
    rel = etree.SubElement(rels, f"{{{PKG}}}Relationship")
    rel.set("Id", r_id)
    rel.set("Type", REL + rel_type)
    target = name[len(folder) + 1 :] if folder and name.startswith(folder + "/") else "/" + name
    rel.set("Target", target)
    changes = {
        "[Content_Types].xml": etree.tostring(types, xml_declaration=True, encoding="UTF-8"),
        rels_name: etree.tostring(rels, xml_declaration=True, encoding="UTF-8"),
        name: content,
    }
    return rezip(data, changes), r_id


def runs_with(root: etree._Element, text: str) -> list[etree._Element]:
    found = [t.getparent() for t in root.iter(w("t")) if text in (t.text or "")]
    assert found, f"{text!r} not found"
    return found


def paragraph_with(root: etree._Element, text: str) -> etree._Element:
    run = runs_with(root, text)[0]
    return next(p for p in run.iterancestors(w("p")))


def props(element: etree._Element, tag: str) -> etree._Element:
    """The rPr/pPr of a run or paragraph (made when missing, first child)."""
    found = element.find(w(tag))
    if found is None:
        found = etree.Element(w(tag))
        element.insert(0, found)
    return found


def set_prop(parent: etree._Element, tag: str, **attrs: str) -> etree._Element:
    element = parent.find(w(tag))
    if element is None:
        element = etree.SubElement(parent, w(tag))
    for name, value in attrs.items():
        element.set(w(name), value)
    return element


def xml(fragment: str) -> etree._Element:
    return etree.fromstring(
        f'<root xmlns:w="{W}" xmlns:wp="{WP}" xmlns:a="{A}" xmlns:r="{R}" '
        'xmlns:v="urn:schemas-microsoft-com:vml" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
        f"{fragment}</root>"
    )[0]


def style(root: etree._Element, style_id: str) -> etree._Element:
    return next(s for s in root.iter(w("style")) if s.get(w("styleId")) == style_id)


def add_style(root: etree._Element, fragment: str) -> None:
    root.append(xml(fragment))


def assert_not_valid(result: Any, code: str, ref: str | None = None) -> None:
    assert not result.valid, "expected not valid"
    codes = result.differences_codes
    if ref is None:
        assert any(c == code for c, _r in codes), (code, result.differences)
    else:
        assert (code, ref) in codes, (code, ref, result.differences)
    assert all(message[0].isupper() for message in result.differences)


def check(data: bytes, key: ServerKey) -> Any:
    return verify_docx(data, key.public_key_b64)


# --- the baseline -------------------------------------------------------------------------------


def test_untouched_plan_is_valid(document: bytes, key: ServerKey) -> None:
    result = check(document, key)
    assert result.valid, result.differences


# --- hidden, faint, tiny, displaced text ------------------------------------------------------


def _run_prop(tag: str, **attrs: str) -> Callable[[etree._Element], None]:
    def change(root: etree._Element) -> None:
        for run in runs_with(root, AGREEMENT_3):
            set_prop(props(run, "rPr"), tag, **attrs)

    return change


RUN_TAMPERS: dict[str, tuple[Callable[[etree._Element], None], str]] = {
    "hidden run (w:vanish)": (_run_prop("vanish"), "hidden_text"),
    "specVanish": (_run_prop("specVanish"), "hidden_text"),
    "webHidden": (_run_prop("webHidden"), "hidden_text"),
    "white text": (_run_prop("color", val="FFFFFF"), "faint_text"),
    "text colour close to white": (_run_prop("color", val="F4F4F4"), "faint_text"),
    "theme colour background1": (
        _run_prop("color", val="1F2A37", themeColor="background1"),
        "faint_text",
    ),
    "shading fill equal to text colour": (
        _run_prop("shd", val="clear", color="auto", fill="1F2A37"),
        "faint_text",
    ),
    "highlight equal to text colour": (_run_prop("highlight", val="black"), "faint_text"),
    "1-pt text": (_run_prop("sz", val="2"), "tiny_text"),
    "complex-script size 1 pt": (_run_prop("szCs", val="2"), "tiny_text"),
    "character scaling 1%": (_run_prop("w", val="1"), "tiny_text"),
    "w:position pushes text off": (_run_prop("position", val="-2000"), "displaced_text"),
    "condensed spacing": (_run_prop("spacing", val="-400"), "displaced_text"),
    "fitText": (_run_prop("fitText", val="1", id="1"), "tiny_text"),
    "strike-through": (_run_prop("strike"), "altered_text"),
    "emboss": (_run_prop("emboss"), "altered_text"),
    "symbol font": (_run_prop("rFonts", ascii="Wingdings", hAnsi="Wingdings"), "altered_text"),
}


@pytest.mark.parametrize("name", list(RUN_TAMPERS))
def test_run_formatting_that_hides_agreement_3_is_named(
    name: str, document: bytes, key: ServerKey
) -> None:
    change, code = RUN_TAMPERS[name]
    assert_not_valid(check(edit(document, DOCUMENT, change), key), code, "agreement:3")


def test_text_effect_fill_is_refused(document: bytes, key: ServerKey) -> None:
    w14 = "http://schemas.microsoft.com/office/word/2010/wordml"

    def change(root: etree._Element) -> None:
        for run in runs_with(root, AGREEMENT_3):
            etree.SubElement(props(run, "rPr"), f"{{{w14}}}textFill")

    assert_not_valid(check(edit(document, DOCUMENT, change), key), "altered_text", "agreement:3")


def test_hidden_character_style_is_named(document: bytes, key: ServerKey) -> None:
    """Run-level w:rStyle pointing at a hidden character style (based on another)."""
    styled = edit(
        document,
        STYLES,
        lambda root: (
            add_style(
                root,
                '<w:style w:type="character" w:styleId="Basis"><w:name w:val="Basis"/>'
                "<w:rPr><w:vanish/></w:rPr></w:style>",
            ),
            add_style(
                root,
                '<w:style w:type="character" w:styleId="Stil"><w:name w:val="Stil"/>'
                '<w:basedOn w:val="Basis"/></w:style>',
            ),
        ),
    )

    def change(root: etree._Element) -> None:
        for run in runs_with(root, AGREEMENT_3):
            set_prop(props(run, "rPr"), "rStyle", val="Stil")

    result = check(edit(styled, DOCUMENT, change), key)
    assert_not_valid(result, "hidden_text", "agreement:3")
    assert_not_valid(result, "hidden_text", "style:Basis")


def test_hidden_table_style_is_named(document: bytes, key: ServerKey) -> None:
    """<w:vanish/> on the table style: every agreement and signature table disappears."""

    def change(root: etree._Element) -> None:
        grid = style(root, "TableGrid")
        grid.insert(4, xml("<w:rPr><w:vanish/></w:rPr>"))

    result = check(edit(document, STYLES, change), key)
    assert_not_valid(result, "hidden_text", "agreement:1")
    assert_not_valid(result, "hidden_text", "signature:1")
    assert_not_valid(result, "hidden_text", "style:Table Grid")
    assert_not_valid(result, "more_places")  # every table: the rest is counted, not listed
    assert len(result.differences) <= 32


def test_hidden_paragraph_style_is_named(document: bytes, key: ServerKey) -> None:
    """The issue statement's paragraph style made hidden through its basedOn chain."""

    def change(root: etree._Element) -> None:
        normal = style(root, "Normal")
        props(normal, "rPr").append(xml("<w:vanish/>"))

    result = check(edit(document, STYLES, change), key)
    assert_not_valid(result, "hidden_text", "issue")


def test_white_text_in_the_default_style_is_named(document: bytes, key: ServerKey) -> None:
    def change(root: etree._Element) -> None:
        defaults = root.find(f"{w('docDefaults')}/{w('rPrDefault')}/{w('rPr')}")
        set_prop(defaults, "color", val="FFFFFF")
        for element in root.iter(w("style")):  # and no style sets another colour
            for color in element.iter(w("color")):
                color.getparent().remove(color)

    assert_not_valid(check(edit(document, STYLES, change), key), "faint_text", "issue")


def test_tiny_docdefaults_size_is_named(document: bytes, key: ServerKey) -> None:
    def change(root: etree._Element) -> None:
        defaults = root.find(f"{w('docDefaults')}/{w('rPrDefault')}/{w('rPr')}")
        set_prop(defaults, "sz", val="2")
        for element in root.iter(w("style")):
            for size in element.iter(w("sz")):
                size.getparent().remove(size)

    assert_not_valid(check(edit(document, STYLES, change), key), "tiny_text", "issue")


def test_hidden_paragraph_mark_style_is_named(document: bytes, key: ServerKey) -> None:
    styled = edit(
        document,
        STYLES,
        lambda root: add_style(
            root,
            '<w:style w:type="character" w:styleId="Mark"><w:name w:val="Mark"/>'
            "<w:rPr><w:vanish/></w:rPr></w:style>",
        ),
    )

    def change(root: etree._Element) -> None:
        paragraph = paragraph_with(root, AGREEMENT_3)
        mark = props(props(paragraph, "pPr"), "rPr")
        set_prop(mark, "rStyle", val="Mark")

    assert_not_valid(check(edit(styled, DOCUMENT, change), key), "hidden_text", "agreement:3")


def test_indent_pushing_text_off_is_named(document: bytes, key: ServerKey) -> None:
    def change(root: etree._Element) -> None:
        set_prop(props(paragraph_with(root, AGREEMENT_3), "pPr"), "ind", left="30000")

    assert_not_valid(check(edit(document, DOCUMENT, change), key), "displaced_text", "agreement:3")


def test_exact_one_point_line_height_is_named(document: bytes, key: ServerKey) -> None:
    def change(root: etree._Element) -> None:
        set_prop(
            props(paragraph_with(root, AGREEMENT_3), "pPr"), "spacing", line="20", lineRule="exact"
        )

    assert_not_valid(check(edit(document, DOCUMENT, change), key), "tiny_text", "agreement:3")


def test_frame_positioned_paragraph_is_named(document: bytes, key: ServerKey) -> None:
    def change(root: etree._Element) -> None:
        ppr = props(paragraph_with(root, AGREEMENT_3), "pPr")
        ppr.insert(1, xml('<w:framePr w:w="10" w:h="10" w:hRule="exact" w:x="-5000"/>'))

    assert_not_valid(check(edit(document, DOCUMENT, change), key), "displaced_text", "agreement:3")


# --- tables -----------------------------------------------------------------------------------


def _agreement_row(root: etree._Element) -> etree._Element:
    return next(paragraph_with(root, AGREEMENT_3).iterancestors(w("tr")))


def _agreement_table(root: etree._Element) -> etree._Element:
    return next(paragraph_with(root, AGREEMENT_3).iterancestors(w("tbl")))


def _row_height_exact(root: etree._Element) -> None:
    row = _agreement_row(root)
    set_prop(props(row, "trPr"), "trHeight", val="1", hRule="exact")


def _row_hidden(root: etree._Element) -> None:
    set_prop(props(_agreement_row(root), "trPr"), "hidden")


def _zero_width_table(root: etree._Element) -> None:
    table = _agreement_table(root)
    for col in table.iter(w("gridCol")):
        col.set(w("w"), "0")
    for width in table.iter(w("tcW")):
        width.set(w("w"), "1")
    set_prop(table.find(w("tblPr")), "tblW", w="1", type="dxa")


def _merged_cell(root: etree._Element) -> None:
    row = _agreement_row(root)
    cell = row.findall(w("tc"))[1]
    set_prop(props(cell, "tcPr"), "vMerge")


TABLE_TAMPERS = {
    "row of exact height 1": _row_height_exact,
    "hidden row": _row_hidden,
    "table with zero width": _zero_width_table,
    "merged cell hides its text": _merged_cell,
}


@pytest.mark.parametrize("name", list(TABLE_TAMPERS))
def test_hidden_or_zero_size_table_is_named(name: str, document: bytes, key: ServerKey) -> None:
    result = check(edit(document, DOCUMENT, TABLE_TAMPERS[name]), key)
    assert_not_valid(result, "hidden_table")
    refs = {r for c, r in result.differences_codes if c == "hidden_table"}
    assert refs & {"agreement:3", "plan"}, result.differences


def test_white_cell_text_through_table_style_condition(document: bytes, key: ServerKey) -> None:
    """A conditional format of the table style (first row) turning the header white."""

    def change(root: etree._Element) -> None:
        grid = style(root, "TableGrid")
        grid.append(
            xml(
                '<w:tblStylePr w:type="firstRow"><w:rPr><w:color w:val="FFFFFF"/></w:rPr>'
                '<w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="FFFFFF"/></w:tcPr>'
                "</w:tblStylePr>"
            )
        )

    result = check(edit(document, STYLES, change), key)
    assert_not_valid(result, "faint_text", "plan")


# --- headers and footers --------------------------------------------------------------------


def test_header_text_is_named(document: bytes, key: ServerKey) -> None:
    def change(root: etree._Element) -> None:
        runs_with(root, "Plandag Lindelaan")[0].find(w("t")).text = "CONCEPT — NIET VASTGESTELD"

    result = check(edit(document, "word/header1.xml", change), key)
    assert_not_valid(result, "header_changed", "header")
    assert "The header differs" in " ".join(result.differences)


def test_footer_fingerprint_is_named(document: bytes, key: ServerKey) -> None:
    def change(root: etree._Element) -> None:
        run = runs_with(root, "Vingerafdruk")[0]
        run.find(w("t")).text = "Vingerafdruk 0000-1111-2222-3333"

    assert_not_valid(
        check(edit(document, "word/footer1.xml", change), key), "footer_changed", "footer"
    )


def test_hidden_header_is_named(document: bytes, key: ServerKey) -> None:
    def change(root: etree._Element) -> None:
        for run in root.iter(w("r")):
            set_prop(props(run, "rPr"), "vanish")

    assert_not_valid(
        check(edit(document, "word/header1.xml", change), key), "hidden_text", "header"
    )


def _header_xml(text: str) -> bytes:
    return (f'<w:hdr xmlns:w="{W}"><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:hdr>').encode()


def test_first_page_header_is_named(document: bytes, key: ServerKey) -> None:
    """The title page has titlePg and no header; a header2 for the first page shows text."""
    data, r_id = add_part(
        document,
        "word/header2.xml",
        _header_xml("CONCEPT"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml",
        "header",
    )

    def change(root: etree._Element) -> None:
        sect = root.find(f"{w('body')}/{w('sectPr')}")
        ref = etree.Element(w("headerReference"))
        ref.set(w("type"), "first")
        ref.set(f"{{{R}}}id", r_id)
        sect.insert(0, ref)

    assert_not_valid(check(edit(data, DOCUMENT, change), key), "header_changed", "header")


def test_section_break_with_another_header_is_named(document: bytes, key: ServerKey) -> None:
    data, r_id = add_part(
        document,
        "word/header3.xml",
        _header_xml("Ingetrokken"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml",
        "header",
    )

    def change(root: etree._Element) -> None:
        paragraph = paragraph_with(root, "Kwestieomschrijving")
        ppr = props(paragraph, "pPr")
        ppr.append(
            xml(
                f'<w:sectPr><w:headerReference w:type="default" r:id="{r_id}"/>'
                '<w:pgSz w:w="11906" w:h="16838"/></w:sectPr>'
            )
        )

    assert_not_valid(check(edit(data, DOCUMENT, change), key), "header_changed", "header")


def test_even_page_header_missing_is_named(document: bytes, key: ServerKey) -> None:
    def change(root: etree._Element) -> None:
        root.insert(0, xml("<w:evenAndOddHeaders/>"))

    assert_not_valid(check(edit(document, "word/settings.xml", change), key), "header_changed")


# --- notes, comments, text boxes, fields, extra parts -------------------------------------


def _reference(tag: str, **attrs: str) -> Callable[[etree._Element], None]:
    def change(root: etree._Element) -> None:
        paragraph = paragraph_with(root, AGREEMENT_3)
        run = etree.SubElement(paragraph, w("r"))
        ref = etree.SubElement(run, w(tag))
        for name, value in attrs.items():
            ref.set(w(name), value)

    return change


def test_footnote_is_named(document: bytes, key: ServerKey) -> None:
    notes = (
        f'<w:footnotes xmlns:w="{W}"><w:footnote w:id="1"><w:p><w:r>'
        "<w:t>Deze afspraak is vervallen.</w:t></w:r></w:p></w:footnote></w:footnotes>"
    ).encode()
    data, _r = add_part(
        document,
        "word/footnotes.xml",
        notes,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml",
        "footnotes",
    )
    result = check(edit(data, DOCUMENT, _reference("footnoteReference", id="1")), key)
    assert_not_valid(result, "extra_content", "agreement:3")
    assert_not_valid(result, "extra_content", "part:word/footnotes.xml")


def test_endnote_reference_is_named(document: bytes, key: ServerKey) -> None:
    result = check(edit(document, DOCUMENT, _reference("endnoteReference", id="1")), key)
    assert_not_valid(result, "extra_content", "agreement:3")


def test_comment_is_named(document: bytes, key: ServerKey) -> None:
    comments = (
        f'<w:comments xmlns:w="{W}"><w:comment w:id="0" w:author="X"><w:p><w:r>'
        "<w:t>Niet doorgaan.</w:t></w:r></w:p></w:comment></w:comments>"
    ).encode()
    data, _r = add_part(
        document,
        "word/comments.xml",
        comments,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml",
        "comments",
    )
    result = check(edit(data, DOCUMENT, _reference("commentReference", id="0")), key)
    assert_not_valid(result, "extra_content", "agreement:3")
    assert_not_valid(result, "extra_part", "part:word/comments.xml")


def test_vml_text_box_is_named(document: bytes, key: ServerKey) -> None:
    def change(root: etree._Element) -> None:
        paragraph = paragraph_with(root, AGREEMENT_3)
        paragraph.append(
            xml(
                '<w:r><w:pict><v:shape style="position:absolute;width:200pt;height:40pt">'
                "<v:textbox><w:txbxContent><w:p><w:r><w:t>Vervallen</w:t></w:r></w:p>"
                "</w:txbxContent></v:textbox></v:shape></w:pict></w:r>"
            )
        )

    result = check(edit(document, DOCUMENT, change), key)
    assert_not_valid(result, "extra_content", "agreement:3")
    assert any("text box" in d for d in result.differences)


def test_word_text_box_is_named(document: bytes, key: ServerKey) -> None:
    def change(root: etree._Element) -> None:
        paragraph = paragraph_with(root, AGREEMENT_3)
        paragraph.append(
            xml(
                '<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing>'
                '<wp:anchor><wp:extent cx="100" cy="100"/><a:graphic><a:graphicData '
                'uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
                "<wps:wsp><wps:txbx><w:txbxContent><w:p><w:r><w:t>Vervallen</w:t></w:r>"
                "</w:p></w:txbxContent></wps:txbx></wps:wsp></a:graphicData></a:graphic>"
                "</wp:anchor></w:drawing></mc:Choice></mc:AlternateContent></w:r>"
            )
        )

    result = check(edit(document, DOCUMENT, change), key)
    assert_not_valid(result, "extra_content", "agreement:3")
    assert any("text box" in d for d in result.differences)


def test_field_rendering_other_text_is_named(document: bytes, key: ServerKey) -> None:
    def change(root: etree._Element) -> None:
        paragraph = paragraph_with(root, AGREEMENT_3)
        paragraph.append(
            xml('<w:fldSimple w:instr=" DOCPROPERTY Extra "><w:r><w:t/></w:r></w:fldSimple>')
        )

    assert_not_valid(check(edit(document, DOCUMENT, change), key), "extra_content", "agreement:3")


def test_complex_field_in_the_body_is_named(document: bytes, key: ServerKey) -> None:
    def change(root: etree._Element) -> None:
        paragraph = paragraph_with(root, AGREEMENT_3)
        for fragment in (
            '<w:r><w:fldChar w:fldCharType="begin"/></w:r>',
            '<w:r><w:instrText> QUOTE "vervallen" </w:instrText></w:r>',
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>',
            '<w:r><w:fldChar w:fldCharType="end"/></w:r>',
        ):
            paragraph.append(xml(fragment))

    assert_not_valid(check(edit(document, DOCUMENT, change), key), "extra_content", "agreement:3")


def test_alt_chunk_is_named(document: bytes, key: ServerKey) -> None:
    data, r_id = add_part(
        document,
        "word/extra.html",
        b"<html><body>Vervallen</body></html>",
        "text/html",
        "aFChunk",
    )

    def change(root: etree._Element) -> None:
        body = root.find(w("body"))
        chunk = etree.Element(w("altChunk"))
        chunk.set(f"{{{R}}}id", r_id)
        body.insert(3, chunk)

    result = check(edit(data, DOCUMENT, change), key)
    assert_not_valid(result, "extra_content")
    assert_not_valid(result, "extra_part", "part:word/extra.html")


def test_tracked_insertion_is_named(document: bytes, key: ServerKey) -> None:
    def change(root: etree._Element) -> None:
        paragraph = paragraph_with(root, AGREEMENT_3)
        paragraph.append(xml('<w:ins w:id="9" w:author="X"><w:r><w:t>niet</w:t></w:r></w:ins>'))

    assert_not_valid(check(edit(document, DOCUMENT, change), key), "extra_content", "agreement:3")


def test_hyperlink_is_named(document: bytes, key: ServerKey) -> None:
    def change(root: etree._Element) -> None:
        run = runs_with(root, AGREEMENT_3)[0]
        link = etree.Element(w("hyperlink"))
        link.set(w("anchor"), "x")
        run.addprevious(link)
        link.append(run)

    assert_not_valid(check(edit(document, DOCUMENT, change), key), "extra_content", "agreement:3")


def test_embedded_font_is_named(document: bytes, key: ServerKey) -> None:
    data, _r = (
        add_part(
            document,
            "word/fonts/font1.odttf",
            b"\0" * 64,
            "application/vnd.openxmlformats-officedocument.obfuscatedFont",
            "font",
            source="word/fontTable.xml",
        )
        if "word/_rels/fontTable.xml.rels" in members(document)
        else _font_rels(document)
    )
    assert_not_valid(check(data, key), "extra_part")


def _font_rels(document: bytes) -> tuple[bytes, str]:
    rels = (
        f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}font" '
        'Target="fonts/font1.odttf"/></Relationships>'
    ).encode()
    return rezip(
        document,
        {"word/_rels/fontTable.xml.rels": rels, "word/fonts/font1.odttf": b"\0" * 64},
    ), "rId1"


def test_unreferenced_extra_part_is_named(document: bytes, key: ServerKey) -> None:
    data = rezip(document, {"word/secret.xml": b"<x/>"})
    assert_not_valid(check(data, key), "extra_part", "part:word/secret.xml")


def test_page_background_is_named(document: bytes, key: ServerKey) -> None:
    def change(root: etree._Element) -> None:
        root.insert(0, xml('<w:background w:color="1F2A37"/>'))

    assert_not_valid(check(edit(document, DOCUMENT, change), key), "faint_text", "document")


# --- pictures and the verification address -----------------------------------------------


def _picture(root: etree._Element, name: str) -> etree._Element:
    doc_pr = next(d for d in root.iter(f"{{{WP}}}docPr") if d.get("name") == name)
    return doc_pr.getparent()


def test_shrunk_signature_is_named(document: bytes, key: ServerKey) -> None:
    def change(root: etree._Element) -> None:
        inline = _picture(root, "PlandagSignature1")
        for ext in (inline.find(f"{{{WP}}}extent"), next(inline.iter(f"{{{A}}}ext"))):
            ext.set("cx", "12700")
            ext.set("cy", "12700")

    assert_not_valid(check(edit(document, DOCUMENT, change), key), "image_size", "signature:1")


def test_stretched_signature_frame_only_is_named(document: bytes, key: ServerKey) -> None:
    """Only the outer extent changed (what Word lays out), the picture's own size kept."""

    def change(root: etree._Element) -> None:
        _picture(root, "PlandagSignature2").find(f"{{{WP}}}extent").set("cy", "12700")

    assert_not_valid(check(edit(document, DOCUMENT, change), key), "image_size", "signature:2")


def test_cropped_signature_is_named(document: bytes, key: ServerKey) -> None:
    def change(root: etree._Element) -> None:
        blip_fill = next(
            _picture(root, "PlandagSignature1").iter(
                "{http://schemas.openxmlformats.org/drawingml/2006/picture}blipFill"
            )
        )
        blip_fill.insert(1, xml('<a:srcRect l="0" t="0" r="99000" b="0"/>'))

    assert_not_valid(check(edit(document, DOCUMENT, change), key), "image_altered", "signature:1")


def test_transparent_signature_is_named(document: bytes, key: ServerKey) -> None:
    def change(root: etree._Element) -> None:
        blip = next(_picture(root, "PlandagSignature1").iter(f"{{{A}}}blip"))
        blip.append(xml('<a:alphaModFix amt="0"/>'))

    assert_not_valid(check(edit(document, DOCUMENT, change), key), "image_altered", "signature:1")


def test_hidden_picture_is_named(document: bytes, key: ServerKey) -> None:
    def change(root: etree._Element) -> None:
        _picture(root, "PlandagSignature1").find(f"{{{WP}}}docPr").set("hidden", "1")

    assert_not_valid(check(edit(document, DOCUMENT, change), key), "hidden_text", "signature:1")


def _image_part(data: bytes, name: str) -> str:
    root = etree.fromstring(members(data)[DOCUMENT])
    r_id = next(_picture(root, name).iter(f"{{{A}}}blip")).get(f"{{{R}}}embed")
    rels = etree.fromstring(members(data)["word/_rels/document.xml.rels"])
    target = next(r.get("Target") for r in rels if r.get("Id") == r_id)
    return "word/" + target


def test_swapped_qr_picture_kept_under_its_name_is_named(document: bytes, key: ServerKey) -> None:
    part = _image_part(document, "PlandagVerifyQR")
    swapped = rezip(document, {part: qr_png("https://plandag-controle.example.net/verify")})
    assert_not_valid(check(swapped, key), "image_changed", "seal:qr")


def test_swapped_signature_picture_same_name_is_named(document: bytes, key: ServerKey) -> None:
    from shared.plandoc.sample import signature_png

    part = _image_part(document, "PlandagSignature3")
    swapped = rezip(document, {part: signature_png(999)})
    assert_not_valid(check(swapped, key), "image_changed", "signature:3")


def test_swapped_verify_url_is_named(document: bytes, key: ServerKey) -> None:
    """The address in the text, the QR code and both embedded copies swapped for a
    look-alike site: the address is sealed in the record (format 2)."""
    evil = "https://plandag-controle.example.net/verify"
    parts = members(document)
    changes = {}
    for name, content in parts.items():
        if name.endswith(".xml") and URL.encode() in content:
            changes[name] = content.replace(URL.encode(), evil.encode())
    assert DOCUMENT in changes and "docProps/custom.xml" in changes
    changes[_image_part(document, "PlandagVerifyQR")] = qr_png(evil)
    result = check(rezip(document, changes), key)
    assert_not_valid(result, "text_changed", "seal")
    assert_not_valid(result, "verify_url", "seal")


def test_swapped_verify_url_only_in_properties_is_named(document: bytes, key: ServerKey) -> None:
    evil = "https://plandag-controle.example.net/verify"
    custom = members(document)["docProps/custom.xml"].replace(URL.encode(), evil.encode())
    assert_not_valid(check(rezip(document, {"docProps/custom.xml": custom}), key), "verify_url")


# --- what stays valid ---------------------------------------------------------------------------


def test_bold_only_stays_valid(document: bytes, key: ServerKey) -> None:
    def change(root: etree._Element) -> None:
        for run in runs_with(root, AGREEMENT_3):
            set_prop(props(run, "rPr"), "b")

    result = check(edit(document, DOCUMENT, change), key)
    assert result.valid, result.differences


def test_another_font_stays_valid(document: bytes, key: ServerKey) -> None:
    def change(root: etree._Element) -> None:
        for run in root.iter(w("r")):
            set_prop(props(run, "rPr"), "rFonts", ascii="Times New Roman", hAnsi="Times New Roman")

    result = check(edit(document, DOCUMENT, change), key)
    assert result.valid, result.differences


def test_dark_text_colour_and_light_highlight_stay_valid(document: bytes, key: ServerKey) -> None:
    def change(root: etree._Element) -> None:
        for run in runs_with(root, AGREEMENT_3):
            set_prop(props(run, "rPr"), "color", val="7F0000")
            set_prop(props(run, "rPr"), "highlight", val="yellow")

    result = check(edit(document, DOCUMENT, change), key)
    assert result.valid, result.differences


def _libreoffice_resave(data: bytes) -> bytes:
    exe = soffice_path()
    assert exe, "LibreOffice (soffice) is needed for the re-save test"
    with tempfile.TemporaryDirectory(prefix="plandag-lo-") as tmp:
        folder = Path(tmp)
        (folder / "in").mkdir()
        source = folder / "in" / "plan.docx"
        source.write_bytes(data)
        subprocess.run(
            [
                exe,
                f"-env:UserInstallation={(folder / 'profile').as_uri()}",
                "--headless",
                "--norestore",
                "--convert-to",
                "docx",
                "--outdir",
                str(folder / "out"),
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=240,
            env={"PATH": "/usr/bin:/bin", "HOME": tmp, "SAL_USE_VCLPLUGIN": "svp"},
        )
        return (folder / "out" / "plan.docx").read_bytes()


@pytest.fixture(scope="module")
def resaved(document: bytes) -> bytes:
    return _libreoffice_resave(document)


def test_untouched_libreoffice_resave_stays_valid(
    document: bytes, resaved: bytes, key: ServerKey
) -> None:
    assert members(resaved)[DOCUMENT] != members(document)[DOCUMENT]  # really re-written
    result = check(resaved, key)
    assert result.valid, result.differences


def test_libreoffice_resave_of_hidden_text_is_caught(document: bytes, key: ServerKey) -> None:
    """Hidden in the XML, then saved by LibreOffice: still caught after the round trip."""
    hidden = edit(document, DOCUMENT, _run_prop("vanish"))
    result = check(_libreoffice_resave(hidden), key)
    assert_not_valid(result, "hidden_text", "agreement:3")


# --- formats ----------------------------------------------------------------------------------


def _format_1(record: dict[str, Any]) -> dict[str, Any]:
    old = copy.deepcopy(record)
    old["format"] = "plandag-plan/1"
    old.pop("verify_url")
    return old


def test_format_1_document_verifies_with_this_servers_address(
    record: dict[str, Any], key: ServerKey
) -> None:
    old = _format_1(record)
    data = build_docx(old, seal(old, key), URL, sample_images(old))
    assert verify_docx(data, key.public_key_b64, [URL]).valid
    result = verify_docx(data, key.public_key_b64, ["https://other.example/verify"])
    assert_not_valid(result, "verify_url", "seal")


def test_format_2_record_seals_the_address(record: dict[str, Any], key: ServerKey) -> None:
    assert record["format"] == "plandag-plan/2" and record["verify_url"] == URL
    data = build_docx(record, seal(record, key), "https://ignored.example/v", sample_images(record))
    assert b"ignored.example" not in members(data)[DOCUMENT]
    assert re.search(URL.encode(), members(data)[DOCUMENT])
    assert hashlib.sha256(qr_png(URL)).hexdigest() in {
        hashlib.sha256(v).hexdigest() for k, v in members(data).items() if k.endswith(".png")
    }


def test_locked_page_field_showing_other_text_is_named(document: bytes, key: ServerKey) -> None:
    def change(root: etree._Element) -> None:
        begin = next(root.iter(w("fldChar")))
        begin.set(w("fldLock"), "1")
        result = next(t for t in root.iter(w("t")) if t.text == "1")
        result.text = "CONCEPT"

    result = check(edit(document, "word/footer1.xml", change), key)
    assert_not_valid(result, "extra_content", "footer")


def test_dark_cell_behind_a_drawn_signature_is_named(document: bytes, key: ServerKey) -> None:
    def change(root: etree._Element) -> None:
        cell = next(_picture(root, "PlandagSignature1").iterancestors(w("tc")))
        set_prop(props(cell, "tcPr"), "shd", val="clear", color="auto", fill="101010")

    assert_not_valid(check(edit(document, DOCUMENT, change), key), "image_altered", "signature:1")


def test_columns_without_room_are_named(document: bytes, key: ServerKey) -> None:
    def change(root: etree._Element) -> None:
        cols = root.find(f"{w('body')}/{w('sectPr')}/{w('cols')}")
        cols.set(w("num"), "2")
        cols.set(w("space"), "9000")

    assert_not_valid(check(edit(document, DOCUMENT, change), key), "displaced_text", "document")

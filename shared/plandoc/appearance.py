"""What a reader of a .docx sees: the visible text, the pictures and what hides them.

The verifier compares the text of a document with what the sealed record renders to.
Text alone is not enough: a run marked hidden, white text, a 1-pt font, a table style with
``w:vanish``, a row of fixed zero height, a footnote or a text box all change what a reader
sees while leaving the ``w:t`` text alone. This module walks the parts a reader sees (the
body, headers and footers) and the formatting that applies to them (direct formatting,
paragraph, character and table styles along their ``basedOn`` chains, document defaults,
numbering) and reports every `Finding` that makes the visible document differ from the
plain text.

The approach is an allow-list: markup Plandag writes, and markup a word processor writes
when it re-saves an untouched plan (LibreOffice, Word), is known and checked by value
(a font size must be readable, a colour must contrast with its background, a picture must
keep its size). Anything else, from footnotes to text effects, is a finding of its own.
Changing the font or making text bold stays allowed: it does not hide anything.

Pure functions over lxml trees; no I/O besides the `Archive` handed in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from lxml import etree

from .package import Archive

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
PIC = "http://schemas.openxmlformats.org/drawingml/2006/picture"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"

MIN_HALF_POINTS = 12
"""Smallest readable font size, in half points (6 pt)."""
MIN_CONTRAST = 3.0
"""Least contrast (WCAG ratio) between text and its background; white on white is 1."""
MIN_COLUMN_TWIPS = 284
"""Narrowest table column (0.5 cm); Plandag's narrowest is 1 cm."""
MAX_INDENT_TWIPS = 2268
"""Largest paragraph indent (4 cm); beyond it text is pushed out of narrow cells."""
MAX_CELL_MARGIN_TWIPS = 567
PICTURE_TOLERANCE = 0.01
"""How far a picture's displayed size may drift (word processors round to their units)."""
FINDINGS_PER_CODE = 30
"""How many places one kind of finding names at most, and per kind of place."""
FINDINGS_PER_KIND = 2

PAGE_TOKEN, PAGES_TOKEN = "{page}", "{pages}"
"""Placeholders for the PAGE and NUMPAGES fields of the footer."""

SYMBOL_FONTS = frozenset(
    name.casefold()
    for name in (
        "Symbol", "Wingdings", "Wingdings 2", "Wingdings 3", "Webdings", "Marlett",
        "Zapf Dingbats", "ZapfDingbats", "ITC Zapf Dingbats", "MT Extra", "OpenSymbol",
        "Bookshelf Symbol 7", "MS Reference Specialty", "Segoe MDL2 Assets",
        "Segoe Fluent Icons", "Dingbats", "Monotype Sorts", "Wingdings-Regular",
        "Font Awesome", "Material Icons", "Flexi IDEAS",
    )
)  # fmt: skip


@dataclass(frozen=True)
class Finding:
    """Something a reader sees (or cannot see) that the plain text does not show.

    `code` is stable: hidden_text, faint_text, tiny_text, displaced_text, altered_text,
    hidden_table, extra_content, extra_part, unknown_markup, header_changed,
    footer_changed, image_size, image_altered. `detail` names the mechanism in
    WordprocessingML terms (language-neutral). `unit` is the index of the body text the
    finding belongs to (see `BodyContent.texts`), `place` a ref for findings outside the
    body text (``header``, ``footer``, ``part:word/footnotes.xml``, ``style:Name``)."""

    code: str
    detail: str
    unit: int | None = None
    place: str | None = None


@dataclass(frozen=True)
class Picture:
    unit: int | None  # the body text (cell) it is in
    target: str | None  # the image part, None when it is missing
    cx: int | None  # displayed size (EMU) as wp:extent
    cy: int | None
    xfrm_cx: int | None  # and as the picture's own transform
    xfrm_cy: int | None


@dataclass
class BodyContent:
    texts: list[str] = field(default_factory=list)
    pictures: list[Picture] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    sections: list[etree._Element] = field(default_factory=list)


def q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _local(element: etree._Element) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return str(etree.QName(tag).localname)


def _prefixed(element: etree._Element) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        return "?"
    name = etree.QName(tag)
    prefixes = {W: "w", A: "a", WP: "wp", PIC: "pic", W14: "w14", R: "r"}
    prefix = prefixes.get(name.namespace or "", element.prefix or "?")
    return f"{prefix}:{name.localname}"


def _val(element: etree._Element | None, attr: str = "val") -> str | None:
    if element is None:
        return None
    value = element.get(w(attr))
    return None if value is None else str(value)


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(float(value.strip().rstrip("%")))
    except (ValueError, OverflowError):
        return None


def _on(element: etree._Element | None) -> bool:
    """A toggle or on/off property: present and not switched off."""
    if element is None:
        return False
    value = _val(element)
    return value is None or value.lower() not in ("0", "false", "off", "none")


# --- colours ----------------------------------------------------------------------------------

Rgb = tuple[int, int, int]

HIGHLIGHTS: dict[str, Rgb | None] = {
    "black": (0, 0, 0), "blue": (0, 0, 255), "cyan": (0, 255, 255), "green": (0, 255, 0),
    "magenta": (255, 0, 255), "red": (255, 0, 0), "yellow": (255, 255, 0),
    "white": (255, 255, 255), "darkBlue": (0, 0, 128), "darkCyan": (0, 128, 128),
    "darkGreen": (0, 128, 0), "darkMagenta": (128, 0, 128), "darkRed": (128, 0, 0),
    "darkYellow": (128, 128, 0), "darkGray": (128, 128, 128), "lightGray": (192, 192, 192),
    "none": None,
}  # fmt: skip
WHITE: Rgb = (255, 255, 255)
BLACK: Rgb = (0, 0, 0)
INK: Rgb = (0x1A, 0x1A, 0x1A)  # the ink of a drawn signature (transparent elsewhere)

_THEME_SLOTS = {
    "dark1": "dk1", "text1": "dk1", "light1": "lt1", "background1": "lt1",
    "dark2": "dk2", "text2": "dk2", "light2": "lt2", "background2": "lt2",
    "accent1": "accent1", "accent2": "accent2", "accent3": "accent3", "accent4": "accent4",
    "accent5": "accent5", "accent6": "accent6", "hyperlink": "hlink",
    "followedHyperlink": "folHlink",
}  # fmt: skip


def parse_hex(value: str | None) -> Rgb | None:
    if value is None or not re.fullmatch(r"[0-9A-Fa-f]{6}", value):
        return None
    return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))


def _luminance(rgb: Rgb) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else float(((s + 0.055) / 1.055) ** 2.4)

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: Rgb, b: Rgb) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _mix(a: Rgb, b: Rgb, share_b: float) -> Rgb:
    r0, g0, b0 = a
    r1, g1, b1 = b
    return (
        round(r0 + (r1 - r0) * share_b),
        round(g0 + (g1 - g0) * share_b),
        round(b0 + (b1 - b0) * share_b),
    )


class Theme:
    def __init__(self, root: etree._Element | None) -> None:
        self.colors: dict[str, Rgb] = {}
        if root is None:
            return
        scheme = next(root.iter(q(A, "clrScheme")), None)
        if scheme is None:
            return
        for slot in scheme:
            for child in slot:
                value = child.get("val") if _local(child) == "srgbClr" else child.get("lastClr")
                rgb = parse_hex(value)
                if rgb is not None:
                    self.colors[_local(slot)] = rgb

    def resolve(self, name: str | None, tint: str | None, shade: str | None) -> Rgb | None:
        if not name:
            return None
        rgb = self.colors.get(_THEME_SLOTS.get(name, name))
        if rgb is None:
            return None
        t, s = _int_hex(tint), _int_hex(shade)
        if t is not None:
            rgb = _mix(WHITE, rgb, t / 255)
        if s is not None:
            rgb = _mix(BLACK, rgb, s / 255)
        return rgb


def _int_hex(value: str | None) -> int | None:
    if value is None or not re.fullmatch(r"[0-9A-Fa-f]{1,2}", value):
        return None
    return int(value, 16)


def _colors_of(element: etree._Element, theme: Theme, attr: str = "val") -> list[Rgb] | None:
    """Every colour a word processor might show for a colour attribute (`attr`: ``val`` of
    a w:color, ``fill`` or ``color`` of a w:shd): its value and its theme colour. [] for
    "auto" (chosen by the renderer to contrast), None when unreadable."""
    value = _val(element, attr)
    found: list[Rgb] = []
    prefix = "themeFill" if attr == "fill" else "themeColor"
    tint = "themeFillTint" if attr == "fill" else "themeTint"
    shade = "themeFillShade" if attr == "fill" else "themeShade"
    themed = theme.resolve(_val(element, prefix), _val(element, tint), _val(element, shade))
    if themed is not None:
        found.append(themed)
    if value is None or value.lower() == "auto":
        return found
    rgb = parse_hex(value)
    if rgb is None:
        return None
    found.append(rgb)
    return found


def shading_color(shd: etree._Element, theme: Theme) -> list[Rgb] | None:
    """The colours a w:shd paints ([] when it paints nothing, None when unknown)."""
    pattern = (_val(shd) or "clear").strip()
    fills = _colors_of(shd, theme, "fill")
    colors = _colors_of(shd, theme, "color")
    if fills is None or colors is None:
        return None
    if pattern in ("clear", "nil"):
        return fills
    pattern_color = colors or [BLACK]
    if pattern == "solid":
        return pattern_color
    base = fills or [WHITE]
    share = 0.5
    if pattern.startswith("pct"):
        number = _int(pattern[3:])
        if number is None:
            return None
        share = number / 100
    return [_mix(b, c, share) for b in base for c in pattern_color]


# --- styles -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Style:
    style_id: str
    kind: str
    name: str
    element: etree._Element
    based_on: str | None


class Styles:
    """The styles part: lookup, basedOn chains, defaults of each kind."""

    def __init__(self, root: etree._Element | None) -> None:
        self.by_id: dict[str, Style] = {}
        self.defaults: dict[str, str] = {}
        self.doc_rpr: etree._Element | None = None
        self.doc_ppr: etree._Element | None = None
        if root is None:
            return
        defaults = root.find(w("docDefaults"))
        if defaults is not None:
            self.doc_rpr = defaults.find(f"{w('rPrDefault')}/{w('rPr')}")
            self.doc_ppr = defaults.find(f"{w('pPrDefault')}/{w('pPr')}")
        for element in root.iter(w("style")):
            style_id = _val(element, "styleId") or ""
            kind = _val(element, "type") or "paragraph"
            name = _val(element.find(w("name"))) or style_id
            based = _val(element.find(w("basedOn")))
            self.by_id.setdefault(style_id, Style(style_id, kind, name, element, based))
            if _on_attr(element, "default"):
                self.defaults.setdefault(kind, style_id)

    def chain(self, style_id: str | None, kind: str) -> list[Style]:
        """The style and what it is based on, the base first. A missing or absent style
        id falls back to the default style of its kind, as word processors do."""
        start = self.by_id.get(style_id or "") if style_id else None
        if start is None:
            start = self.by_id.get(self.defaults.get(kind, ""))
        found: list[Style] = []
        seen: set[str] = set()
        current = start
        while current is not None and current.style_id not in seen and len(found) < 32:
            seen.add(current.style_id)
            found.append(current)
            current = self.by_id.get(current.based_on or "") if current.based_on else None
        found.reverse()
        return found


def _on_attr(element: etree._Element, attr: str) -> bool:
    value = element.get(w(attr))
    return value is not None and value.lower() in ("1", "true", "on")


# --- allow-lists ------------------------------------------------------------------------------

# run properties that only change the look without hiding: checked by value where it matters
RPR_ALLOWED = frozenset(
    """rStyle rFonts b bCs i iCs caps smallCaps noProof snapToGrid color spacing w kern
    position sz szCs highlight u bdr shd vertAlign rtl cs em lang specVanish vanish webHidden
    strike dstrike outline shadow emboss imprint effect fitText eastAsianLayout oMath
    rPrChange ins del moveFrom moveTo""".split()
)
PPR_ALLOWED = frozenset(
    """pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr
    suppressLineNumbers pBdr shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct
    topLinePunct autoSpaceDE autoSpaceDN bidi adjustRightInd snapToGrid spacing ind
    contextualSpacing mirrorIndents suppressOverlap jc textDirection textAlignment
    textboxTightWrap outlineLvl cnfStyle rPr sectPr pPrChange""".split()
)
W14_HARMLESS = frozenset(
    "ligatures numForm numSpacing stylisticSets cntxtAlts paraId textId".split()
)
TBLPR_ALLOWED = frozenset(
    """tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW
    jc tblCellSpacing tblInd tblBorders shd tblLayout tblCellMar tblLook tblCaption
    tblDescription tblPrChange""".split()
)
TRPR_ALLOWED = frozenset(
    """cnfStyle divId gridBefore gridAfter wBefore wAfter cantSplit trHeight tblHeader
    tblCellSpacing jc hidden ins del trPrChange""".split()
)
TCPR_ALLOWED = frozenset(
    """cnfStyle tcW gridSpan hMerge vMerge tcBorders shd noWrap tcMar textDirection
    tcFitText vAlign hideMark headers cellIns cellDel cellMerge tcPrChange""".split()
)
SECTPR_ALLOWED = frozenset(
    """headerReference footerReference footnotePr endnotePr type pgSz pgMar paperSrc
    pgBorders lnNumType pgNumType cols formProt vAlign noEndnote titlePg textDirection
    bidi rtlGutter docGrid printerSettings sectPrChange""".split()
)
# elements that carry no visible content of their own
MARKERS = frozenset(
    """bookmarkStart bookmarkEnd proofErr permStart permEnd lastRenderedPageBreak
    moveFromRangeStart moveFromRangeEnd moveToRangeStart moveToRangeEnd""".split()
)
# the content Plandag never writes, by what a reader would call it
EXTRA_CONTENT = {
    "footnoteReference": "footnote",
    "endnoteReference": "endnote",
    "footnoteRef": "footnote",
    "endnoteRef": "endnote",
    "commentReference": "comment",
    "commentRangeStart": "comment",
    "commentRangeEnd": "comment",
    "annotationRef": "comment",
    "txbxContent": "text box",
    "textbox": "text box",
    "txbx": "text box",
    "pict": "drawing (VML)",
    "object": "embedded object",
    "altChunk": "altChunk (imported content)",
    "subDoc": "subdocument",
    "hyperlink": "hyperlink",
    "fldSimple": "field",
    "sdt": "content control",
    "customXml": "custom XML element",
    "smartTag": "smart tag",
    "ins": "tracked change",
    "del": "tracked change",
    "moveFrom": "tracked change",
    "moveTo": "tracked change",
    "rPrChange": "tracked change",
    "pPrChange": "tracked change",
    "tblPrChange": "tracked change",
    "trPrChange": "tracked change",
    "tcPrChange": "tracked change",
    "sectPrChange": "tracked change",
    "cellIns": "tracked change",
    "cellDel": "tracked change",
    "cellMerge": "tracked change",
    "ruby": "phonetic guide (ruby)",
    "contentPart": "ink",
    "oMath": "equation",
    "oMathPara": "equation",
    "sym": "symbol character",
    "ptab": "absolute tab",
    "pgNum": "page number",
    "dayShort": "date", "dayLong": "date", "monthShort": "date", "monthLong": "date",
    "yearShort": "date", "yearLong": "date",
    "dir": "bidirectional override",
    "bdo": "bidirectional override",
    "AlternateContent": "drawing (alternate content)",
    "anchor": "floating drawing",
}  # fmt: skip


# --- the walker -------------------------------------------------------------------------------


@dataclass
class _Layer:
    """One level of formatting: where it comes from and its rPr / pPr."""

    source: str
    rpr: etree._Element | None = None
    ppr: etree._Element | None = None


@dataclass
class _Cell:
    """Table context of a paragraph: its background candidates and table style layers."""

    backgrounds: list[list[Rgb]]
    layers: list[_Layer]


@dataclass
class _Field:
    instruction: list[str] = field(default_factory=list)
    state: str = "instr"  # instr, result
    allowed: bool = False
    locked: bool = False  # w:fldLock: the cached result is shown and never updated
    result: list[str] = field(default_factory=list)


class Reader:
    """Reads one package's visible parts. Collects findings as it goes."""

    def __init__(self, archive: Archive, document_part: str) -> None:
        self.archive = archive
        self.document_part = document_part
        self.findings: list[Finding] = []
        self._cache: dict[tuple[int, str, str], tuple[etree._Element, list[tuple[str, str]]]] = {}
        rels = archive.relationships(document_part)
        self.document_rels = rels

        def part_of(kind: str) -> etree._Element | None:
            for _id, rel_type, target in rels:
                if _rel_kind(rel_type) == kind.lower() and archive.has(target):
                    return archive.xml(target)
            return None

        self.styles_root = part_of("styles")
        self.styles = Styles(self.styles_root)
        self.theme = Theme(part_of("theme"))
        self.numbering = part_of("numbering")
        self.settings = part_of("settings")
        self.font_table = part_of("fontTable")
        self.symbol_fonts = set(SYMBOL_FONTS)
        if self.font_table is not None:
            for font in self.font_table.iter(w("font")):
                charset = _val(font.find(w("charset")))
                if charset and charset.upper() in ("02", "2"):
                    self.symbol_fonts.add((_val(font, "name") or "").casefold())
        self.unit: int | None = None

    # findings
    def find(self, code: str, detail: str, place: str | None = None) -> None:
        self.findings.append(Finding(code, detail, None if place else self.unit, place))

    # -- style level checks (once per style element) --------------------------------------
    def check_style_flags(self, root: etree._Element | None) -> None:
        """Hidden text in any style of the part (used or not: Plandag never writes one)."""
        if root is None:
            return
        for element in root.iter(w("style")):
            name = _val(element.find(w("name"))) or _val(element, "styleId") or "?"
            for rpr in element.iter(w("rPr")):
                for tag in ("vanish", "specVanish", "webHidden"):
                    if _on(rpr.find(w(tag))):
                        self.find("hidden_text", f"w:{tag}", place=f"style:{name}")
        defaults = root.find(w("docDefaults"))
        if defaults is not None:
            for rpr in defaults.iter(w("rPr")):
                for tag in ("vanish", "specVanish", "webHidden"):
                    if _on(rpr.find(w(tag))):
                        self.find("hidden_text", f"w:{tag}", place="style:defaults")

    # -- property checks ---------------------------------------------------------------------
    def _cached(
        self, element: etree._Element, source: str, body: Callable[[etree._Element, str], None]
    ) -> None:
        """Run a check of a style's properties once, and repeat its findings for every text
        that uses the style (so each place is named)."""
        key = (id(element), source, body.__name__)
        entry = self._cache.get(key)
        if entry is None:
            saved, self.findings = self.findings, []
            try:
                body(element, source)
                found = [(f.code, f.detail) for f in self.findings]
            finally:
                self.findings = saved
            entry = self._cache[key] = (element, found)  # the element keeps its id unique
        for code, detail in entry[1]:
            self.find(code, detail)

    def _check_rpr_markup(self, rpr: etree._Element, source: str) -> None:
        self._cached(rpr, source, self._rpr_findings)

    def _check_ppr_markup(self, ppr: etree._Element, source: str) -> None:
        self._cached(ppr, source, self._ppr_findings)

    def _rpr_findings(self, rpr: etree._Element, source: str) -> None:
        for child in rpr:
            if not isinstance(child.tag, str):
                continue
            name = etree.QName(child.tag)
            local = name.localname
            if name.namespace == W14:
                if local not in W14_HARMLESS:
                    self.find("altered_text", f"w14:{local}, {source}")
                continue
            if name.namespace != W or local not in RPR_ALLOWED:
                self.find("unknown_markup", f"{_prefixed(child)}, {source}")
                continue
            if local in EXTRA_CONTENT:
                self.find("extra_content", f"{EXTRA_CONTENT[local]}, {source}")
            elif local in ("vanish", "specVanish", "webHidden") and _on(child):
                self.find("hidden_text", f"w:{local}, {source}")
            elif local in ("strike", "dstrike", "outline", "shadow", "emboss", "imprint"):
                if _on(child):
                    self.find("altered_text", f"w:{local}, {source}")
            elif local == "effect" and (_val(child) or "none") != "none":
                self.find("altered_text", f"w:effect, {source}")
            elif local == "fitText":
                self.find("tiny_text", f"w:fitText, {source}")
            elif local == "eastAsianLayout" and any(
                _on_attr(child, a) for a in ("combine", "vert", "vertCompress")
            ):
                self.find("altered_text", f"w:eastAsianLayout, {source}")
            elif local == "oMath":
                self.find("extra_content", f"equation, {source}")
            elif local == "w":
                scale = _int(_val(child))
                if scale is not None and scale != 100:
                    code = "tiny_text" if scale < 100 else "displaced_text"
                    self.find(code, f"w:w {scale}%, {source}")
            elif local == "position":
                shift = _int(_val(child))
                if shift is not None and abs(shift) > 2:
                    self.find("displaced_text", f"w:position {shift}, {source}")
            elif local == "spacing":
                spacing = _int(_val(child))
                if spacing is not None and not -20 <= spacing <= 400:
                    self.find("displaced_text", f"w:spacing {spacing}, {source}")
            elif local == "rFonts":
                for attr in ("ascii", "hAnsi", "cs", "eastAsia"):
                    font = child.get(w(attr))
                    if font and font.casefold() in self.symbol_fonts:
                        self.find("altered_text", f"symbol font “{font}”, {source}")

    def _ppr_findings(self, ppr: etree._Element, source: str) -> None:
        for child in ppr:
            if not isinstance(child.tag, str):
                continue
            name = etree.QName(child.tag)
            local = name.localname
            if name.namespace != W or local not in PPR_ALLOWED:
                self.find("unknown_markup", f"{_prefixed(child)}, {source}")
            elif local in EXTRA_CONTENT:
                self.find("extra_content", f"{EXTRA_CONTENT[local]}, {source}")
            elif local == "framePr":
                self.find("displaced_text", f"w:framePr, {source}")
            elif local == "textDirection" and (_val(child) or "lrTb") not in ("lrTb", "tb"):
                self.find("displaced_text", f"w:textDirection, {source}")
            elif local == "ind":
                for attr in ("left", "start", "right", "end", "firstLine", "hanging"):
                    value = _int(child.get(w(attr)))
                    if value is not None and not -567 <= value <= MAX_INDENT_TWIPS:
                        self.find("displaced_text", f"w:ind {attr}={value}, {source}")
                    chars = _int(child.get(w(f"{attr}Chars")))  # hundredths of a character
                    if chars is not None and not -300 <= chars <= 1000:
                        self.find("displaced_text", f"w:ind {attr}Chars={chars}, {source}")
            elif local == "spacing":
                line = _int(child.get(w("line")))
                rule = child.get(w("lineRule")) or "auto"
                if line is not None and (
                    (rule == "auto" and line < 180) or (rule == "exact" and line < 160)
                ):
                    self.find("tiny_text", f"w:spacing line={line} {rule}, {source}")

    def _numbering_layers(self, num_pr: etree._Element | None) -> list[_Layer]:
        """The numbering level a paragraph uses: its indent applies to the paragraph, its
        text (a bullet) is shown before it."""
        if num_pr is None or self.numbering is None:
            return []
        num_id = _val(num_pr.find(w("numId")))
        level = _val(num_pr.find(w("ilvl"))) or "0"
        if num_id in (None, "0"):
            return []
        num = next((n for n in self.numbering.iter(w("num")) if _val(n, "numId") == num_id), None)
        if num is None:
            return []
        lvl = None
        for override in num.iter(w("lvlOverride")):
            if _val(override, "ilvl") == level:
                lvl = override.find(w("lvl"))
        if lvl is None:
            abstract_id = _val(num.find(w("abstractNumId")))
            abstract = next(
                (
                    a
                    for a in self.numbering.iter(w("abstractNum"))
                    if _val(a, "abstractNumId") == abstract_id
                ),
                None,
            )
            if abstract is None:
                return []
            lvl = next((x for x in abstract.iter(w("lvl")) if _val(x, "ilvl") == level), None)
        if lvl is None:
            return []
        fmt = _val(lvl.find(w("numFmt"))) or "decimal"
        text = _val(lvl.find(w("lvlText"))) or ""
        if fmt not in ("bullet", "none") or any(c.isalnum() for c in text) or len(text) > 2:
            self.find("extra_content", f"numbering text “{text[:20]}”")
        return [_Layer("numbering", None, lvl.find(w("pPr")))]

    # -- effective formatting ------------------------------------------------------------------
    def paragraph_layers(
        self, ppr: etree._Element | None, cell: _Cell | None
    ) -> tuple[list[_Layer], list[Style]]:
        """Layers from the document defaults up to the paragraph style (not direct)."""
        layers = [_Layer("document defaults", self.styles.doc_rpr, self.styles.doc_ppr)]
        if cell is not None:
            layers.extend(cell.layers)
        style_id = _val(ppr.find(w("pStyle"))) if ppr is not None else None
        chain = self.styles.chain(style_id, "paragraph")
        for style in chain:
            layers.append(
                _Layer(
                    f"style “{style.name}”",
                    style.element.find(w("rPr")),
                    style.element.find(w("pPr")),
                )
            )
        num_pr = ppr.find(w("numPr")) if ppr is not None else None
        if num_pr is None:
            for layer in reversed(layers):
                if layer.ppr is not None and layer.ppr.find(w("numPr")) is not None:
                    num_pr = layer.ppr.find(w("numPr"))
                    break
        # numbering sits between the table styles and the paragraph style
        numbering = self._numbering_layers(num_pr)
        index = 1 + (len(cell.layers) if cell is not None else 0)
        layers[index:index] = numbering
        return layers, chain

    def run_layers(self, base: list[_Layer], rpr: etree._Element | None) -> list[_Layer]:
        layers = list(base)
        style_id = _val(rpr.find(w("rStyle"))) if rpr is not None else None
        for style in self.styles.chain(style_id, "character"):
            layers.append(_Layer(f"character style “{style.name}”", style.element.find(w("rPr"))))
        layers.append(_Layer("direct formatting", rpr))
        return layers

    def check_run(
        self, layers: list[_Layer], paragraph_bg: list[list[Rgb]], text: bool = True
    ) -> None:
        """Check the effective run formatting of text (or of a paragraph mark)."""
        sizes: dict[str, tuple[int, str]] = {}
        color: tuple[list[Rgb] | None, str] | None = None
        highlight: tuple[list[Rgb] | None, str] | None = None
        shading: tuple[list[Rgb] | None, str] | None = None
        raised = ""
        for layer in layers:
            rpr = layer.rpr
            if rpr is None:
                continue
            self._check_rpr_markup(rpr, layer.source)
            for tag in ("sz", "szCs"):
                value = _int(_val(rpr.find(w(tag))))
                if value is not None:
                    sizes[tag] = (value, layer.source)
            found = rpr.find(w("color"))
            if found is not None:
                color = (_colors_of(found, self.theme), layer.source)
            found = rpr.find(w("highlight"))
            if found is not None:
                name = _val(found) or "none"
                if name in HIGHLIGHTS:
                    rgb = HIGHLIGHTS[name]
                    highlight = ([] if rgb is None else [rgb], layer.source)
                else:
                    highlight = (None, layer.source)
            found = rpr.find(w("shd"))
            if found is not None:
                shading = (shading_color(found, self.theme), layer.source)
            found = rpr.find(w("vertAlign"))
            if found is not None:
                raised = "" if (_val(found) or "baseline") == "baseline" else layer.source
        if not text:
            return
        for tag in ("sz", "szCs"):
            value, source = sizes.get(tag, (20, "default"))
            effective = value * 2 / 3 if raised else value
            if effective < MIN_HALF_POINTS:
                self.find("tiny_text", f"w:{tag} {value / 2:g} pt, {source}")
        backgrounds = list(paragraph_bg)
        for layer_bg in (shading, highlight):
            if layer_bg is None:
                continue
            colors, source = layer_bg
            if colors is None:
                self.find("faint_text", f"unknown background, {source}")
            elif colors:
                backgrounds = [colors]
        if color is None:
            return
        colors, source = color
        if colors is None:
            self.find("faint_text", f"unreadable w:color, {source}")
            return
        behind = backgrounds[-1] if backgrounds else [WHITE]
        for fg in colors:
            for bg in behind:
                ratio = contrast(fg, bg)
                if ratio < MIN_CONTRAST:
                    self.find(
                        "faint_text",
                        f"w:color {_hex(fg)} on {_hex(bg)}, contrast {ratio:.1f}:1, {source}",
                    )
                    return

    def paragraph_backgrounds(
        self, layers: list[_Layer], ppr: etree._Element | None, cell: _Cell | None
    ) -> list[list[Rgb]]:
        backgrounds = list(cell.backgrounds) if cell is not None else []
        shd = None
        source = ""
        for layer in [*layers, _Layer("direct formatting", None, ppr)]:
            if layer.ppr is not None and layer.ppr.find(w("shd")) is not None:
                shd, source = layer.ppr.find(w("shd")), layer.source
        if shd is not None:
            colors = shading_color(shd, self.theme)
            if colors is None:
                self.find("faint_text", f"unknown paragraph shading, {source}")
            elif colors:
                backgrounds.append(colors)
        return backgrounds


def _hex(rgb: Rgb) -> str:
    return "{:02X}{:02X}{:02X}".format(*rgb)


# --- content walking ------------------------------------------------------------------------


class ContentWalker:
    """Walks a story (body, header, footer): texts per paragraph or cell, pictures, and
    the findings about what hides or adds content."""

    def __init__(self, reader: Reader, *, fields_allowed: bool, pictures_allowed: bool) -> None:
        self.reader = reader
        self.fields_allowed = fields_allowed
        self.pictures_allowed = pictures_allowed
        self.content = BodyContent()

    @property
    def find(self) -> Callable[..., None]:
        return self.reader.find

    def _new_unit(self) -> int:
        self.content.texts.append("")
        self.reader.unit = len(self.content.texts) - 1
        return self.reader.unit

    def walk_story(self, root: etree._Element) -> BodyContent:
        for child in root:
            self._block(child, None)
        return self.content

    def _block(self, element: etree._Element, cell: _Cell | None) -> None:
        local = _local(element)
        if not isinstance(element.tag, str):
            return
        namespace = etree.QName(element.tag).namespace
        if namespace == W and local == "p":
            if cell is None:
                unit = self._new_unit()
                self.content.texts[unit] = self._paragraph(element, None)
            else:
                self._paragraph_into_cell(element, cell)
        elif namespace == W and local == "tbl":
            if cell is not None:
                self.find("extra_content", "nested table")
            self._table(element)
        elif namespace == W and local == "sectPr":
            self.content.sections.append(element)
            self._check_section(element)
        elif namespace == W and local in MARKERS:
            return
        elif local in EXTRA_CONTENT:
            self.find("extra_content", EXTRA_CONTENT[local])
        else:
            self.find("unknown_markup", _prefixed(element))

    # -- tables ------------------------------------------------------------------------------
    def _table(self, tbl: etree._Element) -> None:
        reader = self.reader
        tbl_pr = tbl.find(w("tblPr"))
        style_id = _val(tbl_pr.find(w("tblStyle"))) if tbl_pr is not None else None
        chain = reader.styles.chain(style_id, "table")
        style_layers = [
            _Layer(f"table style “{s.name}”", s.element.find(w("rPr")), s.element.find(w("pPr")))
            for s in chain
        ]
        table_bg: list[list[Rgb]] = []
        # table-level findings name the table's first cell (the next text unit)
        reader.unit = len(self.content.texts)
        for source, props in [
            *((f"table style “{s.name}”", s.element.find(w("tblPr"))) for s in chain),
            ("direct formatting", tbl_pr),
        ]:
            if props is not None:
                self._check_tblpr(props, source, table_bg)
        self._check_grid(tbl)
        look = _table_look(tbl_pr)
        rows = [r for r in tbl if _local(r) == "tr"]
        band_rows = 1
        for s in chain:
            size = _int(_val(s.element.find(f"{w('tblPr')}/{w('tblStyleRowBandSize')}")))
            band_rows = max(1, size or band_rows)
        for other in tbl:
            if _local(other) not in ("tblPr", "tblGrid", "tr") and _local(other) not in MARKERS:
                self._block(other, _Cell([], []))
        for row_index, row in enumerate(rows):
            reader.unit = len(self.content.texts)
            tr_pr = row.find(w("trPr"))
            if tr_pr is not None:
                self._check_trpr(tr_pr)
            ex = row.find(w("tblPrEx"))
            row_bg = list(table_bg)
            if ex is not None:
                self._check_tblpr(ex, "row table exceptions", row_bg)
            cells = [c for c in row if _local(c) == "tc"]
            for other in row:
                if _local(other) not in ("trPr", "tblPrEx", "tc") and _local(other) not in MARKERS:
                    self._block(other, _Cell([], []))
            for col_index, tc in enumerate(cells):
                conditions = _conditions(
                    look, row_index, len(rows), col_index, len(cells), band_rows
                )
                self._cell(tc, chain, style_layers, row_bg, conditions)

    def _cell(
        self,
        tc: etree._Element,
        chain: list[Style],
        style_layers: list[_Layer],
        row_bg: list[list[Rgb]],
        conditions: list[str],
    ) -> None:
        reader = self.reader
        unit = self._new_unit()
        layers = list(style_layers)
        backgrounds = list(row_bg)
        tc_props: list[tuple[str, etree._Element]] = []
        for s in chain:
            props = s.element.find(w("tcPr"))
            if props is not None:
                tc_props.append((f"table style “{s.name}”", props))
        for s in chain:
            for conditional in s.element.iter(w("tblStylePr")):
                kind = _val(conditional, "type") or ""
                if kind not in conditions:
                    continue
                source = f"table style “{s.name}” ({kind})"
                layers.append(
                    _Layer(source, conditional.find(w("rPr")), conditional.find(w("pPr")))
                )
                props = conditional.find(w("tcPr"))
                if props is not None:
                    tc_props.append((source, props))
        tc_pr = tc.find(w("tcPr"))
        if tc_pr is not None:
            tc_props.append(("direct formatting", tc_pr))
        for source, props in tc_props:
            self._check_tcpr(props, source, backgrounds)
        # table style text formatting is checked on its own too: word processors differ in
        # whether a paragraph style overrides it
        for layer in layers:
            if layer.rpr is not None:
                reader.check_run([layer], backgrounds)
        cell = _Cell(backgrounds, layers)
        texts: list[str] = []
        for child in tc:
            local = _local(child)
            if local == "tcPr":
                continue
            if local == "p" and etree.QName(child.tag).namespace == W:
                reader.unit = unit
                texts.append(self._paragraph(child, cell))
            else:
                reader.unit = unit
                self._block(child, cell)
        self.content.texts[unit] = "\n".join(texts)

    def _paragraph_into_cell(self, element: etree._Element, cell: _Cell) -> None:
        unit = self._new_unit()
        self.content.texts[unit] = self._paragraph(element, cell)

    def _check_tblpr(
        self, props: etree._Element, source: str, backgrounds: list[list[Rgb]]
    ) -> None:
        find = self.find
        for child in props:
            local = _local(child)
            if not local:
                continue
            if etree.QName(child.tag).namespace != W or local not in TBLPR_ALLOWED:
                find("unknown_markup", f"{_prefixed(child)}, {source}")
            elif local in EXTRA_CONTENT:
                find("extra_content", f"{EXTRA_CONTENT[local]}, {source}")
            elif local == "tblpPr":
                find("displaced_text", f"w:tblpPr floating table, {source}")
            elif local == "bidiVisual" and _on(child):
                find("displaced_text", f"w:bidiVisual, {source}")
            elif local == "tblW":
                kind = child.get(w("type")) or "dxa"
                width = _int(child.get(w("w")))
                if width is not None and (
                    (kind == "dxa" and 0 < width < 1134)
                    or (kind == "pct" and 0 < width < 500)
                    or width < 0
                ):
                    find("hidden_table", f"w:tblW {width} {kind}, {source}")
            elif local == "tblInd":
                width = _int(child.get(w("w")))
                if width is not None and abs(width) > 1440:
                    find("displaced_text", f"w:tblInd {width}, {source}")
            elif local == "tblCellMar":
                for side in child:
                    width = _int(side.get(w("w")))
                    if width is not None and not 0 <= width <= MAX_CELL_MARGIN_TWIPS:
                        find("hidden_table", f"w:tblCellMar {_local(side)}={width}, {source}")
            elif local == "tblCellSpacing":
                width = _int(child.get(w("w")))
                if width is not None and width > 567:
                    find("hidden_table", f"w:tblCellSpacing {width}, {source}")
            elif local == "shd":
                colors = shading_color(child, self.reader.theme)
                if colors is None:
                    find("faint_text", f"unknown table shading, {source}")
                elif colors:
                    backgrounds.append(colors)

    def _check_grid(self, tbl: etree._Element) -> None:
        grid = tbl.find(w("tblGrid"))
        if grid is None:
            return
        for col in grid.iter(w("gridCol")):
            width = _int(col.get(w("w")))
            if width is not None and width < MIN_COLUMN_TWIPS:
                self.find("hidden_table", f"w:gridCol {width}")

    def _check_trpr(self, props: etree._Element) -> None:
        find = self.find
        for child in props:
            local = _local(child)
            if not local:
                continue
            if etree.QName(child.tag).namespace != W or local not in TRPR_ALLOWED:
                find("unknown_markup", _prefixed(child))
            elif local in EXTRA_CONTENT:
                find("extra_content", EXTRA_CONTENT[local])
            elif local == "hidden" and _on(child):
                find("hidden_table", "w:hidden row")
            elif local == "trHeight" and child.get(w("hRule")) == "exact":
                find("hidden_table", f"w:trHeight exact {child.get(w('val'))}")
            elif local == "divId":
                find("unknown_markup", "w:divId")
            elif local in ("wBefore", "wAfter"):
                width = _int(child.get(w("w")))
                if width is not None and width > 2835:
                    find("displaced_text", f"w:{local} {width}")

    def _check_tcpr(self, props: etree._Element, source: str, backgrounds: list[list[Rgb]]) -> None:
        find = self.find
        for child in props:
            local = _local(child)
            if not local:
                continue
            if etree.QName(child.tag).namespace != W or local not in TCPR_ALLOWED:
                find("unknown_markup", f"{_prefixed(child)}, {source}")
            elif local in EXTRA_CONTENT:
                find("extra_content", f"{EXTRA_CONTENT[local]}, {source}")
            elif local == "tcW":
                kind = child.get(w("type")) or "dxa"
                width = _int(child.get(w("w")))
                if width is not None and (
                    (kind == "dxa" and 0 <= width < MIN_COLUMN_TWIPS and width != 0)
                    or (kind == "pct" and 0 < width < 150)
                    or width < 0
                ):
                    find("hidden_table", f"w:tcW {width} {kind}, {source}")
            elif local in ("vMerge", "hMerge"):
                find("hidden_table", f"w:{local}, {source}")
            elif local == "noWrap" and _on(child):
                find("displaced_text", f"w:noWrap, {source}")
            elif local == "tcFitText" and _on(child):
                find("tiny_text", f"w:tcFitText, {source}")
            elif local == "hideMark" and _on(child):
                find("hidden_table", f"w:hideMark, {source}")
            elif local == "textDirection" and (_val(child) or "lrTb") not in ("lrTb", "tb"):
                find("displaced_text", f"w:textDirection, {source}")
            elif local == "tcMar":
                for side in child:
                    width = _int(side.get(w("w")))
                    if width is not None and not 0 <= width <= MAX_CELL_MARGIN_TWIPS:
                        find("hidden_table", f"w:tcMar {_local(side)}={width}, {source}")
            elif local == "shd":
                colors = shading_color(child, self.reader.theme)
                if colors is None:
                    find("faint_text", f"unknown cell shading, {source}")
                elif colors:
                    backgrounds.append(colors)

    # -- sections ------------------------------------------------------------------------------
    def _check_section(self, sect: etree._Element) -> None:
        def find(code: str, detail: str) -> None:  # a section's layout concerns the document
            self.reader.find(code, detail, place="document")

        for child in sect:
            local = _local(child)
            if not local:
                continue
            if etree.QName(child.tag).namespace != W or local not in SECTPR_ALLOWED:
                find("unknown_markup", f"{_prefixed(child)} (section)")
            elif local in EXTRA_CONTENT:
                find("extra_content", EXTRA_CONTENT[local])
            elif local == "textDirection" and (_val(child) or "lrTb") not in ("lrTb", "tb"):
                find("displaced_text", "w:textDirection (section)")
            elif local == "lnNumType":
                find("extra_content", "line numbers")
        size = sect.find(w("pgSz"))
        margins = sect.find(w("pgMar"))
        width = _int(size.get(w("w"))) if size is not None else 11906
        height = _int(size.get(w("h"))) if size is not None else 16838
        if (
            width is None
            or height is None
            or not (5670 <= width <= 34020 and 5670 <= height <= 34020)
        ):
            find("displaced_text", f"w:pgSz {width}×{height} (section)")
            return
        values = {}
        if margins is not None:
            for attr in ("top", "bottom", "left", "right", "header", "footer", "gutter"):
                values[attr] = _int(margins.get(w(attr))) or 0
        for attr, value in values.items():
            if not 0 <= value <= 5670:
                find("displaced_text", f"w:pgMar {attr}={value} (section)")
        text_width = (
            width - values.get("left", 0) - values.get("right", 0) - values.get("gutter", 0)
        )
        text_height = height - values.get("top", 0) - values.get("bottom", 0)
        if text_width < 5670 or text_height < 5670:
            find("displaced_text", "text area under 10 cm (section)")
        cols = sect.find(w("cols"))
        if cols is not None:
            count = max(1, _int(cols.get(w("num"))) or 1)
            space = _int(cols.get(w("space"))) or 0
            widths = [_int(c.get(w("w"))) for c in cols.iter(w("col"))]
            narrow = (
                any(x is not None and x < 1134 for x in widths)
                if widths and not _on_attr(cols, "equalWidth")
                else (text_width - (count - 1) * space) / count < 1134
            )
            if narrow or count > 4:
                find("displaced_text", f"w:cols {count} columns (section)")

    # -- paragraphs and runs -------------------------------------------------------------------
    def _paragraph(self, p: etree._Element, cell: _Cell | None) -> str:
        reader = self.reader
        ppr = p.find(w("pPr"))
        layers, _chain = reader.paragraph_layers(ppr, cell)
        for layer in layers:
            if layer.ppr is not None:
                reader._check_ppr_markup(layer.ppr, layer.source)
        if ppr is not None:
            reader._check_ppr_markup(ppr, "direct formatting")
            sect = ppr.find(w("sectPr"))
            if sect is not None:
                self.content.sections.append(sect)
                self._check_section(sect)
        backgrounds = reader.paragraph_backgrounds(layers, ppr, cell)
        # the paragraph mark: hidden marks merge paragraphs
        mark = ppr.find(w("rPr")) if ppr is not None else None
        reader.check_run(reader.run_layers(layers, mark), backgrounds, text=False)
        parts: list[str] = []
        self._inline(p, layers, backgrounds, parts, [])
        return "".join(parts)

    def _inline(
        self,
        parent: etree._Element,
        layers: list[_Layer],
        backgrounds: list[list[Rgb]],
        parts: list[str],
        fields: list[_Field],
    ) -> None:
        for child in parent:
            if not isinstance(child.tag, str):
                continue
            name = etree.QName(child.tag)
            local = name.localname
            if name.namespace == W and local == "pPr":
                continue
            if name.namespace == W and local == "r":
                self._run(child, layers, backgrounds, parts, fields)
            elif name.namespace == W and local in MARKERS:
                continue
            elif name.namespace == W and local == "fldSimple":
                instruction = child.get(w("instr")) or ""
                token = self._field_token(instruction)
                if token is None:
                    self.find("extra_content", f"field “{_short(instruction)}”")
                    self._inline(child, layers, backgrounds, parts, fields)
                else:
                    parts.append(token)
            elif local in EXTRA_CONTENT:
                self.find("extra_content", EXTRA_CONTENT[local])
                if local in ("hyperlink", "smartTag", "ins", "moveTo", "customXml", "dir", "bdo"):
                    self._inline(child, layers, backgrounds, parts, fields)
                elif local == "sdt":
                    content = child.find(w("sdtContent"))
                    if content is not None:
                        self._inline(content, layers, backgrounds, parts, fields)
            else:
                self.find("unknown_markup", _prefixed(child))

    def _field_token(self, instruction: str) -> str | None:
        if not self.fields_allowed:
            return None
        words = instruction.split()
        if not words:
            return None
        kind = words[0].upper()
        rest = [x.upper() for x in words[1:]]
        if kind not in ("PAGE", "NUMPAGES") or any(
            x not in ("\\*", "MERGEFORMAT", "ARABIC") for x in rest
        ):
            return None
        return PAGE_TOKEN if kind == "PAGE" else PAGES_TOKEN

    def _run(
        self,
        run: etree._Element,
        layers: list[_Layer],
        backgrounds: list[list[Rgb]],
        parts: list[str],
        fields: list[_Field],
    ) -> None:
        reader = self.reader
        rpr = run.find(w("rPr"))
        run_layers = reader.run_layers(layers, rpr)
        has_text = False
        for child in run:
            if not isinstance(child.tag, str):
                continue
            name = etree.QName(child.tag)
            local = name.localname
            if name.namespace != W:
                if local == "AlternateContent":
                    self.find("extra_content", _describe_drawing(child))
                else:
                    self.find("unknown_markup", _prefixed(child))
                continue
            in_result = bool(fields) and fields[-1].state == "result"
            showing = not fields or (in_result and not fields[-1].allowed)
            if local == "rPr":
                continue
            if local == "fldChar":
                kind = child.get(w("fldCharType"))
                if kind == "begin":
                    fields.append(_Field(locked=_on_attr(child, "fldLock")))
                elif kind == "separate" and fields:
                    current = fields[-1]
                    current.state = "result"
                    token = self._field_token("".join(current.instruction))
                    if token is not None and current.locked:
                        self.find("extra_content", "locked field")
                        token = None
                    current.allowed = token is not None
                    if token is None:
                        self.find(
                            "extra_content", f"field “{_short(''.join(current.instruction))}”"
                        )
                    else:
                        parts.append(token)
                elif kind == "end" and fields:
                    current = fields.pop()
                    cached = "".join(current.result).strip()
                    if current.allowed and cached and not cached.isdigit():
                        # a viewer that does not update fields shows the cached result
                        self.find("extra_content", f"page field showing “{_short(cached)}”")
                    if current.state == "instr":  # a field without a shown result
                        token = self._field_token("".join(current.instruction))
                        if token is None:
                            self.find(
                                "extra_content",
                                f"field “{_short(''.join(current.instruction))}”",
                            )
                        else:
                            parts.append(token)
                continue
            if local == "instrText":
                if fields and fields[-1].state == "instr":
                    fields[-1].instruction.append(child.text or "")
                else:
                    self.find("extra_content", "field instruction")
                continue
            if not showing:
                if local == "t" and fields:
                    fields[-1].result.append(child.text or "")
                elif local != "rPr":
                    fields[-1].result.append("?")
                continue  # the cached result of Plandag's page field
            if local == "t":
                parts.append(child.text or "")
                has_text = has_text or bool((child.text or "").strip())
            elif local in ("br", "cr"):
                parts.append("\n")
            elif local == "tab":
                parts.append("\t")
            elif local == "noBreakHyphen":
                parts.append("-")
                has_text = True
            elif local in ("softHyphen", "lastRenderedPageBreak", "separator",
                           "continuationSeparator"):  # fmt: skip
                continue
            elif local == "drawing":
                self._drawing(child)
                behind = backgrounds[-1] if backgrounds else [WHITE]
                if any(contrast(INK, bg) < MIN_CONTRAST for bg in behind):
                    self.find("image_altered", "dark background behind the picture")
            elif local in ("pict", "object"):
                self.find("extra_content", _describe_drawing(child))
            elif local in EXTRA_CONTENT:
                self.find("extra_content", EXTRA_CONTENT[local])
                if local == "sym":
                    parts.append(child.get(w("char")) or "?")
                    has_text = True
            elif local in ("delText", "delInstrText"):
                self.find("extra_content", "tracked change")
            else:
                self.find("unknown_markup", _prefixed(child))
        if has_text or rpr is not None:
            reader.check_run(run_layers, backgrounds, text=has_text)

    # -- pictures ------------------------------------------------------------------------------
    def _drawing(self, drawing: etree._Element) -> None:
        inline = drawing.find(q(WP, "inline"))
        kinds = {_local(c) for c in drawing}
        if inline is None or kinds - {"inline"}:
            self.find("extra_content", _describe_drawing(drawing))
            return
        if not self.pictures_allowed:
            self.find("extra_content", "picture")
            return
        graphic_data = inline.find(f"{q(A, 'graphic')}/{q(A, 'graphicData')}")
        pic = graphic_data.find(q(PIC, "pic")) if graphic_data is not None else None
        if pic is None or len(graphic_data) != 1:
            self.find("extra_content", _describe_drawing(drawing))
            return
        for element in (
            inline.find(q(WP, "docPr")),
            pic.find(f"{q(PIC, 'nvPicPr')}/{q(PIC, 'cNvPr')}"),
        ):
            if element is not None and (element.get("hidden") or "").lower() in ("1", "true"):
                self.find("hidden_text", "hidden picture")
        for child in inline:
            if _local(child) not in (
                "extent",
                "effectExtent",
                "docPr",
                "cNvGraphicFramePr",
                "graphic",
            ):
                self.find("unknown_markup", f"{_prefixed(child)} (picture)")
        extent = inline.find(q(WP, "extent"))
        cx = _int(extent.get("cx")) if extent is not None else None
        cy = _int(extent.get("cy")) if extent is not None else None
        blip_fill = pic.find(q(PIC, "blipFill"))
        target = None
        if blip_fill is None:
            self.find("image_altered", "no picture fill")
        else:
            target = self._check_blip_fill(blip_fill)
        xfrm_cx = xfrm_cy = None
        sp_pr = pic.find(q(PIC, "spPr"))
        if sp_pr is not None:
            xfrm_cx, xfrm_cy = self._check_sp_pr(sp_pr)
        self.content.pictures.append(Picture(self.reader.unit, target, cx, cy, xfrm_cx, xfrm_cy))

    def _check_blip_fill(self, blip_fill: etree._Element) -> str | None:
        target = None
        for child in blip_fill:
            local = _local(child)
            if local == "blip":
                if child.get(q(R, "link")):
                    self.find("extra_content", "linked picture")
                r_id = child.get(q(R, "embed")) or ""
                target = self._image_target(r_id)
                for effect in child:
                    if _local(effect) != "extLst" or any(
                        _local(x) not in ("useLocalDpi", "imgProps", "ext")
                        for ext in effect
                        for x in [ext, *ext]
                    ):
                        self.find("image_altered", f"a:{_local(effect)}")
            elif local == "srcRect":
                if any((_int(child.get(a)) or 0) != 0 for a in ("l", "t", "r", "b")):
                    self.find("image_altered", "a:srcRect (cropped)")
            elif local == "stretch":
                fill = child.find(q(A, "fillRect"))
                if fill is not None and any(
                    (_int(fill.get(a)) or 0) != 0 for a in ("l", "t", "r", "b")
                ):
                    self.find("image_altered", "a:fillRect")
            else:
                self.find("image_altered", f"a:{local}")
        return target

    def _check_sp_pr(self, sp_pr: etree._Element) -> tuple[int | None, int | None]:
        cx = cy = None
        for child in sp_pr:
            local = _local(child)
            if local == "xfrm":
                if (_int(child.get("rot")) or 0) % 21600000 != 0 or any(
                    (child.get(a) or "0").lower() in ("1", "true") for a in ("flipH", "flipV")
                ):
                    self.find("image_altered", "a:xfrm rotated or flipped")
                ext = child.find(q(A, "ext"))
                if ext is not None:
                    cx, cy = _int(ext.get("cx")), _int(ext.get("cy"))
            elif local == "prstGeom":
                if child.get("prst") != "rect":
                    self.find("image_altered", f"a:prstGeom {child.get('prst')}")
            elif local in ("noFill", "ln", "extLst"):
                continue
            elif local == "effectLst" and len(child) == 0:
                continue
            else:
                self.find("image_altered", f"a:{local}")
        return cx, cy

    def _image_target(self, r_id: str) -> str | None:
        targets = getattr(self, "_targets", None)
        if targets is None:
            targets = {
                rid: target
                for rid, rel_type, target in self.reader.archive.relationships(self.story_part)
                if _rel_kind(rel_type) == "image"
            }
            self._targets = targets
        target = targets.get(r_id)
        if not isinstance(target, str) or not self.reader.archive.has(target):
            return None
        return target

    story_part = ""


def _describe_drawing(element: etree._Element) -> str:
    for node in element.iter():
        local = _local(node)
        if local in ("txbxContent", "textbox", "txbx"):
            return "text box"
    for node in element.iter():
        if _local(node) == "anchor":
            return "floating drawing"
    for node in element.iter():
        if _local(node) == "graphicData":
            uri = node.get("uri") or ""
            return f"drawing ({uri.rsplit('/', 1)[-1] or 'unknown'})"
    if _local(element) == "object":
        return "embedded object"
    if _local(element) == "pict":
        return "drawing (VML)"
    return "drawing"


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _table_look(tbl_pr: etree._Element | None) -> dict[str, bool]:
    look = {"firstRow": True, "lastRow": False, "firstColumn": True, "lastColumn": False,
            "noHBand": False, "noVBand": True}  # fmt: skip
    element = tbl_pr.find(w("tblLook")) if tbl_pr is not None else None
    if element is None:
        return look
    value = _val(element)
    if value and re.fullmatch(r"[0-9A-Fa-f]{1,4}", value):
        bits = int(value, 16)
        look = {
            "firstRow": bool(bits & 0x20), "lastRow": bool(bits & 0x40),
            "firstColumn": bool(bits & 0x80), "lastColumn": bool(bits & 0x100),
            "noHBand": bool(bits & 0x200), "noVBand": bool(bits & 0x400),
        }  # fmt: skip
    for key in look:
        attr = element.get(w(key))
        if attr is not None:
            look[key] = attr.lower() in ("1", "true", "on")
    return look


def _conditions(
    look: dict[str, bool], row: int, rows: int, col: int, cols: int, band_rows: int
) -> list[str]:
    """The conditional formats of a table style that apply to a cell, lowest first."""
    found = ["wholeTable"]
    first_row = look["firstRow"] and row == 0
    last_row = look["lastRow"] and row == rows - 1
    first_col = look["firstColumn"] and col == 0
    last_col = look["lastColumn"] and col == cols - 1
    if not look["noVBand"] and not (first_col or last_col):
        offset = col - (1 if look["firstColumn"] else 0)
        found.append("band1Vert" if offset % 2 == 0 else "band2Vert")
    if not look["noHBand"] and not (first_row or last_row):
        offset = (row - (1 if look["firstRow"] else 0)) // band_rows
        found.append("band1Horz" if offset % 2 == 0 else "band2Horz")
    if first_col:
        found.append("firstCol")
    if last_col:
        found.append("lastCol")
    if first_row:
        found.append("firstRow")
    if last_row:
        found.append("lastRow")
    if first_row and first_col:
        found.append("nwCell")
    if first_row and last_col:
        found.append("neCell")
    if last_row and first_col:
        found.append("swCell")
    if last_row and last_col:
        found.append("seCell")
    return found


# --- the package --------------------------------------------------------------------------------

DOCUMENT_RELS = {
    "styles", "settings", "websettings", "fonttable", "theme", "numbering", "header",
    "footer", "image", "customxml", "footnotes", "endnotes",
}  # fmt: skip
PACKAGE_RELS = {
    "officedocument", "metadata/core-properties", "extended-properties",
    "custom-properties", "metadata/thumbnail",
}  # fmt: skip
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships/"


def _rel_kind(rel_type: str) -> str:
    """The relationship type's short name, lower case (LibreOffice spells some URIs in
    lower case)."""
    lower = rel_type.lower()
    for prefix in (
        REL.lower(),
        PKG_REL.lower(),
        "http://schemas.microsoft.com/office/2007/relationships/",
    ):
        if lower.startswith(prefix):
            return lower[len(prefix) :]
    return lower


def check_parts(archive: Archive, document_part: str, reader: Reader) -> list[Finding]:
    """Every part must be one Plandag (or a word processor re-saving the plan) writes;
    notes and comments only when empty; nothing left over that a relationship does not
    reach."""
    findings: list[Finding] = []
    reached: set[str] = set()

    def add(code: str, detail: str, part: str) -> None:
        findings.append(Finding(code, detail, None, f"part:{part}"))

    for _id, rel_type, target in archive.relationships(""):
        kind = _rel_kind(rel_type)
        if kind not in PACKAGE_RELS:
            add("extra_part", kind.rsplit("/", 1)[-1], target)
            continue
        reached.add(target.lower())
    for _id, rel_type, target in archive.relationships(document_part, external=True):
        kind = _rel_kind(rel_type)
        if target is None:
            if kind == "image":
                add("extra_content", "linked picture", document_part)
            continue
        if kind == "styleswitheffects":
            reached.add(target.lower())
            if archive.has(target):
                reader.check_style_flags(archive.xml(target))
            continue
        if kind not in DOCUMENT_RELS:
            add("extra_part", kind.rsplit("/", 1)[-1], target)
            continue
        reached.add(target.lower())
        if kind in ("footnotes", "endnotes") and archive.has(target):
            note = "footnote" if kind == "footnotes" else "endnote"
            for item in archive.xml(target).iter(w(note)):
                if (_val(item, "type") or "normal") not in (
                    "separator",
                    "continuationSeparator",
                    "continuationNotice",
                ):
                    add("extra_content", note, target)
                    break
        if kind == "customxml":
            for _i, sub_type, sub in archive.relationships(target):
                if _rel_kind(sub_type) == "customxmlprops":
                    reached.add(sub.lower())
                else:
                    add("extra_part", _rel_kind(sub_type).rsplit("/", 1)[-1], sub)
        if kind in ("header", "footer", "image", "styles", "numbering", "theme", "websettings",
                    "fonttable", "settings", "footnotes", "endnotes"):  # fmt: skip
            for _i, sub_type, sub in archive.relationships(target, external=True):
                sub_kind = _rel_kind(sub_type)
                if sub is None:
                    if not (kind == "settings" and sub_kind == "attachedtemplate"):
                        if sub_kind != "hyperlink":
                            add("extra_part", sub_kind.rsplit("/", 1)[-1], target)
                    continue
                if kind == "fonttable" and sub_kind == "font":
                    add("extra_part", "embedded font", sub)
                else:
                    add("extra_part", sub_kind.rsplit("/", 1)[-1], sub)
    if reader.font_table is not None:
        for font in reader.font_table.iter(w("font")):
            for child in font:
                if _local(child).startswith("embed"):
                    add("extra_part", "embedded font", "word/fontTable.xml")
                    break
    reached.add(document_part.lower())
    for name in archive.names():
        lower = name.lower()
        if lower == "[content_types].xml" or lower.endswith(".rels") or lower.endswith("/"):
            continue
        if lower not in reached:
            add("extra_part", "unreferenced part", name)
    return findings


def read_stories(
    reader: Reader, sections: Sequence[etree._Element], expected: dict[str, str]
) -> list[Finding]:
    """Check every header and footer the sections refer to: only text, formatting that
    hides nothing, and exactly the text Plandag wrote where it shows (`expected` maps
    "header"/"footer" to that text, fields as `PAGE_TOKEN`/`PAGES_TOKEN`)."""
    findings: list[Finding] = []
    archive = reader.archive
    targets = {
        r_id: target
        for r_id, rel_type, target in reader.document_rels
        if _rel_kind(rel_type) in ("header", "footer")
    }
    texts: dict[str, str] = {}

    def story_text(target: str, kind: str) -> str:
        if target in texts:
            return texts[target]
        root = archive.xml(target)
        walker = ContentWalker(reader, fields_allowed=True, pictures_allowed=False)
        walker.story_part = target
        before = len(reader.findings)
        saved_unit = reader.unit
        reader.unit = None
        content = walker.walk_story(root)
        reader.unit = saved_unit
        place = kind
        for finding in reader.findings[before:]:
            findings.append(Finding(finding.code, finding.detail, None, place))
        del reader.findings[before:]
        text = " ".join(t for t in content.texts)
        texts[target] = text
        return text

    def comparable(text: str) -> str:
        return " ".join(text.replace("\t", " ").split())

    even = reader.settings is not None and _on(reader.settings.find(w("evenAndOddHeaders")))
    inherited: dict[tuple[str, str], str | None] = {}
    for sect in sections:
        title_page = _on(sect.find(w("titlePg")))
        for kind in ("header", "footer"):
            for ref in sect.iter(w(f"{kind}Reference")):
                ref_type = _val(ref, "type") or "default"
                target = targets.get(ref.get(q(R, "id")) or "")
                if target is None or not archive.has(target):
                    findings.append(Finding(f"{kind}_changed", "missing part", None, kind))
                    continue
                inherited[(kind, ref_type)] = target
            shown = [("default", True), ("first", title_page), ("even", even)]
            for ref_type, displayed in shown:
                target = inherited.get((kind, ref_type))
                text = comparable(story_text(target, kind)) if target else ""
                want = comparable(expected[kind])
                if ref_type == "first":
                    ok = text in ("", want) if displayed else True
                elif displayed:
                    ok = text == want
                else:
                    ok = text in ("", want)
                if not ok:
                    findings.append(
                        Finding(
                            f"{kind}_changed",
                            f"{ref_type} {kind}: “{_short(text, 60)}”",
                            None,
                            kind,
                        )
                    )
    return findings


def walk_body(reader: Reader, body: etree._Element) -> BodyContent:
    walker = ContentWalker(reader, fields_allowed=False, pictures_allowed=True)
    walker.story_part = reader.document_part
    document = body.getparent()
    if document is not None:
        background = document.find(w("background"))
        if background is not None:
            colors = _colors_of(background, reader.theme, "color")
            if colors is None or any(c != WHITE for c in colors):
                reader.find("faint_text", "page background colour", place="document")
    content = walker.walk_story(body)
    reader.check_style_flags(reader.styles_root)
    content.findings = list(reader.findings)
    return content


__all__ = [
    "PAGES_TOKEN",
    "PAGE_TOKEN",
    "BodyContent",
    "Finding",
    "Picture",
    "Reader",
    "check_parts",
    "read_stories",
    "walk_body",
]

"""The building blocks of a plan document, shared by every format version: plain
paragraphs, tables, the QR code, and the text helpers that make a text comparable. The
wording of each format lives in its own builder (`content` for the current format,
`format_v1` for documents sealed as ``plandag-plan/1``).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Europe/Amsterdam")

Line = tuple[str, str]
"""(ref, text): where a visible text comes from (e.g. ``"agreement:3"``) and the text."""


# --- text -------------------------------------------------------------------------------

_LINE_BREAKS = re.compile("\r\n|[\r\u2028\u2029\x0b\x0c\x85]")
_NOT_XML = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff\ud800-\udfff]")
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")


def clean(value: object) -> str:
    """A user text as the document shows it: NFC, ``\\n`` line breaks, no control
    characters, no trailing spaces on a line, no blank lines at the start or end."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value))
    text = _LINE_BREAKS.sub("\n", text).replace("\t", " ")
    text = _NOT_XML.sub("", text)
    lines = [line.rstrip() for line in text.split("\n")]
    return "\n".join(lines).strip("\n").strip()


def comparable(text: str) -> str:
    """The form in which texts are compared: NFC, invisible characters dropped and every run
    of whitespace (spaces, line or paragraph breaks, tabs) made one space. A word processor
    may turn a line break into a paragraph break or a space into a non-breaking one; that
    does not change what the plan says."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFC", text))
    return " ".join(text.split())


# --- blocks -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True)
class Para:
    ref: str
    runs: tuple[Run, ...]
    style: str = "Normal"  # Title, Subtitle, Heading 1, Heading 2, Normal, List Bullet, Note
    page_break_before: bool = False

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)


@dataclass(frozen=True)
class Cell:
    ref: str
    runs: tuple[Run, ...]
    image: str | None = None  # sha256 hex of a drawn signature (PNG) shown in this cell
    image_alt: str = ""

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)


@dataclass(frozen=True)
class Table:
    widths: tuple[float, ...]  # column widths in cm
    header: tuple[Cell, ...] | None
    rows: tuple[tuple[Cell, ...], ...]
    label_column: bool = False  # a two-column label/value table without a header row


@dataclass(frozen=True)
class QrCode:
    url: str
    alt: str


Block = Para | Table | QrCode


def blocks_to_lines(blocks: Iterable[Block]) -> list[Line]:
    lines: list[Line] = []
    for block in blocks:
        if isinstance(block, Para):
            if comparable(block.text):
                lines.append((block.ref, block.text))
        elif isinstance(block, Table):
            rows = ((block.header,) if block.header else ()) + block.rows
            for row in rows:
                for cell in row:
                    if comparable(cell.text):
                        lines.append((cell.ref, cell.text))
    return lines


def blocks_to_images(blocks: Iterable[Block]) -> list[tuple[str, str]]:
    """(ref, sha256) of every drawn signature, in document order."""
    found: list[tuple[str, str]] = []
    for block in blocks:
        if isinstance(block, Table):
            for row in block.rows:
                for cell in row:
                    if cell.image:
                        found.append((cell.ref, cell.image))
    return found


# --- dates and times --------------------------------------------------------------------


def parse_instant(value: object) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(LOCAL_TZ)


def parse_date(value: object) -> dt.date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None

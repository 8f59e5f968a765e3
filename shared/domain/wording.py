"""What changed between two versions of a text, and how people are told apart.

Both are shown to the room and written into the record, so they are computed here,
once, in plain Python: the console, the beamer, the phones and the plan document all
show the same diff and the same names.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

Op = Literal["same", "added", "removed"]

#: words (letters and digits, with inner apostrophes and hyphens), white space, or one
#: other character: a diff on these reads as words, not letters
_TOKEN = re.compile(r"\w+(?:['’-]\w+)*|\s+|[^\w\s]", re.UNICODE)


@dataclass(frozen=True)
class Segment:
    op: Op
    text: str

    def as_dict(self) -> dict[str, str]:
        return {"op": self.op, "text": self.text}


def word_diff(before: str, after: str) -> list[Segment]:
    """A readable word diff: runs of unchanged, removed and added text. Joining the
    'same' and 'removed' texts gives ``before``; 'same' and 'added' give ``after``."""
    a, b = _TOKEN.findall(before), _TOKEN.findall(after)
    out: list[Segment] = []

    def push(op: Op, tokens: Sequence[str]) -> None:
        text = "".join(tokens)
        if not text:
            return
        if out and out[-1].op == op:
            out[-1] = Segment(op, out[-1].text + text)
        else:
            out.append(Segment(op, text))

    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            push("same", a[i1:i2])
        else:
            # Removed before added, so a replaced word reads "old new".
            push("removed", a[i1:i2])
            push("added", b[j1:j2])
    return _absorb_spaces(out)


def _absorb_spaces(segments: list[Segment]) -> list[Segment]:
    """An unchanged run that is only white space between two changes joins them: "the
    old red car" → "a new blue car" reads as one change, not three."""
    out: list[Segment] = []
    for i, seg in enumerate(segments):
        between_changes = (
            seg.op == "same"
            and not seg.text.strip()
            and 0 < i < len(segments) - 1
            and segments[i - 1].op != "same"
            and segments[i + 1].op != "same"
        )
        if between_changes:
            out.append(Segment("removed", seg.text))
            out.append(Segment("added", seg.text))
        else:
            out.append(seg)
    merged: list[Segment] = []
    removed, added = "", ""

    def flush() -> None:
        nonlocal removed, added
        if removed:
            merged.append(Segment("removed", removed))
        if added:
            merged.append(Segment("added", added))
        removed, added = "", ""

    for seg in out:
        if seg.op == "removed":
            removed += seg.text
        elif seg.op == "added":
            added += seg.text
        else:
            flush()
            merged.append(seg)
    flush()
    return merged


def field_changes(
    before: Mapping[str, str], after: Mapping[str, str], fields: Iterable[str]
) -> dict[str, list[Segment]]:
    """Per field that changed, its word diff (unchanged fields left out)."""
    return {
        name: word_diff(before.get(name, ""), after.get(name, ""))
        for name in fields
        if before.get(name, "") != after.get(name, "")
    }


# --------------------------------------------------------------------------- names


def name_key(name: str) -> str:
    """What two names must share to be the same name (letter case and width aside)."""
    return unicodedata.normalize("NFKC", name).casefold().strip()


_same_name = name_key


def distinct_names(people: Iterable[tuple[int, str, str]]) -> dict[int, str]:
    """How each person is shown where names appear: their name, or, when someone else
    in the meeting has the same name, the name with their group ("Fatima (Bewoners)");
    when that is still not enough, a number by order of joining ("Fatima 2 (Bewoners)").

    ``people`` are (id, name, group) of everyone who joined the meeting, also those
    who were removed, so a label never changes because someone else left.
    """
    rows = sorted(people)
    by_name: dict[str, list[tuple[int, str, str]]] = {}
    for row in rows:
        by_name.setdefault(_same_name(row[1]), []).append(row)
    labels: dict[int, str] = {}
    taken = {name_key(name) for _pid, name, _group in rows}
    for same in by_name.values():
        if len(same) == 1:
            pid, name, _group = same[0]
            labels[pid] = name
            continue
        seen_in_group: dict[str, int] = {}
        for pid, name, group in same:
            n = seen_in_group.get(_same_name(group), 0) + 1
            # A number that would make it look like someone else's name is skipped.
            while n > 1 and name_key(f"{name} {n}") in taken and not group:
                n += 1
            seen_in_group[_same_name(group)] = n
            shown = name if n == 1 else f"{name} {n}"
            labels[pid] = f"{shown} ({group})" if group else shown
    return labels

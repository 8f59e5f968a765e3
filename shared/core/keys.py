"""Which audience sees which view key. Shared by services (to version per audience)
and views (to build what each audience gets). Phones get only what they show."""

from __future__ import annotations

from collections.abc import Iterable

AUDIENCES = ("console", "beamer", "phone")
ALL = frozenset(AUDIENCES)
SCREENS = frozenset({"console", "beamer"})
CONSOLE = frozenset({"console"})
ROOM = frozenset({"beamer", "phone"})

#: key (the part before ":") -> audiences that see it
SEEN_BY: dict[str, frozenset[str]] = {
    "meeting": ALL,
    "counts": SCREENS,
    "screens": CONSOLE,
    "access": CONSOLE,
    "participant": CONSOLE,
    # every contribution with its author, for moderation
    "contribution": CONSOLE,
    # the wall as the room sees it: only visible cards, names per the anonymity setting
    "card": ROOM,
    "themes": SCREENS,
    "prompts": CONSOLE,
    "info": ALL,
    # which check is open is for phones; its live tally only for the screens
    "recognition": ALL,
    "recognition_tally": SCREENS,
    "queue": SCREENS,
    "round": SCREENS,
    # proposals: everyone reads and votes; the live ranking only on the screens
    "proposal": ALL,
    "ranking": SCREENS,
    "tables": ALL,
    # consent: which round runs is for everyone; its live tally for the screens
    "consent": ALL,
    "consent_tally": SCREENS,
    "agreements": ALL,
    # kaders: the room sees them once locked (drafts only on the console and the
    # parties' own view); flags and the check are public record
    "frameworks": ALL,
    "framework_flags": ALL,
    "framework_check": ALL,
    # framework parties, their personal links and devices waiting for approval
    "parties": CONSOLE,
    # signing: open or closed for everyone; who signed (a tally) only on the screens
    "signing": ALL,
    "signing_tally": SCREENS,
}


def relevant(audience: str, key: str) -> bool:
    return audience in SEEN_BY.get(key.split(":", 1)[0], frozenset())


def audiences_for(keys: Iterable[str]) -> set[str]:
    keys = list(keys)
    return {a for a in AUDIENCES if any(relevant(a, k) for k in keys)}

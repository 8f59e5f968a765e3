"""The view-key registry: every key a screen's state can hold, declared once by the
feature that builds it.

A feature's ``screens`` module calls `view_key` (a whole key, e.g. ``consent_tally``) or
`item_key` (one key per row, e.g. ``proposal:<id>``) with the audiences that see it, and
`you_part` for its part of a phone's own view. Everything else is derived from here:
which audiences a change concerns (`audiences_for`, used to version per audience), the
snapshot (`shared.screens`), the update builder, and the check that docs/protocol.md
lists every key. A change that names a key nobody registered is a programming error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

AUDIENCES = ("console", "beamer", "phone")
ALL = frozenset(AUDIENCES)
SCREENS = frozenset({"console", "beamer"})
CONSOLE = frozenset({"console"})
ROOM = frozenset({"beamer", "phone"})

#: (session, meeting row, audience, base url) -> the key's value for that audience
Builder = Callable[[Any, Any, str, str], Any]
#: (session, meeting row, audience, ids or None for all) -> {"<name>:<id>": value}
ItemsBuilder = Callable[[Any, Any, str, "list[int] | None"], dict[str, Any]]
#: (session, meeting row, the phones' active people: `core.screens.PersonRow`) ->
#: {participant id: fields}
YouBuilder = Callable[[Any, Any, list[Any]], dict[int, dict[str, Any]]]


@dataclass(frozen=True)
class ViewKey:
    name: str
    audiences: frozenset[str]
    #: one line for the reader of the registry (the protocol reference says more)
    doc: str
    build: Builder | None = None
    build_items: ItemsBuilder | None = None

    @property
    def per_item(self) -> bool:
        return self.build_items is not None


@dataclass(frozen=True)
class YouPart:
    name: str
    fields: tuple[str, ...]
    build: YouBuilder


KEYS: dict[str, ViewKey] = {}
YOU_PARTS: dict[str, YouPart] = {}


def view_key(name: str, audiences: frozenset[str], doc: str) -> Callable[[Builder], Builder]:
    """Register the builder of a whole key."""

    def register(fn: Builder) -> Builder:
        _add(ViewKey(name, audiences, doc, build=fn))
        return fn

    return register


def item_key(
    name: str, audiences: frozenset[str], doc: str
) -> Callable[[ItemsBuilder], ItemsBuilder]:
    """Register the builder of a key per row, ``<name>:<id>``."""

    def register(fn: ItemsBuilder) -> ItemsBuilder:
        _add(ViewKey(name, audiences, doc, build_items=fn))
        return fn

    return register


def you_part(name: str, *fields: str) -> Callable[[YouBuilder], YouBuilder]:
    """Register a feature's part of a phone's own view (the fields it fills in)."""

    def register(fn: YouBuilder) -> YouBuilder:
        if name in YOU_PARTS:
            raise ValueError(f"you part {name!r} registered twice")
        YOU_PARTS[name] = YouPart(name, fields, fn)
        return fn

    return register


def _add(key: ViewKey) -> None:
    if key.name in KEYS:
        raise ValueError(f"view key {key.name!r} registered twice")
    if not key.audiences <= ALL:
        raise ValueError(f"view key {key.name!r}: unknown audience")
    KEYS[key.name] = key


def key_of(key: str) -> ViewKey:
    """The registration of a concrete key (``proposal:3`` -> ``proposal``)."""
    name, _, _rest = key.partition(":")
    found = KEYS.get(name)
    if found is None and not _loaded:
        load_features()
        found = KEYS.get(name)
    if found is None:
        raise KeyError(f"view key {key!r} is not registered (see shared/core/keys.py)")
    return found


_loaded = False


def load_features() -> None:
    """Fill the registry: every feature's screens register their keys when imported
    (shared.screens imports them all). The app does this at start; a service used on its
    own (a script, a test) gets it on its first change."""
    global _loaded
    import importlib

    importlib.import_module("shared.screens")
    _loaded = True


def relevant(audience: str, key: str) -> bool:
    return audience in key_of(key).audiences


def audiences_for(keys: Iterable[str]) -> set[str]:
    keys = list(keys)
    return {a for a in AUDIENCES if any(relevant(a, k) for k in keys)}


def seen_by() -> dict[str, frozenset[str]]:
    """Key name -> the audiences that see it (for the protocol reference)."""
    return {name: key.audiences for name, key in KEYS.items()}

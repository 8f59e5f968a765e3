"""Which audience sees which view key. Shared by services (to version per audience)
and views (to build what each audience gets)."""

from __future__ import annotations

from collections.abc import Iterable

AUDIENCES = ("console", "beamer", "phone")


def relevant(audience: str, key: str) -> bool:
    if key == "meeting":
        return True
    if key == "counts":
        return audience in ("console", "beamer")
    return audience == "console" and (
        key in ("screens", "access") or key.startswith("participant:")
    )


def audiences_for(keys: Iterable[str]) -> set[str]:
    keys = list(keys)
    return {a for a in AUDIENCES if any(relevant(a, k) for k in keys)}

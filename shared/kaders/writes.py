"""The kader writes both the facilitators (console) and a framework party (phone) make:
each reads its fields from the intent's payload the same way, for whichever actor. The
audiences register them in their own ``events.py`` with their own actor."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from shared.core.db import Database
from shared.core.intents import Result
from shared.kaders import service as kaders
from shared.kaders.service import Actor


class Fields(Protocol):
    """What a write reads of a payload (``shared.realtime.sockets.Payload`` is one)."""

    def text(self, name: str, *, required: bool = True) -> str | None: ...
    def integer(self, name: str, *, lo: int = 0, hi: int = 2**31) -> int: ...
    def optional_integer(self, name: str, *, lo: int = 0, hi: int = 2**31) -> int | None: ...
    def client_id(self) -> str: ...


Write = Callable[[Database, Actor, str, Fields], Result]


def save_framework(db: Database, actor: Actor, meeting_id: str, p: Fields) -> Result:
    return kaders.save_framework(
        db,
        actor=actor,
        meeting_id=meeting_id,
        client_id=p.client_id(),
        framework_id=p.optional_integer("id"),
        party_id=p.optional_integer("party_id"),
        title=p.text("title"),
        description=p.text("description", required=False) or "",
    )


def delete_framework(db: Database, actor: Actor, meeting_id: str, p: Fields) -> Result:
    return kaders.delete_framework(
        db,
        actor=actor,
        meeting_id=meeting_id,
        client_id=p.client_id(),
        framework_id=p.integer("id"),
    )


def flag_proposal(db: Database, actor: Actor, meeting_id: str, p: Fields) -> Result:
    return kaders.flag_proposal(
        db,
        actor=actor,
        meeting_id=meeting_id,
        client_id=p.client_id(),
        proposal_id=p.integer("proposal_id"),
        framework_id=p.integer("framework_id"),
        note=p.text("note"),
    )


def clear_flag(db: Database, actor: Actor, meeting_id: str, p: Fields) -> Result:
    return kaders.clear_flag(
        db, actor=actor, meeting_id=meeting_id, client_id=p.client_id(), flag_id=p.integer("id")
    )


def record_check(db: Database, actor: Actor, meeting_id: str, p: Fields) -> Result:
    return kaders.record_check(
        db,
        actor=actor,
        meeting_id=meeting_id,
        client_id=p.client_id(),
        agreement_id=p.integer("agreement_id"),
        framework_id=p.integer("framework_id"),
        verdict=p.text("verdict"),
        explanation=p.text("explanation", required=False) or "",
        seen_version=p.optional_integer("framework_version"),
    )


#: intent name -> the write, for both audiences
WRITES: dict[str, Write] = {
    "framework.save": save_framework,
    "framework.delete": delete_framework,
    "framework.flag": flag_proposal,
    "framework.unflag": clear_flag,
    "check.record": record_check,
}

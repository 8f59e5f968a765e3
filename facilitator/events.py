"""The facilitator's Socket.IO side: console and beamer sockets, phase control."""

from __future__ import annotations

from typing import Any

from flask import session

from shared.errors import ProtocolError
from shared.models import Meeting
from shared.services import (
    Change,
    can_facilitate,
    check_beamer_key,
    move_phase,
    remove_participant,
    set_participant_role,
    set_timer,
)
from shared.sockets import Payload, Principal, authenticator, intent
from shared.views import snapshot
from shared.web import plandag


def _snapshot(principal: Principal) -> dict[str, Any]:
    app = plandag()
    with app.db.read() as s:
        row = s.get(Meeting, principal.meeting_id)
        if row is None:
            raise ProtocolError("meeting.unknown")
        if principal.user_id is not None and not can_facilitate(
            s, principal.user_id, principal.meeting_id
        ):
            raise ProtocolError("meeting.unknown")
        return snapshot(s, row, principal.audience, app.settings.base_url())


@authenticator("console", _snapshot)
def console_auth(auth: dict[str, Any]) -> Principal:
    uid = session.get("uid")
    meeting_id = auth.get("meeting")
    if not isinstance(uid, int):
        raise ProtocolError("auth.required")
    if not isinstance(meeting_id, str):
        raise ProtocolError("meeting.unknown")
    with plandag().db.read() as s:
        if not can_facilitate(s, uid, meeting_id):
            raise ProtocolError("meeting.unknown")
    return Principal(audience="console", meeting_id=meeting_id, user_id=uid)


@authenticator("beamer", _snapshot)
def beamer_auth(auth: dict[str, Any]) -> Principal:
    meeting_id, key = auth.get("meeting"), auth.get("key")
    if not isinstance(meeting_id, str) or not isinstance(key, str):
        raise ProtocolError("auth.beamer_key_invalid")
    row = check_beamer_key(plandag().db, meeting_id, key)
    return Principal(audience="beamer", meeting_id=row.id)


def _uid(principal: Principal) -> int:
    assert principal.user_id is not None
    return principal.user_id


@intent("phase.advance", "console")
def advance(principal: Principal, payload: Payload) -> tuple[dict[str, Any], Change | None]:
    return move_phase(
        plandag().db,
        user_id=_uid(principal),
        meeting_id=principal.meeting_id,
        direction="advance",
        expected=payload.text("from", max_len=20, required=False),
        client_id=payload.client_id(),
    )


@intent("phase.back", "console")
def back(principal: Principal, payload: Payload) -> tuple[dict[str, Any], Change | None]:
    return move_phase(
        plandag().db,
        user_id=_uid(principal),
        meeting_id=principal.meeting_id,
        direction="back",
        expected=payload.text("from", max_len=20, required=False),
        client_id=payload.client_id(),
    )


@intent("timer.set", "console")
def timer(principal: Principal, payload: Payload) -> tuple[dict[str, Any], Change | None]:
    return set_timer(
        plandag().db,
        user_id=_uid(principal),
        meeting_id=principal.meeting_id,
        minutes=payload.integer("minutes", required=False, lo=-100000, hi=100000),
        client_id=payload.client_id(),
    )


@intent("participant.remove", "console")
def remove(principal: Principal, payload: Payload) -> tuple[dict[str, Any], Change | None]:
    return remove_participant(
        plandag().db,
        user_id=_uid(principal),
        meeting_id=principal.meeting_id,
        participant_id=payload.integer("participant_id") or 0,
        client_id=payload.client_id(),
    )


@intent("participant.set_role", "console")
def set_role(principal: Principal, payload: Payload) -> tuple[dict[str, Any], Change | None]:
    return set_participant_role(
        plandag().db,
        user_id=_uid(principal),
        meeting_id=principal.meeting_id,
        participant_id=payload.integer("participant_id") or 0,
        role=payload.text("role", max_len=40),
        client_id=payload.client_id(),
    )

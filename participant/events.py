"""The phone's Socket.IO side."""

from __future__ import annotations

from typing import Any

from flask import request

from shared.domain import DomainError
from shared.domain.meeting import normalize_join_code
from shared.errors import ProtocolError
from shared.models import Meeting, Participant
from shared.services import meeting_by_code, participant_by_device
from shared.sockets import Principal, authenticator
from shared.views import snapshot
from shared.web import plandag

from .views import DEVICE_COOKIE, valid_device_token


def _snapshot(principal: Principal) -> dict[str, Any]:
    app = plandag()
    with app.db.read() as s:
        row = s.get(Meeting, principal.meeting_id)
        participant = s.get(Participant, principal.participant_id)
        if row is None or participant is None:
            raise ProtocolError("meeting.unknown")
        return snapshot(s, row, "phone", app.settings.base_url(), participant)


@authenticator("phone", _snapshot)
def phone_auth(auth: dict[str, Any]) -> Principal:
    code = auth.get("code")
    if not isinstance(code, str):
        raise ProtocolError("join.code_unknown", typed="")
    row = meeting_by_code(plandag().db, normalize_join_code(code))
    if row is None:
        raise ProtocolError("join.code_unknown", typed=code[:12])
    # The HttpOnly device cookie travels with the handshake; non-browser clients may
    # pass the same token in auth instead.
    token = valid_device_token(request.cookies.get(DEVICE_COOKIE) or auth.get("device_token"))
    if token is None:
        raise ProtocolError("auth.not_joined")
    participant = participant_by_device(plandag().db, row.id, token)
    if participant is None:
        raise ProtocolError("auth.not_joined")
    if participant.removed_at is not None:
        raise DomainError("participant.removed")
    return Principal(audience="phone", meeting_id=row.id, participant_id=participant.id)

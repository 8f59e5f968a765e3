"""The phone's Socket.IO side."""

from __future__ import annotations

from typing import Any

from flask import request

from participant.pages import DEVICE_COOKIE, valid_device_token
from shared.consent import service as consent
from shared.core.batches import Batcher, one_per
from shared.core.intents import Result
from shared.core.models import Meeting
from shared.core.screens import people_rows
from shared.domain import DomainError
from shared.domain.meeting import normalize_join_code
from shared.framing import service as framing
from shared.kaders import service as kaders
from shared.kaders import writes as kader_writes
from shared.meeting.service import participant_by_code
from shared.proposals import service as proposals
from shared.realtime.sockets import Payload, Principal, authenticator, intent
from shared.screens import phone_snapshots
from shared.sharing import service as sharing
from shared.signing import service as signing
from shared.speaking import service as speaking
from shared.tables import service as tables
from shared.web import plandag


def _build_snapshots(meeting_id: str, ids: list[int]) -> list[Any]:
    """The snapshots of the phones of one meeting that asked at about the same time."""
    app = plandag()
    with app.db.read() as s:
        row = s.get(Meeting, meeting_id)
        people = people_rows(s, ids)
        snaps = phone_snapshots(s, row, app.settings.base_url(), people) if row is not None else {}
    return [snaps.get(pid, DomainError("meeting.unknown")) for pid in ids]


def _snapshot(principal: Principal) -> dict[str, Any]:
    """Phones that connect (or ask for a snapshot) together share one read."""
    assert principal.participant_id is not None
    batches = one_per(plandag().db, "phone_snapshots", lambda: Batcher(_build_snapshots))
    snap: dict[str, Any] = batches.submit(principal.meeting_id, principal.participant_id)
    return snap


@authenticator("phone", _snapshot)
def phone_auth(auth: dict[str, Any]) -> Principal:
    # An unknown code and a device that did not join look the same to a stranger (and
    # both spend the address's guess budget, see shared.realtime.sockets): no live/dead oracle.
    code = auth.get("code")
    if not isinstance(code, str):
        raise DomainError("auth.not_joined")
    # The HttpOnly device cookie travels with the handshake; non-browser clients may
    # pass the same token in auth instead.
    token = valid_device_token(request.cookies.get(DEVICE_COOKIE) or auth.get("device_token"))
    if token is None:
        raise DomainError("auth.not_joined")
    participant = participant_by_code(plandag().db, normalize_join_code(code[:40]), token)
    if participant is None:
        raise DomainError("auth.not_joined")
    if participant.removed_at is not None:
        raise DomainError("participant.removed")
    return Principal(
        audience="phone", meeting_id=participant.meeting_id, participant_id=participant.id
    )


def _ctx(principal: Principal, payload: Payload) -> dict[str, Any]:
    """Who acts, where, and the write's id: the same for every phone intent."""
    assert principal.participant_id is not None
    return {
        "meeting_id": principal.meeting_id,
        "participant_id": principal.participant_id,
        "client_id": payload.client_id(),
    }


@intent("contribution.create", "phone")
def create_contribution(principal: Principal, payload: Payload) -> Result:
    return sharing.create_contribution(
        plandag().db,
        **_ctx(principal, payload),
        text=payload.text("text"),
    )


@intent("contribution.edit", "phone")
def edit_contribution(principal: Principal, payload: Payload) -> Result:
    return sharing.edit_contribution(
        plandag().db,
        **_ctx(principal, payload),
        contribution_id=payload.integer("id"),
        text=payload.text("text"),
    )


@intent("contribution.withdraw", "phone")
def withdraw_contribution(principal: Principal, payload: Payload) -> Result:
    return sharing.withdraw_contribution(
        plandag().db,
        **_ctx(principal, payload),
        contribution_id=payload.integer("id"),
    )


@intent("recognition.answer", "phone")
def answer_recognition(principal: Principal, payload: Payload) -> Result:
    return framing.answer_recognition(
        plandag().db,
        **_ctx(principal, payload),
        check_id=payload.integer("check_id"),
        answer=payload.text("answer"),
        comment=payload.text("comment", required=False) or "",
    )


@intent("queue.request", "phone")
def request_floor(principal: Principal, payload: Payload) -> Result:
    return speaking.request_floor(
        plandag().db,
        **_ctx(principal, payload),
    )


@intent("queue.cancel", "phone")
def cancel_floor(principal: Principal, payload: Payload) -> Result:
    return speaking.cancel_floor(
        plandag().db,
        **_ctx(principal, payload),
    )


PROPOSAL_FIELDS = ("title", "description", "what", "who", "where", "when")


@intent("proposal.create", "phone")
def create_proposal(principal: Principal, payload: Payload) -> Result:
    return proposals.create_proposal(
        plandag().db, **_ctx(principal, payload), data=payload.fields(*PROPOSAL_FIELDS)
    )


@intent("vote.give", "phone")
def give_vote(principal: Principal, payload: Payload) -> Result:
    return proposals.vote(
        plandag().db,
        **_ctx(principal, payload),
        proposal_id=payload.integer("proposal_id"),
        give=True,
    )


@intent("vote.take_back", "phone")
def take_back_vote(principal: Principal, payload: Payload) -> Result:
    return proposals.vote(
        plandag().db,
        **_ctx(principal, payload),
        proposal_id=payload.integer("proposal_id"),
        give=False,
    )


@intent("table.choose", "phone")
def choose_table(principal: Principal, payload: Payload) -> Result:
    return tables.choose_table(
        plandag().db, **_ctx(principal, payload), table_id=payload.integer("table_id")
    )


@intent("consent.answer", "phone")
def answer_consent(principal: Principal, payload: Payload) -> Result:
    return consent.answer(
        plandag().db,
        **_ctx(principal, payload),
        round_id=payload.integer("round_id"),
        value=payload.text("answer"),
        text=payload.text("text", required=False) or "",
    )


@intent("consent.withdraw", "phone")
def withdraw_objection(principal: Principal, payload: Payload) -> Result:
    return consent.resolve_objection(
        plandag().db,
        **_ctx(principal, payload),
        round_id=payload.integer("round_id"),
        withdraw=True,
    )


@intent("consent.keep", "phone")
def keep_objection(principal: Principal, payload: Payload) -> Result:
    return consent.resolve_objection(
        plandag().db,
        **_ctx(principal, payload),
        round_id=payload.integer("round_id"),
        withdraw=False,
    )


@intent("signature.sign", "phone", max_bytes=220_000)
def sign_plan(principal: Principal, payload: Payload) -> Result:
    """Sign (name, optionally a drawn signature as a PNG data URL) or decline."""
    accept = payload.flag("sign") if "sign" in payload.data else True
    return signing.sign(
        plandag().db,
        **_ctx(principal, payload),
        accept=accept,
        name=payload.text("name"),
        reason=payload.text("reason", required=False) or "",
        image=payload.text("image", required=False),
    )


# --------------------------------------------------------------------------- kaders
# A framework party's representative writes its kaders, flags proposals and records its
# check from a phone; the services refuse any other participant (and other parties' kaders).


def _kader_write(write: kader_writes.Write) -> Any:
    def handler(principal: Principal, payload: Payload) -> Result:
        actor = kaders.Actor(participant_id=principal.participant_id)
        return write(plandag().db, actor, principal.meeting_id, payload)

    return handler


for _event, _write in kader_writes.WRITES.items():
    intent(_event, "phone")(_kader_write(_write))

"""The facilitator's Socket.IO side: console and beamer sockets, phase control."""

from __future__ import annotations

from typing import Any

from shared.consent import service as consent
from shared.core.intents import Change, Result, can_facilitate
from shared.core.models import Meeting
from shared.domain.errors import DomainError
from shared.domain.proposals import PROPOSAL_FIELDS
from shared.framing import service as framing
from shared.kaders import service as kaders
from shared.kaders import writes as kader_writes
from shared.meeting.service import (
    check_beamer_key,
    move_phase,
    remove_participant,
    set_beamer_pace,
    set_participant_role,
    set_timer,
)
from shared.process.service import start_guard
from shared.proposals import service as proposals
from shared.realtime.sockets import Payload, Principal, authenticator, intent
from shared.screens import snapshot
from shared.sharing import service as sharing
from shared.signing import service as signing
from shared.speaking import service as speaking
from shared.tables import service as tables
from shared.web import plandag, session_user_id


def _snapshot(principal: Principal) -> dict[str, Any]:
    app = plandag()
    with app.db.read() as s:
        row = s.get(Meeting, principal.meeting_id)
        if row is None:
            raise DomainError("meeting.unknown")
        if principal.user_id is not None and not can_facilitate(
            s, principal.user_id, principal.meeting_id
        ):
            raise DomainError("meeting.unknown")
        return snapshot(s, row, principal.audience, app.settings.base_url())


@authenticator("console", _snapshot)
def console_auth(auth: dict[str, Any]) -> Principal:
    uid = session_user_id()  # None once the session was ended (logout, new password)
    meeting_id = auth.get("meeting")
    if not isinstance(uid, int):
        raise DomainError("auth.required")
    if not isinstance(meeting_id, str):
        raise DomainError("meeting.unknown")
    with plandag().db.read() as s:
        if not can_facilitate(s, uid, meeting_id):
            raise DomainError("meeting.unknown")
    return Principal(audience="console", meeting_id=meeting_id, user_id=uid)


@authenticator("beamer", _snapshot)
def beamer_auth(auth: dict[str, Any]) -> Principal:
    meeting_id, key = auth.get("meeting"), auth.get("key")
    if not isinstance(meeting_id, str) or not isinstance(key, str):
        raise DomainError("auth.beamer_key_invalid")
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
        expected=payload.text("from", required=False),
        client_id=payload.client_id(),
        on_start=start_guard(_uid(principal), payload.flag("confirm_no_go")),
    )


@intent("phase.back", "console")
def back(principal: Principal, payload: Payload) -> tuple[dict[str, Any], Change | None]:
    return move_phase(
        plandag().db,
        user_id=_uid(principal),
        meeting_id=principal.meeting_id,
        direction="back",
        expected=payload.text("from", required=False),
        client_id=payload.client_id(),
    )


@intent("timer.set", "console")
def timer(principal: Principal, payload: Payload) -> tuple[dict[str, Any], Change | None]:
    return set_timer(
        plandag().db,
        user_id=_uid(principal),
        meeting_id=principal.meeting_id,
        minutes=payload.optional_integer("minutes", lo=-100000, hi=100000),
        client_id=payload.client_id(),
    )


@intent("beamer.pace", "console")
def beamer_pace(principal: Principal, payload: Payload) -> Result:
    return set_beamer_pace(
        plandag().db,
        user_id=_uid(principal),
        meeting_id=principal.meeting_id,
        seconds=payload.integer("seconds", lo=0, hi=10_000),
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
        role=payload.text("role"),
        client_id=payload.client_id(),
    )


def _ctx(principal: Principal, payload: Payload) -> dict[str, Any]:
    return {
        "user_id": _uid(principal),
        "meeting_id": principal.meeting_id,
        "client_id": payload.client_id(),
    }


def _moderate(action: str) -> Any:
    def handler(principal: Principal, payload: Payload) -> Result:
        return sharing.moderate_contribution(
            plandag().db,
            **_ctx(principal, payload),
            contribution_id=payload.integer("id"),
            action=action,
        )

    return handler


for _action in ("hide", "approve"):
    intent(f"contribution.{_action}", "console")(_moderate(_action))


@intent("contribution.move", "console")
def move_contribution(principal: Principal, payload: Payload) -> Result:
    return sharing.move_contribution(
        plandag().db,
        **_ctx(principal, payload),
        contribution_id=payload.integer("id"),
        theme_id=payload.optional_integer("theme_id"),
    )


@intent("theme.create", "console")
def create_theme(principal: Principal, payload: Payload) -> Result:
    return sharing.save_theme(plandag().db, **_ctx(principal, payload), name=payload.text("name"))


@intent("theme.rename", "console")
def rename_theme(principal: Principal, payload: Payload) -> Result:
    return sharing.save_theme(
        plandag().db,
        **_ctx(principal, payload),
        name=payload.text("name"),
        theme_id=payload.integer("id"),
    )


@intent("wall.spotlight", "console")
def spotlight(principal: Principal, payload: Payload) -> Result:
    return sharing.spotlight(
        plandag().db, **_ctx(principal, payload), contribution_id=payload.optional_integer("id")
    )


@intent("sharing.settings", "console")
def sharing_settings(principal: Principal, payload: Payload) -> Result:
    values = {
        name: payload.text(name, required=False)
        for name in ("moderation", "anonymity", "wall_mode")
    }
    return sharing.sharing_settings(plandag().db, **_ctx(principal, payload), values=values)


@intent("prompt.create", "console")
def create_prompt(principal: Principal, payload: Payload) -> Result:
    return sharing.add_prompt(plandag().db, **_ctx(principal, payload), text=payload.text("text"))


@intent("prompt.select", "console")
def select_prompt(principal: Principal, payload: Payload) -> Result:
    return sharing.select_prompt(
        plandag().db, **_ctx(principal, payload), prompt_id=payload.optional_integer("id")
    )


@intent("info.create", "console")
def create_info(principal: Principal, payload: Payload) -> Result:
    return framing.add_info(
        plandag().db,
        **_ctx(principal, payload),
        title=payload.text("title"),
        text=payload.text("text", required=False) or "",
    )


@intent("info.show", "console")
def show_info(principal: Principal, payload: Payload) -> Result:
    return framing.show_info(
        plandag().db, **_ctx(principal, payload), info_id=payload.optional_integer("id")
    )


@intent("statement.revise", "console")
def revise_statement(principal: Principal, payload: Payload) -> Result:
    return framing.revise_statement(
        plandag().db, **_ctx(principal, payload), text=payload.text("text")
    )


@intent("recognition.open", "console")
def open_recognition(principal: Principal, payload: Payload) -> Result:
    return framing.open_recognition(plandag().db, **_ctx(principal, payload))


@intent("recognition.close", "console")
def close_recognition(principal: Principal, payload: Payload) -> Result:
    return framing.close_recognition(plandag().db, **_ctx(principal, payload))


@intent("queue.start", "console")
def start_speaker(principal: Principal, payload: Payload) -> Result:
    return speaking.give_floor(
        plandag().db, **_ctx(principal, payload), request_id=payload.integer("id"), finish=False
    )


@intent("queue.finish", "console")
def finish_speaker(principal: Principal, payload: Payload) -> Result:
    return speaking.give_floor(
        plandag().db, **_ctx(principal, payload), request_id=payload.integer("id"), finish=True
    )


@intent("round.start", "console")
def start_round(principal: Principal, payload: Payload) -> Result:
    return speaking.start_round(plandag().db, **_ctx(principal, payload))


def _round_step(action: str) -> Any:
    def handler(principal: Principal, payload: Payload) -> Result:
        return speaking.step_round(plandag().db, **_ctx(principal, payload), action=action)

    return handler


for _action in ("next", "skip", "end"):
    intent(f"round.{_action}", "console")(_round_step(_action))


@intent("proposal.create_from", "console")
def proposal_from(principal: Principal, payload: Payload) -> Result:
    return proposals.create_from(
        plandag().db,
        **_ctx(principal, payload),
        contribution_id=payload.optional_integer("contribution_id"),
        theme_id=payload.optional_integer("theme_id"),
    )


@intent("proposal.edit", "console")
def edit_proposal(principal: Principal, payload: Payload) -> Result:
    return consent.amend_proposal(
        plandag().db,
        **_ctx(principal, payload),
        proposal_id=payload.integer("id"),
        data=payload.fields(*PROPOSAL_FIELDS),
        supersede=payload.flag("supersede"),
        based_on=payload.optional_integer("based_on", lo=1),
    )


@intent("proposal.withdraw", "console")
def withdraw_proposal(principal: Principal, payload: Payload) -> Result:
    return proposals.withdraw_proposal(
        plandag().db,
        **_ctx(principal, payload),
        proposal_id=payload.integer("id"),
        reason=payload.text("reason"),
    )


@intent("proposal.merge", "console")
def merge_proposals(principal: Principal, payload: Payload) -> Result:
    return proposals.merge_proposals(
        plandag().db,
        **_ctx(principal, payload),
        source_id=payload.integer("id"),
        target_id=payload.integer("into"),
    )


@intent("proposal.unmerge", "console")
def unmerge_proposal(principal: Principal, payload: Payload) -> Result:
    return proposals.undo_merge(
        plandag().db, **_ctx(principal, payload), source_id=payload.integer("id")
    )


@intent("voting.configure", "console")
def configure_voting(principal: Principal, payload: Payload) -> Result:
    return proposals.configure_voting(
        plandag().db,
        **_ctx(principal, payload),
        mode=payload.text("mode"),
        dots=payload.optional_integer("dots", lo=-1000, hi=1000),
        max_per_proposal=payload.optional_integer("max_per_proposal", lo=-1000, hi=1000),
        allow_framework=payload.flag("allow_framework"),
        allow_observers=payload.flag("allow_observers"),
        open_=None,
    )


@intent("voting.open", "console")
def open_voting(principal: Principal, payload: Payload) -> Result:
    return proposals.open_voting(plandag().db, **_ctx(principal, payload), open_=True)


@intent("voting.close", "console")
def close_voting(principal: Principal, payload: Payload) -> Result:
    return proposals.open_voting(plandag().db, **_ctx(principal, payload), open_=False)


@intent("shortlist.set", "console")
def set_shortlist(principal: Principal, payload: Payload) -> Result:
    return proposals.set_shortlist(
        plandag().db, **_ctx(principal, payload), ids=payload.data.get("ids")
    )


@intent("tables.split", "console")
def split_tables(principal: Principal, payload: Payload) -> Result:
    return tables.split_tables(
        plandag().db,
        **_ctx(principal, payload),
        strategy=payload.text("strategy"),
        count=payload.optional_integer("count", lo=-1000, hi=1000),
        four_years=payload.flag("four_years"),
    )


@intent("tables.plenary", "console")
def tables_plenary(principal: Principal, payload: Payload) -> Result:
    return tables.to_plenary(plandag().db, **_ctx(principal, payload))


@intent("table.update", "console")
def update_table(principal: Principal, payload: Payload) -> Result:
    return tables.update_table(
        plandag().db,
        **_ctx(principal, payload),
        table_id=payload.integer("id"),
        host_id=payload.optional_integer("host_id"),
        name=payload.text("name", required=False),
        question=payload.text("question", required=False),
    )


@intent("consent.open", "console")
def open_consent(principal: Principal, payload: Payload) -> Result:
    return consent.open_round(
        plandag().db,
        **_ctx(principal, payload),
        proposal_id=payload.optional_integer("proposal_id"),
        whole_plan=payload.flag("whole_plan"),
        publication=payload.flag("publication"),
    )


@intent("consent.close", "console")
def close_consent(principal: Principal, payload: Payload) -> Result:
    return consent.close_round(plandag().db, **_ctx(principal, payload))


@intent("consent.ask", "console")
def ask_objector(principal: Principal, payload: Payload) -> Result:
    return consent.ask_objector(
        plandag().db, **_ctx(principal, payload), participant_id=payload.integer("participant_id")
    )


@intent("consent.add", "console")
def add_to_round(principal: Principal, payload: Payload) -> Result:
    return consent.add_late(
        plandag().db, **_ctx(principal, payload), participant_id=payload.integer("participant_id")
    )


@intent("proposal.park", "console")
def park_proposal(principal: Principal, payload: Payload) -> Result:
    return consent.park(plandag().db, **_ctx(principal, payload), proposal_id=payload.integer("id"))


@intent("agreement.edit", "console")
def edit_agreement(principal: Principal, payload: Payload) -> Result:
    return consent.edit_agreement(
        plandag().db,
        **_ctx(principal, payload),
        agreement_id=payload.integer("id"),
        data=payload.fields(*PROPOSAL_FIELDS),
        supersede=payload.flag("supersede"),
        based_on=payload.optional_integer("based_on", lo=1),
    )


@intent("plan.update", "console")
def update_plan(principal: Principal, payload: Payload) -> Result:
    return consent.update_plan(
        plandag().db,
        **_ctx(principal, payload),
        data=payload.fields(
            "followup",
            "evaluation",
            "followup_date",
            "followup_place",
            "evaluation_date",
            "evaluation_place",
        ),
        supersede=payload.flag("supersede"),
    )


@intent("consent.configure", "console")
def configure_consent(principal: Principal, payload: Payload) -> Result:
    return consent.configure(
        plandag().db,
        **_ctx(principal, payload),
        allow_framework=payload.flag("allow_framework"),
        allow_observers=payload.flag("allow_observers"),
    )


# --------------------------------------------------------------------------- kaders
# Writing kaders, flagging a proposal and recording a check are open to the facilitators
# here and to framework parties on their phones (participant/events.py registers those).


def _kader_write(write: kader_writes.Write) -> Any:
    def handler(principal: Principal, payload: Payload) -> Result:
        actor = kaders.Actor(user_id=_uid(principal))
        return write(plandag().db, actor, principal.meeting_id, payload)

    return handler


for _event, _write in kader_writes.WRITES.items():
    intent(_event, "console")(_kader_write(_write))


@intent("party.invite", "console")
def invite_party(principal: Principal, payload: Payload) -> Result:
    return kaders.invite_party(plandag().db, **_ctx(principal, payload), name=payload.text("name"))


@intent("party.renew", "console")
def renew_party_link(principal: Principal, payload: Payload) -> Result:
    return kaders.renew_party_link(
        plandag().db, **_ctx(principal, payload), party_id=payload.integer("id")
    )


@intent("party.approve_device", "console")
def approve_device(principal: Principal, payload: Payload) -> Result:
    return kaders.decide_device(
        plandag().db, **_ctx(principal, payload), request_id=payload.integer("id"), approve=True
    )


@intent("party.refuse_device", "console")
def refuse_device(principal: Principal, payload: Payload) -> Result:
    return kaders.decide_device(
        plandag().db, **_ctx(principal, payload), request_id=payload.integer("id"), approve=False
    )


@intent("framework.lock", "console")
def lock_frameworks(principal: Principal, payload: Payload) -> Result:
    return kaders.lock_frameworks(plandag().db, **_ctx(principal, payload))


@intent("framework.show", "console")
def show_framework(principal: Principal, payload: Payload) -> Result:
    return kaders.show_framework(
        plandag().db, **_ctx(principal, payload), framework_id=payload.optional_integer("id")
    )


@intent("followup.add", "console")
def add_followup(principal: Principal, payload: Payload) -> Result:
    return kaders.add_followup(
        plandag().db,
        **_ctx(principal, payload),
        agreement_id=payload.optional_integer("agreement_id"),
        what=payload.text("what"),
        who=payload.text("who"),
        when=payload.text("when"),
    )


@intent("followup.delete", "console")
def delete_followup(principal: Principal, payload: Payload) -> Result:
    return kaders.delete_followup(
        plandag().db, **_ctx(principal, payload), followup_id=payload.integer("id")
    )


# --------------------------------------------------------------------------- signing


@intent("signing.close", "console")
def close_signing(principal: Principal, payload: Payload) -> Result:
    app = plandag()
    return signing.close_signing(
        app.db,
        **_ctx(principal, payload),
        instance_dir=app.settings.instance_dir,
        verify_url=f"{app.settings.base_url()}/verify",
    )

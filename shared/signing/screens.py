"""shared.signing.screens"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.core.keys import ALL, SCREENS, view_key, you_part
from shared.core.models import Meeting as MeetingRow
from shared.core.models import (
    PlanSeal,
    Signature,
)
from shared.core.screens import PersonRow, iso, shown_name
from shared.domain.phases import Phase
from shared.domain.sharing import Anonymity
from shared.domain.signing import SignatureStatus
from shared.domain.wording import distinct_names
from shared.signing.digest import plan_digest
from shared.signing.record import signers


def signing_view(session: Session, meeting: MeetingRow) -> dict[str, Any]:
    seal = session.get(PlanSeal, meeting.id) if meeting.signing_closed_at else None
    return {
        "open": meeting.phase == Phase.SIGNING and meeting.signing_closed_at is None,
        "closed_at": iso(meeting.signing_closed_at),
        "fingerprint": None if seal is None else fingerprint(seal.digest),
    }


def fingerprint(digest: str) -> str:
    return "-".join(digest[i : i + 4] for i in range(0, 16, 4)).upper()


def signing_tally_view(session: Session, meeting: MeetingRow, audience: str) -> dict[str, Any]:
    """Who signed: counts for the beamer (names when the meeting is named), everyone
    with their status for the console."""
    people = sorted(signers(session, meeting.id), key=lambda p: (p.name, p.id))
    # Only signatures given on the plan as it stands now count.
    current = plan_digest(session, meeting)
    signed = {
        s.participant_id: s
        for s in session.scalars(select(Signature).where(Signature.meeting_id == meeting.id))
        if s.plan_digest == current
    }
    view: dict[str, Any] = {
        "eligible": len(people),
        "signed": sum(
            1 for p in people if p.id in signed and signed[p.id].status == SignatureStatus.SIGNED
        ),
        "declined": sum(
            1 for p in people if p.id in signed and signed[p.id].status == SignatureStatus.DECLINED
        ),
    }
    named = meeting.anonymity == Anonymity.NAMED
    if audience == "beamer":
        # The names people signed with; two identical ones are told apart by group.
        typed = distinct_names(
            (p.id, signed[p.id].name, p.group)
            for p in people
            if p.id in signed and signed[p.id].status == SignatureStatus.SIGNED
        )
        view["names"] = sorted(typed.values()) if named else []
    if audience == "console":
        view["people"] = [
            {
                "participant_id": p.id,
                "name": shown_name(session, p),
                "group": p.group,
                "role": p.role,
                "status": signed[p.id].status if p.id in signed else None,
                "signed_as": signed[p.id].name if p.id in signed else None,
                "reason": signed[p.id].reason if p.id in signed else "",
            }
            for p in people
        ]
    return view


# --------------------------------------------------------------------------- keys


@view_key("signing", ALL, "signing open or closed, and the seal's fingerprint")
def _signing_key(session: Session, row: MeetingRow, audience: str, base_url: str) -> Any:
    return signing_view(session, row)


@view_key("signing_tally", SCREENS, "who signed: counts, names per the anonymity setting")
def _signing_tally_key(session: Session, row: MeetingRow, audience: str, base_url: str) -> Any:
    # Only while signing and after: who may sign is kept fresh from the moment the room
    # enters signing (a join marks it then), not before.
    if row.phase not in (Phase.SIGNING, Phase.CLOSED):
        return None
    return signing_tally_view(session, row, audience)


@you_part("signature", "signature")
def _own_signature(
    session: Session, meeting: MeetingRow, people: list[PersonRow]
) -> dict[int, dict[str, Any]]:
    """Its signature (only while signing or after), and whether the plan changed since."""
    signatures: dict[int, dict[str, Any]] = {}
    if meeting.phase in (Phase.SIGNING, Phase.CLOSED):
        current = plan_digest(session, meeting) if meeting.phase == Phase.SIGNING else None
        for s in session.scalars(
            select(Signature).where(
                Signature.meeting_id == meeting.id,
                Signature.participant_id.in_([p.id for p in people]),
            )
        ):
            signatures[s.participant_id] = {
                "status": s.status,
                "name": s.name,
                "reason": s.reason,
                "at": iso(s.at),
                # given on other words (the plan changed after it): sign again
                "stale": current is not None and s.plan_digest != current,
            }
    return {p.id: {"signature": signatures.get(p.id)} for p in people}

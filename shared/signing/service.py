"""Use cases of the signing phase: sign or decline on a phone, close signing (which
seals the plan), and the sealed record (``documents.py`` turns it into files)."""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared import plandoc
from shared.core.db import Database
from shared.core.intents import Result, commit_change, facilitator_intent, participant_intent
from shared.core.models import Meeting as MeetingRow
from shared.core.models import PlanSeal, Signature, utcnow
from shared.core.screens import PersonRow
from shared.domain import DomainError, Phase, Role
from shared.domain.signing import check_can_sign, validate_signature
from shared.signing.digest import plan_digest
from shared.signing.record import build_record

_KEYS: dict[Path, plandoc.ServerKey] = {}
_KEY_LOCK = threading.Lock()


def server_key(instance_dir: Path) -> plandoc.ServerKey:
    """The server's seal key, made on first use and kept in the instance folder."""
    with _KEY_LOCK:
        key = _KEYS.get(instance_dir)
        if key is None:
            key = _KEYS[instance_dir] = plandoc.load_or_create_key(instance_dir)
        return key


def sign(
    db: Database,
    *,
    meeting_id: str,
    participant_id: int,
    client_id: str,
    accept: bool,
    name: object,
    reason: object,
    image: object,
) -> Result:
    values = validate_signature(accept, name, reason, image)

    def work(session: Session, meeting: MeetingRow, person: PersonRow) -> Result:
        check_can_sign(
            Phase(meeting.phase), meeting.signing_closed_at is not None, Role(person.role)
        )
        digest = plan_digest(session, meeting)
        row = session.scalar(
            select(Signature).where(
                Signature.meeting_id == meeting_id, Signature.participant_id == person.id
            )
        )
        if row is None:
            row = Signature(meeting_id=meeting_id, participant_id=person.id)
            session.add(row)
        row.status, row.name, row.reason = values.status, values.name, values.reason
        row.image = values.image
        row.image_sha256 = (
            None if values.image is None else hashlib.sha256(values.image).hexdigest()
        )
        row.plan_digest = digest
        row.at = utcnow()
        change = commit_change(session, meeting, {"signing_tally"}, {person.id})
        return {"status": row.status}, change

    return participant_intent(db, participant_id, meeting_id, client_id, "signature.sign", work)


def close_signing(
    db: Database,
    *,
    user_id: int,
    meeting_id: str,
    client_id: str,
    instance_dir: Path,
    verify_url: str = "",
) -> Result:
    """Close signing and seal the plan: the canonical record is built in the meeting's
    language, signed with the server's key and stored; every document is rendered from
    it. `verify_url` (where documents are checked) is sealed with it."""
    key = server_key(instance_dir)

    def work(session: Session, meeting: MeetingRow) -> Result:
        if meeting.signing_closed_at is not None:
            raise DomainError("signing.already_closed")
        if meeting.phase != Phase.SIGNING:
            raise DomainError("signing.phase_closed")
        if meeting.consent_round_open:
            # a round still open (on publication, say) would be answered after the seal
            raise DomainError("phase.round_open")
        now = utcnow()
        meeting.signing_closed_at = now
        record, _images = build_record(
            session, meeting, now, meeting.language, plan_digest(session, meeting)
        )
        record["verify_url"] = verify_url  # format plandag-plan/2: the address is sealed
        sealed = plandoc.seal(record, key)
        session.add(
            PlanSeal(
                meeting_id=meeting_id,
                canonical=plandoc.canonical_bytes(record).decode("utf-8"),
                digest=sealed.digest,
                signature=sealed.signature,
                key_id=sealed.key_id,
                sealed_at=now,
            )
        )
        change = commit_change(session, meeting, {"signing", "signing_tally", "meeting"})
        return {
            "fingerprint": sealed.fingerprint,
            "signatures": sum(1 for s in record["signatures"] if s["status"] == "signed"),
        }, change

    return facilitator_intent(db, user_id, meeting_id, client_id, "signing.close", work)


def sealed_plan(db: Database, meeting_id: str) -> tuple[dict[str, Any], PlanSeal, dict[str, bytes]]:
    """The stored canonical record, its seal, and the drawn signatures it refers to."""
    with db.read() as session:
        seal_row = session.get(PlanSeal, meeting_id)
        if seal_row is None:
            raise DomainError("plan.not_sealed")
        record = json.loads(seal_row.canonical)
        wanted = {s["image"] for s in record["signatures"] if s.get("image")}
        images = {
            digest: image
            for digest, image in session.execute(
                select(Signature.image_sha256, Signature.image).where(
                    Signature.meeting_id == meeting_id, Signature.image_sha256.in_(wanted)
                )
            ).all()
            if digest and image is not None
        }
        session.expunge(seal_row)
        return record, seal_row, images

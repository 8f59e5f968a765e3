"""Use cases of sharing: contributions (written, edited, withdrawn, moderated), themes,
prompts, the spotlight and the wall's settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from shared.core.db import Database
from shared.core.intents import Result, commit_change, facilitator_intent, participant_intent
from shared.core.models import (
    Contribution,
    Prompt,
    Theme,
    utcnow,
)
from shared.core.models import Meeting as MeetingRow
from shared.core.screens import PersonRow
from shared.domain import DomainError, Phase, Role
from shared.domain.sharing import (
    Anonymity,
    Moderation,
    Status,
    WallMode,
    check_can_write,
    choice,
    initial_status,
    validate_prompt,
    validate_text,
    validate_theme_name,
)
from shared.domain.sharing import Contribution as ContributionDomain
from shared.domain.sharing import Status as ContributionStatus


def get_contribution(
    session: Session, meeting_id: str, contribution_id: int | None
) -> Contribution:
    if contribution_id is None:
        raise DomainError("contribution.unknown")
    row = session.get(Contribution, contribution_id)
    if row is None or row.meeting_id != meeting_id:
        raise DomainError("contribution.unknown")
    return row


def _as_domain(row: Contribution) -> ContributionDomain:
    return ContributionDomain(
        id=row.id,
        author_id=row.participant_id,
        text=row.text,
        status=Status(row.status),
        theme_id=row.theme_id,
    )


def _wall_keys(contribution_id: int, room_sees: bool) -> set[str]:
    """The console always hears of a change; the room only when the card is, or was
    until now, on the wall (a pending card stays unknown to the room)."""
    keys = {f"contribution:{contribution_id}", "counts"}
    if room_sees:
        keys.add(f"card:{contribution_id}")
    return keys


_CONTRIBUTIONS = cast(Table, Contribution.__table__)
_ADD_CONTRIBUTION = insert(_CONTRIBUTIONS).returning(_CONTRIBUTIONS.c.id)


def create_contribution(
    db: Database, *, meeting_id: str, participant_id: int, client_id: str, text: object
) -> Result:
    cleaned = validate_text(text)

    def work(session: Session, meeting: MeetingRow, person: PersonRow) -> Result:
        check_can_write(Phase(meeting.phase), Role(person.role))
        status = initial_status(Moderation(meeting.moderation))
        # A statement, not an object: a wall of a thousand cards fills in a minute.
        made = session.execute(
            _ADD_CONTRIBUTION,
            {
                "meeting_id": meeting_id,
                "participant_id": person.id,
                "prompt_id": meeting.prompt_id,
                "text": cleaned,
                "status": status,
            },
        ).scalar_one()
        change = commit_change(
            session,
            meeting,
            _wall_keys(made, status == Status.VISIBLE),
            {person.id},
            you_parts={"contributions"},
        )
        return {"id": made, "status": status.value}, change

    return participant_intent(
        db, participant_id, meeting_id, client_id, "contribution.create", work
    )


def edit_contribution(
    db: Database,
    *,
    meeting_id: str,
    participant_id: int,
    client_id: str,
    contribution_id: int,
    text: object,
) -> Result:
    def work(session: Session, meeting: MeetingRow, person: PersonRow) -> Result:
        row = get_contribution(session, meeting_id, contribution_id)
        item = _as_domain(row)
        was_on_wall = item.on_wall
        changed = item.edit(person.id, text, Phase(meeting.phase), Moderation(meeting.moderation))
        if not changed:
            return {"id": row.id, "status": row.status}, None
        row.text, row.status, row.updated_at = item.text, item.status, utcnow()
        keys = _wall_keys(row.id, was_on_wall or item.on_wall)
        if meeting.spotlight_id == row.id and not item.on_wall:
            meeting.spotlight_id = None
            keys.add("meeting")
        change = commit_change(session, meeting, keys, {person.id}, you_parts={"contributions"})
        return {"id": row.id, "status": row.status}, change

    # alone: it may take the card out of the spotlight, a write of the meeting's row
    return participant_intent(
        db, participant_id, meeting_id, client_id, "contribution.edit", work, alone=True
    )


def withdraw_contribution(
    db: Database, *, meeting_id: str, participant_id: int, client_id: str, contribution_id: int
) -> Result:
    def work(session: Session, meeting: MeetingRow, person: PersonRow) -> Result:
        row = get_contribution(session, meeting_id, contribution_id)
        item = _as_domain(row)
        was_on_wall = item.on_wall
        item.withdraw(person.id, Phase(meeting.phase))
        row.status, row.updated_at = item.status, utcnow()
        keys = _wall_keys(row.id, was_on_wall)
        if meeting.spotlight_id == row.id:
            meeting.spotlight_id = None
            keys.add("meeting")
        change = commit_change(session, meeting, keys, {person.id}, you_parts={"contributions"})
        return {"id": row.id, "status": row.status}, change

    return participant_intent(  # alone: as an edit, it may end the spotlight
        db, participant_id, meeting_id, client_id, "contribution.withdraw", work, alone=True
    )


def moderate_contribution(
    db: Database,
    *,
    user_id: int,
    meeting_id: str,
    client_id: str,
    contribution_id: int,
    action: str,
) -> Result:
    def work(session: Session, meeting: MeetingRow) -> Result:
        row = get_contribution(session, meeting_id, contribution_id)
        item = _as_domain(row)
        was_on_wall = item.on_wall
        if action == "hide":
            item.hide()
        else:
            item.approve()
        row.status = item.status
        row.moderated_by, row.moderated_at = user_id, utcnow()
        keys = _wall_keys(row.id, was_on_wall or item.on_wall)
        if not item.on_wall and meeting.spotlight_id == row.id:
            meeting.spotlight_id = None
            keys.add("meeting")
        change = commit_change(
            session, meeting, keys, {row.participant_id}, you_parts={"contributions"}
        )
        return {"id": row.id, "status": row.status}, change

    return facilitator_intent(db, user_id, meeting_id, client_id, f"contribution.{action}", work)


def get_theme(session: Session, meeting_id: str, theme_id: int | None) -> Theme:
    if theme_id is None:
        raise DomainError("theme.unknown")
    theme = session.get(Theme, theme_id)
    if theme is None or theme.meeting_id != meeting_id:
        raise DomainError("theme.unknown")
    return theme


def move_contribution(
    db: Database,
    *,
    user_id: int,
    meeting_id: str,
    client_id: str,
    contribution_id: int,
    theme_id: int | None,
) -> Result:
    def work(session: Session, meeting: MeetingRow) -> Result:
        row = get_contribution(session, meeting_id, contribution_id)
        row.theme_id = None if theme_id is None else get_theme(session, meeting_id, theme_id).id
        change = commit_change(
            session, meeting, _wall_keys(row.id, row.status == ContributionStatus.VISIBLE)
        )
        return {"id": row.id, "theme_id": row.theme_id}, change

    return facilitator_intent(db, user_id, meeting_id, client_id, "contribution.move", work)


def save_theme(
    db: Database,
    *,
    user_id: int,
    meeting_id: str,
    client_id: str,
    name: object,
    theme_id: int | None = None,
) -> Result:
    cleaned = validate_theme_name(name)

    def work(session: Session, meeting: MeetingRow) -> Result:
        if theme_id is None:
            theme = Theme(meeting_id=meeting_id, name=cleaned)
            session.add(theme)
            session.flush()
        else:
            theme = get_theme(session, meeting_id, theme_id)
            theme.name = cleaned
        change = commit_change(session, meeting, {"themes"})
        return {"id": theme.id, "name": theme.name}, change

    action = "theme.create" if theme_id is None else "theme.rename"
    return facilitator_intent(db, user_id, meeting_id, client_id, action, work)


def spotlight(
    db: Database, *, user_id: int, meeting_id: str, client_id: str, contribution_id: int | None
) -> Result:
    def work(session: Session, meeting: MeetingRow) -> Result:
        if contribution_id is None:
            meeting.spotlight_id = None
        else:
            row = get_contribution(session, meeting_id, contribution_id)
            if not _as_domain(row).on_wall:
                raise DomainError("spotlight.not_visible")
            meeting.spotlight_id = row.id
        change = commit_change(session, meeting, {"meeting"})
        return {"spotlight_id": meeting.spotlight_id}, change

    return facilitator_intent(db, user_id, meeting_id, client_id, "wall.spotlight", work)


def sharing_settings(
    db: Database, *, user_id: int, meeting_id: str, client_id: str, values: Mapping[str, object]
) -> Result:
    wanted: dict[str, str] = {}
    for name, enum in (
        ("moderation", Moderation),
        ("anonymity", Anonymity),
        ("wall_mode", WallMode),
    ):
        if values.get(name) is not None:
            wanted[name] = choice(enum, values[name], name).value

    def work(session: Session, meeting: MeetingRow) -> Result:
        keys = {"meeting"}
        if "anonymity" in wanted and wanted["anonymity"] != meeting.anonymity:
            # Every card on the wall shows (or stops showing) its author; tables their host.
            keys |= _all_contribution_keys(session, meeting_id) | {"queue", "round", "tables"}
        for name, value in wanted.items():
            setattr(meeting, name, value)
        change = commit_change(session, meeting, keys)
        return wanted, change

    return facilitator_intent(db, user_id, meeting_id, client_id, "sharing.settings", work)


def _all_contribution_keys(session: Session, meeting_id: str) -> set[str]:
    """The room's cards (their author labels follow the anonymity setting)."""
    ids = session.scalars(
        select(Contribution.id).where(
            Contribution.meeting_id == meeting_id, Contribution.status == ContributionStatus.VISIBLE
        )
    )
    return {f"card:{i}" for i in ids}


def add_prompt(
    db: Database, *, user_id: int, meeting_id: str, client_id: str, text: object
) -> Result:
    cleaned = validate_prompt(text)

    def work(session: Session, meeting: MeetingRow) -> Result:
        prompt = Prompt(meeting_id=meeting_id, text=cleaned)
        session.add(prompt)
        session.flush()
        meeting.prompt_id = prompt.id
        change = commit_change(session, meeting, {"prompts", "meeting"})
        return {"id": prompt.id}, change

    return facilitator_intent(db, user_id, meeting_id, client_id, "prompt.create", work)


def select_prompt(
    db: Database, *, user_id: int, meeting_id: str, client_id: str, prompt_id: int | None
) -> Result:
    def work(session: Session, meeting: MeetingRow) -> Result:
        if prompt_id is None:
            meeting.prompt_id = None
        else:
            prompt = session.get(Prompt, prompt_id)
            if prompt is None or prompt.meeting_id != meeting_id:
                raise DomainError("prompt.unknown")
            meeting.prompt_id = prompt.id
        change = commit_change(session, meeting, {"meeting"})
        return {"prompt_id": meeting.prompt_id}, change

    return facilitator_intent(db, user_id, meeting_id, client_id, "prompt.select", work)

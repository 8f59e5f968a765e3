"""Use cases of the room itself: framing (information, the recognition check), sharing
(contributions, moderation, themes, the wall) and who speaks (queue and rounds).

Like shared.services: one short transaction per intent, idempotent by client id,
returning the Change the hub broadcasts after the ack.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .db import Database
from .domain import DomainError, Phase, Role
from .domain.framing import Recognition, validate_info_item, validate_statement
from .domain.framing import RecognitionCheck as CheckDomain
from .domain.sharing import (
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
from .domain.sharing import Contribution as ContributionDomain
from .domain.speaking import RequestStatus, Round, SpeakingQueue, SpeakRequest, round_order
from .errors import ProtocolError
from .models import (
    Contribution,
    InfoItem,
    Participant,
    Prompt,
    RecognitionAnswer,
    RecognitionCheck,
    SpeakingRound,
    StatementVersion,
    Theme,
    utcnow,
)
from .models import Meeting as MeetingRow
from .models import SpeakRequest as SpeakRow
from .services import Result, commit_change, facilitator_intent, participant_intent

# --------------------------------------------------------------------------- contributions


def _contribution(session: Session, meeting_id: str, contribution_id: object) -> Contribution:
    if not isinstance(contribution_id, int) or isinstance(contribution_id, bool):
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


def _wall_keys(row: Contribution, room_sees: bool) -> set[str]:
    """The console always hears of a change; the room only when the card is, or was
    until now, on the wall (a pending card stays unknown to the room)."""
    keys = {f"contribution:{row.id}", "counts"}
    if room_sees:
        keys.add(f"card:{row.id}")
    return keys


def create_contribution(
    db: Database, *, meeting_id: str, participant_id: int, client_id: str, text: object
) -> Result:
    cleaned = validate_text(text)

    def work(session: Session, meeting: MeetingRow, person: Participant) -> Result:
        check_can_write(Phase(meeting.phase), Role(person.role))
        row = Contribution(
            meeting_id=meeting_id,
            participant_id=person.id,
            prompt_id=meeting.prompt_id,
            text=cleaned,
            status=initial_status(Moderation(meeting.moderation)).value,
        )
        session.add(row)
        session.flush()
        visible = row.status == Status.VISIBLE.value
        change = commit_change(session, meeting, _wall_keys(row, visible), {person.id})
        return {"id": row.id, "status": row.status, "version": change.version}, change

    return participant_intent(
        db, participant_id, meeting_id, client_id, "contribution.create", work
    )


def edit_contribution(
    db: Database,
    *,
    meeting_id: str,
    participant_id: int,
    client_id: str,
    contribution_id: object,
    text: object,
) -> Result:
    def work(session: Session, meeting: MeetingRow, person: Participant) -> Result:
        row = _contribution(session, meeting_id, contribution_id)
        item = _as_domain(row)
        was_on_wall = item.on_wall
        changed = item.edit(person.id, text, Phase(meeting.phase), Moderation(meeting.moderation))
        if not changed:
            return {"id": row.id, "status": row.status}, None
        row.text, row.status, row.updated_at = item.text, item.status.value, utcnow()
        keys = _wall_keys(row, was_on_wall or item.on_wall)
        if meeting.spotlight_id == row.id and not item.on_wall:
            meeting.spotlight_id = None
            keys.add("meeting")
        change = commit_change(session, meeting, keys, {person.id})
        return {"id": row.id, "status": row.status, "version": change.version}, change

    return participant_intent(db, participant_id, meeting_id, client_id, "contribution.edit", work)


def withdraw_contribution(
    db: Database, *, meeting_id: str, participant_id: int, client_id: str, contribution_id: object
) -> Result:
    def work(session: Session, meeting: MeetingRow, person: Participant) -> Result:
        row = _contribution(session, meeting_id, contribution_id)
        item = _as_domain(row)
        was_on_wall = item.on_wall
        item.withdraw(person.id, Phase(meeting.phase))
        row.status, row.updated_at = item.status.value, utcnow()
        keys = _wall_keys(row, was_on_wall)
        if meeting.spotlight_id == row.id:
            meeting.spotlight_id = None
            keys.add("meeting")
        change = commit_change(session, meeting, keys, {person.id})
        return {"id": row.id, "status": row.status, "version": change.version}, change

    return participant_intent(
        db, participant_id, meeting_id, client_id, "contribution.withdraw", work
    )


def moderate_contribution(
    db: Database,
    *,
    user_id: int,
    meeting_id: str,
    client_id: str,
    contribution_id: object,
    action: str,
) -> Result:
    def work(session: Session, meeting: MeetingRow) -> Result:
        row = _contribution(session, meeting_id, contribution_id)
        item = _as_domain(row)
        was_on_wall = item.on_wall
        if action == "hide":
            item.hide()
        else:
            item.approve()
        row.status = item.status.value
        row.moderated_by, row.moderated_at = user_id, utcnow()
        keys = _wall_keys(row, was_on_wall or item.on_wall)
        if not item.on_wall and meeting.spotlight_id == row.id:
            meeting.spotlight_id = None
            keys.add("meeting")
        change = commit_change(session, meeting, keys, {row.participant_id})
        return {"id": row.id, "status": row.status, "version": change.version}, change

    return facilitator_intent(db, user_id, meeting_id, client_id, f"contribution.{action}", work)


def _theme(session: Session, meeting_id: str, theme_id: object) -> Theme:
    if not isinstance(theme_id, int) or isinstance(theme_id, bool):
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
    contribution_id: object,
    theme_id: object,
) -> Result:
    def work(session: Session, meeting: MeetingRow) -> Result:
        row = _contribution(session, meeting_id, contribution_id)
        row.theme_id = None if theme_id is None else _theme(session, meeting_id, theme_id).id
        change = commit_change(session, meeting, _wall_keys(row, row.status == "visible"))
        return {"id": row.id, "theme_id": row.theme_id, "version": change.version}, change

    return facilitator_intent(db, user_id, meeting_id, client_id, "contribution.move", work)


def save_theme(
    db: Database,
    *,
    user_id: int,
    meeting_id: str,
    client_id: str,
    name: object,
    theme_id: object = None,
) -> Result:
    cleaned = validate_theme_name(name)

    def work(session: Session, meeting: MeetingRow) -> Result:
        if theme_id is None:
            theme = Theme(meeting_id=meeting_id, name=cleaned)
            session.add(theme)
            session.flush()
        else:
            theme = _theme(session, meeting_id, theme_id)
            theme.name = cleaned
        change = commit_change(session, meeting, {"themes"})
        return {"id": theme.id, "name": theme.name, "version": change.version}, change

    action = "theme.create" if theme_id is None else "theme.rename"
    return facilitator_intent(db, user_id, meeting_id, client_id, action, work)


def spotlight(
    db: Database, *, user_id: int, meeting_id: str, client_id: str, contribution_id: object
) -> Result:
    def work(session: Session, meeting: MeetingRow) -> Result:
        if contribution_id is None:
            meeting.spotlight_id = None
        else:
            row = _contribution(session, meeting_id, contribution_id)
            if not _as_domain(row).on_wall:
                raise DomainError("spotlight.not_visible")
            meeting.spotlight_id = row.id
        change = commit_change(session, meeting, {"meeting"})
        return {"spotlight_id": meeting.spotlight_id, "version": change.version}, change

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
        return {**wanted, "version": change.version}, change

    return facilitator_intent(db, user_id, meeting_id, client_id, "sharing.settings", work)


def _all_contribution_keys(session: Session, meeting_id: str) -> set[str]:
    """The room's cards (their author labels follow the anonymity setting)."""
    ids = session.scalars(
        select(Contribution.id).where(
            Contribution.meeting_id == meeting_id, Contribution.status == "visible"
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
        return {"id": prompt.id, "version": change.version}, change

    return facilitator_intent(db, user_id, meeting_id, client_id, "prompt.create", work)


def select_prompt(
    db: Database, *, user_id: int, meeting_id: str, client_id: str, prompt_id: object
) -> Result:
    def work(session: Session, meeting: MeetingRow) -> Result:
        if prompt_id is None:
            meeting.prompt_id = None
        else:
            prompt = session.get(Prompt, prompt_id) if isinstance(prompt_id, int) else None
            if prompt is None or prompt.meeting_id != meeting_id:
                raise DomainError("prompt.unknown")
            meeting.prompt_id = prompt.id
        change = commit_change(session, meeting, {"meeting"})
        return {"prompt_id": meeting.prompt_id, "version": change.version}, change

    return facilitator_intent(db, user_id, meeting_id, client_id, "prompt.select", work)


# --------------------------------------------------------------------------- framing


def add_info(
    db: Database, *, user_id: int, meeting_id: str, client_id: str, title: object, text: object
) -> Result:
    clean_title, clean_text = validate_info_item(title, text)

    def work(session: Session, meeting: MeetingRow) -> Result:
        item = InfoItem(meeting_id=meeting_id, title=clean_title, text=clean_text)
        session.add(item)
        session.flush()
        change = commit_change(session, meeting, {"info"})
        return {"id": item.id, "version": change.version}, change

    return facilitator_intent(db, user_id, meeting_id, client_id, "info.create", work)


def show_info(
    db: Database, *, user_id: int, meeting_id: str, client_id: str, info_id: object
) -> Result:
    def work(session: Session, meeting: MeetingRow) -> Result:
        if info_id is None:
            meeting.shown_info_id = None
        else:
            item = session.get(InfoItem, info_id) if isinstance(info_id, int) else None
            if item is None or item.meeting_id != meeting_id:
                raise ProtocolError("payload.invalid", detail="unknown information item")
            meeting.shown_info_id = item.id
        change = commit_change(session, meeting, {"meeting"})
        return {"shown_info_id": meeting.shown_info_id, "version": change.version}, change

    return facilitator_intent(db, user_id, meeting_id, client_id, "info.show", work)


def _statement_number(session: Session, meeting: MeetingRow) -> int:
    """The current version of the issue statement, recording version 1 on first use."""
    latest = session.scalar(
        select(StatementVersion)
        .where(StatementVersion.meeting_id == meeting.id)
        .order_by(StatementVersion.number.desc())
        .limit(1)
    )
    if latest is None:
        latest = StatementVersion(meeting_id=meeting.id, number=1, text=meeting.issue_statement)
        session.add(latest)
        session.flush()
    return latest.number


def _close_open_check(session: Session, meeting: MeetingRow) -> bool:
    """Close the open recognition check, if any; says whether one was open."""
    if meeting.recognition_id is None:
        return False
    check = session.get(RecognitionCheck, meeting.recognition_id)
    if check is not None and check.closed_at is None:
        check.closed_at = utcnow()
        return True
    return False


def revise_statement(
    db: Database, *, user_id: int, meeting_id: str, client_id: str, text: object
) -> Result:
    cleaned = validate_statement(text)

    def work(session: Session, meeting: MeetingRow) -> Result:
        number = _statement_number(session, meeting) + 1
        session.add(
            StatementVersion(meeting_id=meeting_id, number=number, text=cleaned, user_id=user_id)
        )
        meeting.issue_statement = cleaned
        # Answers were about the old words: an open check ends with them, and the room
        # is asked again about the new words (a closed check stays closed).
        was_open = _close_open_check(session, meeting)
        result: dict[str, Any] = {"statement_number": number, "asked_again": was_open}
        if was_open:
            check = RecognitionCheck(meeting_id=meeting_id, statement_number=number)
            session.add(check)
            session.flush()
            meeting.recognition_id = check.id
            result["check_id"] = check.id
        change = commit_change(session, meeting, {"meeting", "recognition", "recognition_tally"})
        return {**result, "version": change.version}, change

    return facilitator_intent(db, user_id, meeting_id, client_id, "statement.revise", work)


def open_recognition(db: Database, *, user_id: int, meeting_id: str, client_id: str) -> Result:
    def work(session: Session, meeting: MeetingRow) -> Result:
        if not meeting.issue_statement.strip():
            raise DomainError("phase.needs_issue_statement")
        _close_open_check(session, meeting)
        check = RecognitionCheck(
            meeting_id=meeting_id, statement_number=_statement_number(session, meeting)
        )
        session.add(check)
        session.flush()
        meeting.recognition_id = check.id
        change = commit_change(session, meeting, {"recognition", "recognition_tally"})
        return {"check_id": check.id, "version": change.version}, change

    return facilitator_intent(db, user_id, meeting_id, client_id, "recognition.open", work)


def close_recognition(db: Database, *, user_id: int, meeting_id: str, client_id: str) -> Result:
    def work(session: Session, meeting: MeetingRow) -> Result:
        check = session.get(RecognitionCheck, meeting.recognition_id or 0)
        domain = CheckDomain(
            statement_version=check.statement_number if check else 0,
            open=check is not None and check.closed_at is None,
        )
        domain.close()  # refuses when there is no open check
        assert check is not None
        check.closed_at = utcnow()
        change = commit_change(session, meeting, {"recognition", "recognition_tally"})
        return {"check_id": check.id, "version": change.version}, change

    return facilitator_intent(db, user_id, meeting_id, client_id, "recognition.close", work)


def answer_recognition(
    db: Database,
    *,
    meeting_id: str,
    participant_id: int,
    client_id: str,
    check_id: object,
    answer: object,
    comment: object,
) -> Result:
    def work(session: Session, meeting: MeetingRow, person: Participant) -> Result:
        check = session.get(RecognitionCheck, check_id) if isinstance(check_id, int) else None
        if check is None or check.meeting_id != meeting_id or check.id != meeting.recognition_id:
            raise DomainError("recognition.closed")
        stored = session.scalar(
            select(RecognitionAnswer).where(
                RecognitionAnswer.check_id == check.id,
                RecognitionAnswer.participant_id == person.id,
            )
        )
        domain = CheckDomain(statement_version=check.statement_number, open=check.closed_at is None)
        if stored is not None:
            domain.answers[person.id] = (Recognition(stored.answer), stored.comment)
        if not domain.answer(person.id, answer, comment):
            return {"check_id": check.id}, None
        value, text = domain.answers[person.id]
        if stored is None:
            session.add(
                RecognitionAnswer(
                    check_id=check.id, participant_id=person.id, answer=value.value, comment=text
                )
            )
        else:
            stored.answer, stored.comment, stored.answered_at = value.value, text, utcnow()
        change = commit_change(session, meeting, {"recognition_tally"}, {person.id})
        return {"check_id": check.id, "answer": value.value, "version": change.version}, change

    return participant_intent(db, participant_id, meeting_id, client_id, "recognition.answer", work)


# --------------------------------------------------------------------------- speaking


def _queue(session: Session, meeting_id: str) -> tuple[SpeakingQueue, dict[int, SpeakRow]]:
    rows = list(
        session.scalars(
            select(SpeakRow)
            .where(
                SpeakRow.meeting_id == meeting_id,
                SpeakRow.status.in_([RequestStatus.WAITING.value, RequestStatus.SPEAKING.value]),
            )
            .order_by(SpeakRow.id)
        )
    )
    queue = SpeakingQueue(
        [
            SpeakRequest(id=r.id, participant_id=r.participant_id, status=RequestStatus(r.status))
            for r in rows
        ]
    )
    return queue, {r.id: r for r in rows}


def _queue_people(queue: SpeakingQueue) -> set[int]:
    return {r.participant_id for r in queue.requests}


def request_floor(db: Database, *, meeting_id: str, participant_id: int, client_id: str) -> Result:
    def work(session: Session, meeting: MeetingRow, person: Participant) -> Result:
        queue, _rows = _queue(session, meeting_id)
        existing = next((r for r in queue.requests if r.participant_id == person.id), None)
        if existing is not None:
            return {"request_id": existing.id, "position": queue.position(person.id)}, None
        row = SpeakRow(
            meeting_id=meeting_id, participant_id=person.id, status=RequestStatus.WAITING.value
        )
        session.add(row)
        session.flush()
        queue.request(person.id, row.id)
        change = commit_change(session, meeting, {"queue"}, {person.id})
        return {
            "request_id": row.id,
            "position": queue.position(person.id),
            "version": change.version,
        }, change

    return participant_intent(db, participant_id, meeting_id, client_id, "queue.request", work)


def cancel_floor(db: Database, *, meeting_id: str, participant_id: int, client_id: str) -> Result:
    def work(session: Session, meeting: MeetingRow, person: Participant) -> Result:
        queue, rows = _queue(session, meeting_id)
        cancelled = queue.cancel(person.id)
        rows[cancelled.id].status = cancelled.status.value
        # Everyone behind moves up one place.
        change = commit_change(session, meeting, {"queue"}, _queue_people(queue))
        return {"request_id": cancelled.id, "version": change.version}, change

    return participant_intent(db, participant_id, meeting_id, client_id, "queue.cancel", work)


def give_floor(
    db: Database,
    *,
    user_id: int,
    meeting_id: str,
    client_id: str,
    request_id: object,
    finish: bool,
) -> Result:
    def work(session: Session, meeting: MeetingRow) -> Result:
        queue, rows = _queue(session, meeting_id)
        if not isinstance(request_id, int) or isinstance(request_id, bool):
            raise DomainError("queue.unknown")
        people = _queue_people(queue)
        now = utcnow()
        changed = [queue.finish(request_id)] if finish else queue.start(request_id)
        for item in changed:
            row = rows[item.id]
            row.status = item.status.value
            if item.status is RequestStatus.SPEAKING:
                row.started_at = now
            else:
                row.finished_at = now
        change = commit_change(session, meeting, {"queue", "counts"}, people)
        return {"request_id": request_id, "version": change.version}, change

    action = "queue.finish" if finish else "queue.start"
    return facilitator_intent(db, user_id, meeting_id, client_id, action, work)


def _round(session: Session, meeting: MeetingRow) -> tuple[SpeakingRound, Round]:
    row = session.get(SpeakingRound, meeting.round_id or 0)
    if row is None or row.ended:
        raise DomainError("round.ended")
    return row, Round(order=tuple(row.order), position=row.position, ended=row.ended)


def start_round(db: Database, *, user_id: int, meeting_id: str, client_id: str) -> Result:
    def work(session: Session, meeting: MeetingRow) -> Result:
        people = session.execute(
            select(Participant.id, Participant.group)
            .where(
                Participant.meeting_id == meeting_id,
                Participant.removed_at.is_(None),
                Participant.role != Role.OBSERVER.value,
            )
            .order_by(Participant.id)
        ).all()
        order = round_order([(pid, group) for pid, group in people])
        previous = session.get(SpeakingRound, meeting.round_id or 0)
        if previous is not None:
            previous.ended = True
        row = SpeakingRound(meeting_id=meeting_id, order=list(order), position=0, spoke=[])
        session.add(row)
        session.flush()
        meeting.round_id = row.id
        change = commit_change(session, meeting, {"round"}, set(order))
        return {"round_id": row.id, "order": list(order), "version": change.version}, change

    return facilitator_intent(db, user_id, meeting_id, client_id, "round.start", work)


def step_round(
    db: Database, *, user_id: int, meeting_id: str, client_id: str, action: str
) -> Result:
    def work(session: Session, meeting: MeetingRow) -> Result:
        row, turn = _round(session, meeting)
        current = turn.current()
        if action == "end":
            turn.end()
        elif action == "skip":
            turn.skip()
        else:
            if current is not None and current not in row.spoke:
                row.spoke = [*row.spoke, current]
            turn.advance()
        row.position, row.ended = turn.position, turn.ended
        change = commit_change(session, meeting, {"round", "counts"}, set(turn.order))
        return {"current": turn.current(), "ended": turn.ended, "version": change.version}, change

    return facilitator_intent(db, user_id, meeting_id, client_id, f"round.{action}", work)

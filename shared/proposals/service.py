"""Use cases of proposals: written, amended, merged (and undone), withdrawn; support voting
and the shortlist.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from shared.core.db import Database, Upsert, read_once
from shared.core.intents import (
    Change,
    Result,
    commit_change,
    facilitator_intent,
    participant_intent,
    write_later,
)
from shared.core.models import ConsentRound as ConsentRoundRow
from shared.core.models import (
    Contribution,
    Participant,
    Proposal,
    ProposalMerge,
    ProposalVersion,
    Vote,
    WorkTable,
    utcnow,
)
from shared.core.models import Meeting as MeetingRow
from shared.core.screens import PersonRow
from shared.domain import DomainError, Phase, Role
from shared.domain.proposals import (
    Ballot,
    ProposalFields,
    ProposalStatus,
    VotingRules,
    check_merge,
    merge_support,
    validate_reason,
    validate_shortlist,
)
from shared.domain.sharing import Status as ContributionStatus
from shared.domain.tables import (
    check_host,
)
from shared.sharing.service import get_contribution, get_theme

WRITING_ROLES = frozenset({Role.PARTICIPANT, Role.INFORMANT, Role.FRAMEWORK_PARTY})


def get_proposal(session: Session, meeting_id: str, proposal_id: int | None) -> Proposal:
    if proposal_id is None:
        raise DomainError("proposal.unknown")
    row = session.get(Proposal, proposal_id)
    if row is None or row.meeting_id != meeting_id:
        raise DomainError("proposal.unknown")
    return row


def proposal_fields(row: Proposal) -> ProposalFields:
    return ProposalFields(row.title, row.description, row.what, row.who, row.where, row.when)


def write_fields(row: Proposal, fields: ProposalFields) -> None:
    for name, value in fields.as_dict().items():
        setattr(row, name, value)


def record_version(
    session: Session,
    row: Proposal,
    *,
    participant_id: int | None = None,
    user_id: int | None = None,
) -> int:
    latest = session.scalar(
        select(func.max(ProposalVersion.number)).where(ProposalVersion.proposal_id == row.id)
    )
    number = (latest or 0) + 1
    session.add(
        ProposalVersion(
            proposal_id=row.id,
            number=number,
            fields=proposal_fields(row).as_dict(),
            participant_id=participant_id,
            user_id=user_id,
        )
    )
    return number


def proposal_keys(row: Proposal) -> set[str]:
    return {f"proposal:{row.id}", "ranking"}


def _rules(meeting: MeetingRow) -> VotingRules:
    from shared.domain.proposals import VotingMode

    return VotingRules(
        mode=VotingMode(meeting.voting_mode),
        dots=meeting.voting_dots,
        max_per_proposal=meeting.voting_max_per_proposal,
        open=meeting.voting_open,
        voters=frozenset(Role(r) for r in meeting.voting_roles),
    )


def create_proposal(
    db: Database,
    *,
    meeting_id: str,
    participant_id: int,
    client_id: str,
    data: Mapping[str, object],
) -> Result:
    fields = ProposalFields.from_input(data)

    def work(session: Session, meeting: MeetingRow, person: PersonRow) -> Result:
        if meeting.phase != Phase.PROPOSALS:
            raise DomainError("proposal.phase_closed")
        if Role(person.role) not in WRITING_ROLES:
            raise DomainError("proposal.role")
        table_id = None
        if meeting.tables_active:
            table = session.get(WorkTable, person.table_id or 0)
            # At tables, the host writes what the table came up with.
            check_host(table.host_id if table else None, person.id)
            assert table is not None
            table_id = table.id
        row = Proposal(meeting_id=meeting_id, author_id=person.id, table_id=table_id)
        write_fields(row, fields)
        session.add(row)
        session.flush()
        record_version(session, row, participant_id=person.id)
        change = commit_change(session, meeting, proposal_keys(row) | {"tables"})
        return {"id": row.id}, change

    return participant_intent(db, participant_id, meeting_id, client_id, "proposal.create", work)


def create_from(
    db: Database,
    *,
    user_id: int,
    meeting_id: str,
    client_id: str,
    contribution_id: int | None = None,
    theme_id: int | None = None,
) -> Result:
    """The facilitator turns a contribution or a theme into a proposal to vote on."""

    def work(session: Session, meeting: MeetingRow) -> Result:
        row = Proposal(meeting_id=meeting_id)
        if contribution_id is not None:
            source = get_contribution(session, meeting_id, contribution_id)
            if source.status != ContributionStatus.VISIBLE:
                # A pending, hidden or withdrawn text must not reach the room this way.
                raise DomainError("proposal.source_hidden")
            text = source.text
            row.from_contribution_id = source.id
            title = text.split("\n", 1)[0]
            fields = ProposalFields(
                title=title[:117] + "…" if len(title) > 120 else title, description=text
            )
        else:
            theme = get_theme(session, meeting_id, theme_id)
            row.from_theme_id = theme.id
            texts = session.scalars(
                select(Contribution.text).where(
                    Contribution.theme_id == theme.id,
                    Contribution.status == ContributionStatus.VISIBLE,
                )
            )
            fields = ProposalFields(
                title=theme.name, description="\n".join(f"- {t}" for t in texts)[:2000]
            )
        write_fields(row, fields)
        session.add(row)
        session.flush()
        record_version(session, row, user_id=user_id)
        change = commit_change(session, meeting, proposal_keys(row))
        return {"id": row.id}, change

    return facilitator_intent(db, user_id, meeting_id, client_id, "proposal.create_from", work)


def withdraw_proposal(
    db: Database,
    *,
    user_id: int,
    meeting_id: str,
    client_id: str,
    proposal_id: int,
    reason: object,
) -> Result:
    cleaned = validate_reason(reason)

    def work(session: Session, meeting: MeetingRow) -> Result:
        row = get_proposal(session, meeting_id, proposal_id)
        if row.status != ProposalStatus.OPEN:
            raise DomainError("proposal.closed")
        row.status, row.withdraw_reason = ProposalStatus.WITHDRAWN, cleaned
        meeting.shortlist = [i for i in meeting.shortlist if i != row.id]
        voters = set(session.scalars(select(Vote.participant_id).where(Vote.proposal_id == row.id)))
        # The dots on it return to their owners: their phones show them free again.
        change = commit_change(session, meeting, proposal_keys(row) | {"meeting"}, voters)
        return {"id": row.id}, change

    return facilitator_intent(db, user_id, meeting_id, client_id, "proposal.withdraw", work)


def merge_proposals(
    db: Database,
    *,
    user_id: int,
    meeting_id: str,
    client_id: str,
    source_id: int,
    target_id: int,
) -> Result:
    def work(session: Session, meeting: MeetingRow) -> Result:
        source = get_proposal(session, meeting_id, source_id)
        target = get_proposal(session, meeting_id, target_id)
        check_merge(
            source.id, ProposalStatus(source.status), target.id, ProposalStatus(target.status)
        )
        votes_on = {
            pid: {
                v.participant_id: v
                for v in session.scalars(
                    select(Vote).where(Vote.proposal_id == pid), execution_options=_FRESH
                )
            }
            for pid in (source.id, target.id)
        }
        before = {
            pid: {voter: v.count for voter, v in votes_on[pid].items()}
            for pid in (source.id, target.id)
        }
        merged = merge_support(before[source.id], before[target.id], _rules(meeting).per_proposal)
        for voter, count in merged.items():
            vote = votes_on[target.id].get(voter)
            if vote is None:
                session.add(
                    Vote(
                        meeting_id=meeting_id,
                        proposal_id=target.id,
                        participant_id=voter,
                        count=count,
                    )
                )
            else:
                vote.count = count
        for vote in votes_on[source.id].values():
            vote.count = 0  # moved to the target; what did not fit is free again
        session.add(
            ProposalMerge(
                meeting_id=meeting_id,
                source_id=source.id,
                target_id=target.id,
                source_votes={str(v): n for v, n in before[source.id].items()},
                target_votes={str(v): n for v, n in before[target.id].items()},
                target_after={str(v): n for v, n in merged.items()},
                shortlist_before=list(meeting.shortlist),
                voting_was_open=meeting.voting_open,
                user_id=user_id,
            )
        )
        source.status, source.merged_into_id = ProposalStatus.MERGED, target.id
        meeting.shortlist = [i for i in meeting.shortlist if i != source.id]
        voters = set(votes_on[source.id]) | set(votes_on[target.id])
        # The author of the merged proposal is told on their phone.
        change = _merge_change(session, meeting, source, target, voters)
        return {"id": target.id, "merged": source.id}, change

    return facilitator_intent(db, user_id, meeting_id, client_id, "proposal.merge", work)


def _merge_change(
    session: Session, meeting: MeetingRow, source: Proposal, target: Proposal, voters: set[int]
) -> Change:
    """A merge or its undo: both proposals' keys change, and the voters' and the authors'
    phones are told."""
    authors = {p.author_id for p in (source, target) if p.author_id is not None}
    keys = proposal_keys(source) | proposal_keys(target) | {"meeting"}
    return commit_change(session, meeting, keys, voters | authors)


def undo_merge(
    db: Database, *, user_id: int, meeting_id: str, client_id: str, source_id: int
) -> Result:
    """Undo the latest merge of ``source_id``: both proposals and their supporters as
    they were. Possible until voting opens (support may then have moved on)."""

    def work(session: Session, meeting: MeetingRow) -> Result:
        source = get_proposal(session, meeting_id, source_id)
        merge = session.scalar(
            select(ProposalMerge)
            .where(ProposalMerge.source_id == source.id, ProposalMerge.undone_at.is_(None))
            .order_by(ProposalMerge.id.desc())
            .limit(1)
        )
        if merge is None or source.status != ProposalStatus.MERGED:
            raise DomainError("merge.unknown")
        # Only exact: support must not have moved since (voting open at the merge, now,
        # or at any time after it), and consent must not have built on it.
        if (
            merge.voting_was_open
            or meeting.voting_open
            or (meeting.voting_opened_at is not None and meeting.voting_opened_at > merge.at)
        ):
            raise DomainError("merge.voting_opened")
        target = get_proposal(session, meeting_id, merge.target_id)
        if target.status != ProposalStatus.OPEN:
            raise DomainError("merge.target_closed")
        in_consent = session.scalar(
            select(func.count(ConsentRoundRow.id)).where(
                ConsentRoundRow.proposal_id.in_([source.id, target.id])
            )
        )
        if target.consent_status or in_consent:
            raise DomainError("merge.in_consent")
        votes = {
            (v.proposal_id, v.participant_id): v
            for v in session.scalars(
                select(Vote).where(Vote.proposal_id.in_([source.id, target.id])),
                execution_options=_FRESH,
            )
        }
        now_on_target = {
            str(pid): v.count for (prop, pid), v in votes.items() if prop == target.id and v.count
        }
        if now_on_target != {k: n for k, n in merge.target_after.items() if n}:
            raise DomainError("merge.support_changed")
        for proposal_id, before in (
            (source.id, merge.source_votes),
            (target.id, merge.target_votes),
        ):
            for (prop, _pid), stored in votes.items():
                if prop == proposal_id:
                    stored.count = 0
            for voter, count in before.items():
                vote = votes.get((proposal_id, int(voter)))
                if vote is None:
                    session.add(
                        Vote(
                            meeting_id=meeting_id,
                            proposal_id=proposal_id,
                            participant_id=int(voter),
                            count=count,
                        )
                    )
                else:
                    vote.count = count
        source.status, source.merged_into_id = ProposalStatus.OPEN, None
        if source.id in merge.shortlist_before and source.id not in meeting.shortlist:
            # Back in its place on the shortlist, among what is still there.
            order = {pid: i for i, pid in enumerate(merge.shortlist_before)}
            meeting.shortlist = sorted(
                [*meeting.shortlist, source.id], key=lambda pid: order.get(pid, len(order))
            )
        merge.undone_at = utcnow()
        voters = {int(v) for v in merge.source_votes} | {int(v) for v in merge.target_votes}
        change = _merge_change(session, meeting, source, target, voters)
        return {"id": source.id, "restored_from": target.id}, change

    return facilitator_intent(db, user_id, meeting_id, client_id, "proposal.unmerge", work)


def _merged_keys(session: Session, meeting: MeetingRow) -> set[str]:
    """Merged proposals: whether their merge can be undone follows voting."""
    return {
        f"proposal:{pid}"
        for pid in session.scalars(
            select(Proposal.id).where(
                Proposal.meeting_id == meeting.id, Proposal.status == ProposalStatus.MERGED
            )
        )
    }


def _set_voting_open(meeting: MeetingRow, open_: bool) -> None:
    if open_ and not meeting.voting_open:
        meeting.voting_opened_at = utcnow()  # the last opening
    meeting.voting_open = open_


def configure_voting(
    db: Database,
    *,
    user_id: int,
    meeting_id: str,
    client_id: str,
    mode: object,
    dots: object,
    max_per_proposal: object,
    allow_framework: bool,
    allow_observers: bool,
    open_: bool | None,
) -> Result:
    voters = {Role.PARTICIPANT, Role.INFORMANT}
    if allow_framework:
        voters.add(Role.FRAMEWORK_PARTY)
    if allow_observers:
        voters.add(Role.OBSERVER)
    rules = VotingRules.configure(mode, dots, max_per_proposal, frozenset(voters))

    def work(session: Session, meeting: MeetingRow) -> Result:
        cast = session.scalar(
            select(func.count(Vote.id)).where(Vote.meeting_id == meeting_id, Vote.count > 0)
        )
        if cast and (
            rules.mode.value != meeting.voting_mode
            or rules.dots != meeting.voting_dots
            or rules.max_per_proposal != meeting.voting_max_per_proposal
            or sorted(r.value for r in rules.voters) != sorted(meeting.voting_roles)
        ):
            # Changing the rules under cast votes would change what people said.
            raise DomainError("voting.rules_locked")
        meeting.voting_mode = rules.mode
        meeting.voting_dots = rules.dots
        meeting.voting_max_per_proposal = rules.max_per_proposal
        meeting.voting_roles = sorted(r.value for r in rules.voters)
        if open_ is not None:
            _set_voting_open(meeting, open_)
        everyone = set(
            session.scalars(select(Participant.id).where(Participant.meeting_id == meeting_id))
        )
        keys = {"meeting", "ranking"} | _merged_keys(session, meeting)
        change = commit_change(session, meeting, keys, everyone)
        return {"open": meeting.voting_open}, change

    return facilitator_intent(db, user_id, meeting_id, client_id, "voting.configure", work)


def open_voting(
    db: Database, *, user_id: int, meeting_id: str, client_id: str, open_: bool
) -> Result:
    def work(session: Session, meeting: MeetingRow) -> Result:
        _set_voting_open(meeting, open_)
        change = commit_change(session, meeting, {"meeting"} | _merged_keys(session, meeting))
        return {"open": open_}, change

    action = "voting.open" if open_ else "voting.close"
    return facilitator_intent(db, user_id, meeting_id, client_id, action, work)


#: a vote's reads and its write, built once (a dot is the hot path of the voting phase)
_STATUSES = select(Proposal.id, Proposal.status).where(
    Proposal.meeting_id == bindparam("meeting_id")
)
_OWN_VOTES = select(Vote.proposal_id, Vote.count).where(
    Vote.participant_id == bindparam("participant_id")
)
_UPSERT_VOTE = Upsert(Vote.__table__, ("proposal_id", "participant_id"), ("count",))
#: votes are written as statements (`vote`): an object the session holds may be older
_FRESH = {"populate_existing": True}


def _statuses(
    session: Session, meeting_id: str
) -> tuple[dict[int, ProposalStatus], frozenset[int]]:
    """The meeting's proposals' statuses, and which of them still take support."""
    statuses = {
        pid: ProposalStatus(status)
        for pid, status in session.execute(_STATUSES, {"meeting_id": meeting_id})
    }
    return statuses, frozenset(p for p, st in statuses.items() if st is ProposalStatus.OPEN)


def vote(
    db: Database,
    *,
    meeting_id: str,
    participant_id: int,
    client_id: str,
    proposal_id: int,
    give: bool,
) -> Result:
    def work(session: Session, meeting: MeetingRow, person: PersonRow) -> Result:
        statuses, open_ids = read_once(  # the voters of a batch share it
            session,
            Proposal.__tablename__,
            ("statuses", meeting_id),
            lambda: _statuses(session, meeting_id),
        )
        if proposal_id not in statuses:
            raise DomainError("proposal.unknown")
        mine = {pid: n for pid, n in session.execute(_OWN_VOTES, {"participant_id": person.id})}
        ballot = Ballot(_rules(meeting), Role(person.role), mine)
        status = statuses[proposal_id]
        if give:
            count = ballot.give(proposal_id, status, open_ids)
        else:
            count = ballot.take_back(proposal_id, status)
        write_later(  # read back by this voter's next vote, which runs it first
            session,
            _UPSERT_VOTE(session),
            {
                "meeting_id": meeting_id,
                "proposal_id": proposal_id,
                "participant_id": person.id,
                "count": count,
            },
        )
        change = commit_change(session, meeting, {"ranking"}, {person.id}, you_parts={"proposals"})
        return {
            "proposal_id": proposal_id,
            "count": count,
            "left": ballot.remaining(open_ids),
        }, change

    action = "vote.give" if give else "vote.take_back"
    return participant_intent(db, participant_id, meeting_id, client_id, action, work)


def set_shortlist(
    db: Database, *, user_id: int, meeting_id: str, client_id: str, ids: object
) -> Result:
    def work(session: Session, meeting: MeetingRow) -> Result:
        open_ids = set(
            session.scalars(
                select(Proposal.id).where(
                    Proposal.meeting_id == meeting_id, Proposal.status == ProposalStatus.OPEN
                )
            )
        )
        meeting.shortlist = validate_shortlist(ids, open_ids)
        change = commit_change(session, meeting, {"meeting"})
        return {"shortlist": meeting.shortlist}, change

    return facilitator_intent(db, user_id, meeting_id, client_id, "shortlist.set", work)

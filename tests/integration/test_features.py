"""Each feature's use cases against a real (migrated) SQLite database and the real hub,
without a server: the services are called as the event handlers call them, and a
recording hub shows what each room would be sent (and what it would not).

The protocol tests drive the same paths through Socket.IO; these show where a rule
lives: a refusal here is the service's, an update here is the hub's.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from shared.accounts.service import add_user
from shared.consent import service as consent
from shared.core.db import Database
from shared.core.intents import Change
from shared.domain import DomainError, MeetingDetails
from shared.framing import service as framing
from shared.kaders import service as kaders
from shared.meeting.service import create_meeting, join, move_phase
from shared.proposals import service as proposals
from shared.realtime.hub import Hub, personal_room, room
from shared.sharing import service as sharing
from shared.signing import service as signing
from shared.speaking import service as speaking
from shared.tables import service as tables


class RecordingHub(Hub):
    """The real hub, with its background task and its socket replaced by lists: what it
    schedules runs when the test calls ``deliver()``, and what it emits is kept."""

    def __init__(self, db: Database) -> None:
        self.sent: list[tuple[str, Any, str | None]] = []
        self.closed: list[str] = []
        self.pending: list[tuple[Callable[..., Any], tuple[Any, ...]]] = []
        super().__init__(
            db=db,
            emit=lambda event, data, to=None: self.sent.append((event, data, to)),
            disconnect=self.closed.append,
            spawn=lambda fn, *args: self.pending.append((fn, args)),
            sleep=lambda seconds: None,
            base_url=lambda: "https://plandag.test",
            coalesce_ms=0,
        )

    def deliver(self) -> list[tuple[str, Any, str | None]]:
        """Run the scheduled flushes (as the background task would, minus the wait, and
        letting a failure surface); what left the hub, in order."""
        start = len(self.sent)
        while self.pending:
            _, (meeting_id,) = self.pending.pop(0)
            while self.flush(meeting_id):
                pass
            assert self.marks.release(meeting_id)
            self._flushing.discard(meeting_id)
        return self.sent[start:]


class Room:
    """One meeting: a facilitator, phones, and the hub between them. ``act`` calls a
    use case as an event handler does: the result, and its change handed to the hub."""

    def __init__(
        self, db: Database, template: str = "nieuwe_route", phases: list[str] | None = None
    ) -> None:
        self.db = db
        self.hub = RecordingHub(db)
        self.user = add_user(db, f"anna-{template}@example.org", "Anna", "a long password")
        details = MeetingDetails.from_input(
            title="Buurtavond Noord",
            template=template,
            custom_phases=phases,
            groups=["Bewoners", "Gemeente"],
            open_question="Hoe gaan we verder met het plein?",
            issue_statement="Overlast op het plein houdt de buurt uit elkaar.",
        )
        self.meeting = create_meeting(db, self.user.id, details)
        self.id = self.meeting.id
        self._n = 0

    def cid(self) -> str:
        self._n += 1
        return f"test-client-{self._n}"

    def act(self, use_case: Callable[..., Any], **kw: Any) -> dict[str, Any]:
        result, change = use_case(self.db, meeting_id=self.id, **kw)
        self.hub.changed(change)
        return result

    def facilitate(self, use_case: Callable[..., Any], **kw: Any) -> dict[str, Any]:
        return self.act(use_case, user_id=self.user.id, client_id=self.cid(), **kw)

    def phone(self, name: str, group: str = "Bewoners") -> int:
        person, change, _new = join(
            self.db,
            meeting_id=self.id,
            device_token=f"device-{name}-" + "x" * 20,
            name=name,
            group=group,
        )
        self.hub.changed(change)
        return person.id

    def by(
        self, pid: int, use_case: Callable[..., Any], client_id: str | None = None, **kw: Any
    ) -> dict[str, Any]:
        return self.act(use_case, participant_id=pid, client_id=client_id or self.cid(), **kw)

    def go_to(self, phase: str) -> None:
        for _ in range(10):
            if self.phase() == phase:
                return
            self.facilitate(move_phase, direction="advance", expected=None)
        raise AssertionError(f"never reached {phase}")

    def phase(self) -> str:
        views = self.views("console")
        return str(views["meeting"]["phase"]) if "meeting" in views else self._phase_now()

    def _phase_now(self) -> str:
        from shared.core.models import Meeting

        with self.db.read() as s:
            row = s.get(Meeting, self.id)
            assert row is not None
            return str(row.phase)

    # ------------------------------------------------------------------ what left

    def views(self, audience: str) -> dict[str, Any]:
        """Every view key the room of ``audience`` has been sent, merged, latest last."""
        merged: dict[str, Any] = {}
        for event, data, to in self.hub.sent:
            if event == "update" and to == room(self.id, audience):
                merged.update(data["views"])
        return merged

    def updates(self, audience: str, sent: list[tuple[str, Any, str | None]]) -> list[Any]:
        return [d for e, d, to in sent if e == "update" and to == room(self.id, audience)]

    def yous(self, pid: int) -> list[dict[str, Any]]:
        return [d for e, d, to in self.hub.sent if e == "you" and to == personal_room(pid)]


@pytest.fixture
def meeting(db: Database) -> Room:
    return Room(db)


def keys_to(sent: list[tuple[str, Any, str | None]], target: str) -> set[str]:
    return {k for e, d, to in sent if e == "update" and to == target for k in d["views"]}


# --------------------------------------------------------------------------- meeting


def test_a_phase_change_reaches_every_room_once_and_names_what_it_follows(meeting: Room):
    meeting.go_to("framing")
    sent = meeting.hub.deliver()
    for audience in ("console", "beamer", "phone"):
        (update,) = meeting.updates(audience, sent)  # one coalesced update per room
        assert update["views"]["meeting"]["phase"] == "framing"
        assert update["since"] < update["version"]


def test_who_joins_is_shown_to_console_and_beamer_but_never_sent_to_phones(meeting: Room):
    meeting.hub.deliver()
    fatima = meeting.phone("Fatima")
    sent = meeting.hub.deliver()
    assert f"participant:{fatima}" in keys_to(sent, room(meeting.id, "console"))
    assert "counts" in keys_to(sent, room(meeting.id, "beamer"))
    assert keys_to(sent, room(meeting.id, "phone")) == set()


def test_a_retried_write_with_the_same_client_id_counts_once(meeting: Room):
    meeting.go_to("sharing")
    pid = meeting.phone("Fatima")
    first = meeting.by(
        pid, sharing.create_contribution, client_id="phone-retry-1", text="De bankjes zijn weg."
    )
    again = meeting.by(
        pid, sharing.create_contribution, client_id="phone-retry-1", text="De bankjes zijn weg."
    )
    assert again.pop("duplicate") is True and again == first  # the same answer, once
    meeting.hub.deliver()
    mine = [k for k in meeting.views("console") if k.startswith("contribution:")]
    assert len(mine) == 1


# --------------------------------------------------------------------------- framing


def test_a_revised_issue_statement_reaches_the_room_and_asks_again(meeting: Room):
    meeting.go_to("framing")
    meeting.hub.deliver()
    meeting.facilitate(framing.revise_statement, text="Het plein is van iedereen.")
    sent = meeting.hub.deliver()
    beamer = meeting.views("beamer")
    assert "Het plein is van iedereen." in str(beamer["meeting"])
    assert meeting.updates("phone", sent), "phones read the statement too"


def test_recognition_answers_are_counted_for_the_screens_and_kept_for_the_phone(meeting: Room):
    meeting.go_to("framing")
    opened = meeting.facilitate(framing.open_recognition)
    pid = meeting.phone("Fatima")
    meeting.hub.deliver()
    meeting.by(
        pid, framing.answer_recognition, check_id=opened["check_id"], answer="yes", comment=""
    )
    sent = meeting.hub.deliver()
    assert "recognition_tally" in keys_to(sent, room(meeting.id, "beamer"))
    assert "recognition_tally" not in keys_to(sent, room(meeting.id, "phone"))
    assert meeting.yous(pid)[-1]["recognition"]["answer"] == "yes"


# --------------------------------------------------------------------------- sharing


def test_a_contribution_waits_for_moderation_before_the_wall_shows_it(meeting: Room):
    meeting.go_to("sharing")
    meeting.facilitate(sharing.sharing_settings, values={"moderation": "pre"})
    pid = meeting.phone("Fatima")
    meeting.hub.deliver()
    made = meeting.by(pid, sharing.create_contribution, text="Er is geen licht op het plein.")
    sent = meeting.hub.deliver()
    assert f"contribution:{made['id']}" in keys_to(sent, room(meeting.id, "console"))
    assert not any(
        k.startswith("card:") and meeting.views("beamer")[k]
        for k in keys_to(sent, room(meeting.id, "beamer"))
    )
    meeting.facilitate(sharing.moderate_contribution, contribution_id=made["id"], action="approve")
    meeting.hub.deliver()
    card = meeting.views("beamer")[f"card:{made['id']}"]
    assert card["text"] == "Er is geen licht op het plein."


def test_one_participant_cannot_edit_anothers_contribution(meeting: Room):
    meeting.go_to("sharing")
    fatima, bram = meeting.phone("Fatima"), meeting.phone("Bram")
    made = meeting.by(fatima, sharing.create_contribution, text="Mijn zorg.")
    with pytest.raises(DomainError) as refused:
        meeting.by(bram, sharing.edit_contribution, contribution_id=made["id"], text="Gewijzigd")
    assert refused.value.code.startswith("contribution.")


# --------------------------------------------------------------------------- speaking


def test_asking_for_the_floor_puts_a_name_in_the_queue_of_console_and_beamer(meeting: Room):
    meeting.go_to("sharing")
    pid = meeting.phone("Fatima")
    meeting.hub.deliver()
    meeting.by(pid, speaking.request_floor)
    sent = meeting.hub.deliver()
    assert "queue" in keys_to(sent, room(meeting.id, "console"))
    assert "queue" not in keys_to(sent, room(meeting.id, "phone"))
    assert "Fatima" in str(meeting.views("console")["queue"])
    assert meeting.yous(pid), "the phone learns its own place in the queue"


# --------------------------------------------------------------------------- proposals


def _proposal(meeting: Room, pid: int, title: str) -> int:
    made = meeting.by(
        pid,
        proposals.create_proposal,
        data={
            "title": title,
            "description": "Elke week samen.",
            "what": "Opruimen",
            "who": "Bewoners",
            "where": "Het plein",
            "when": "Zaterdag",
        },
    )
    return int(made["id"])


def test_support_votes_are_tallied_on_the_screens_and_private_to_the_phone(meeting: Room):
    meeting.go_to("proposals")
    fatima, bram = meeting.phone("Fatima"), meeting.phone("Bram")
    pid = _proposal(meeting, fatima, "Schoonmaakploeg")
    meeting.facilitate(proposals.open_voting, open_=True)
    meeting.hub.deliver()
    meeting.by(bram, proposals.vote, proposal_id=pid, give=True)
    sent = meeting.hub.deliver()
    assert "ranking" in keys_to(sent, room(meeting.id, "beamer"))
    assert "ranking" not in keys_to(sent, room(meeting.id, "phone"))
    assert pid in {int(k) for k in meeting.yous(bram)[-1]["votes"]}, "his phone shows his support"


# --------------------------------------------------------------------------- tables


def test_splitting_into_tables_tells_each_phone_its_table(meeting: Room):
    meeting.go_to("proposals")
    people = [meeting.phone(n) for n in ("Fatima", "Bram", "Joke", "Sem")]
    meeting.hub.deliver()
    meeting.facilitate(tables.split_tables, strategy="random", count=2, four_years=False)
    meeting.hub.deliver()
    shown = meeting.views("beamer")["tables"]
    assert shown["active"] and len(shown["tables"]) == 2
    assert "members" not in shown["tables"][0]  # who sits where: the console's only
    seats = {meeting.yous(pid)[-1]["table_id"] for pid in people}
    assert seats == {t["id"] for t in shown["tables"]}


# --------------------------------------------------------------------------- consent


def test_one_objection_travels_from_a_phone_to_the_beamer_without_its_author(meeting: Room):
    """The path docs/architecture.md draws: consent.answer on a phone, one commit, the
    change to the hub, one coalesced update per room. In an anonymous meeting the room
    reads the reason and the group, never the name; the console can still ask."""
    meeting.facilitate(sharing.sharing_settings, values={"anonymity": "anonymous"})
    meeting.go_to("proposals")
    fatima, bram = meeting.phone("Fatima"), meeting.phone("Bram")
    pid = _proposal(meeting, fatima, "Schoonmaakploeg")
    meeting.go_to("consent")
    opened = meeting.facilitate(consent.open_round, proposal_id=pid, whole_plan=False)
    meeting.hub.deliver()
    meeting.by(
        bram,
        consent.answer,
        round_id=opened["round_id"],
        value="objection",
        text="Zaterdag werk ik.",
    )
    sent = meeting.hub.deliver()
    (beamer,) = meeting.updates("beamer", sent)
    tally = beamer["views"]["consent_tally"]
    (shown,) = tally["objections"]
    assert shown["reason"] == "Zaterdag werk ik." and shown["group"] == "Bewoners"
    assert "Bram" not in str(beamer)  # the room reads the reason, not who gave it
    (asked,) = meeting.views("console")["consent_tally"]["objections"]
    assert asked["name"] == "Bram" and asked["participant_id"] == bram
    assert "consent_tally" not in keys_to(sent, room(meeting.id, "phone"))
    assert meeting.yous(bram)[-1]["consent"]["text"] == "Zaterdag werk ik."
    closed = meeting.facilitate(consent.close_round)
    assert closed["outcome"] == "not_adopted"  # a standing objection is not consent
    meeting.hub.deliver()
    assert meeting.views("phone").get("agreements", {"items": []})["items"] == []


# --------------------------------------------------------------------------- kaders


def test_kaders_are_drafts_for_the_room_until_the_facilitator_locks_them(meeting: Room):
    invited = meeting.facilitate(kaders.invite_party, name="Gemeente")
    meeting.hub.deliver()
    meeting.act(
        kaders.save_framework,
        actor=kaders.Actor(user_id=meeting.user.id),
        client_id=meeting.cid(),
        framework_id=None,
        party_id=invited["id"],
        title="Binnen het budget",
        description="Niet meer dan 5.000 euro.",
    )
    meeting.hub.deliver()
    assert "Binnen het budget" in str(meeting.views("console").get("frameworks"))
    assert "Binnen het budget" not in str(meeting.views("phone").get("frameworks"))
    meeting.facilitate(kaders.lock_frameworks)
    meeting.hub.deliver()
    assert "Binnen het budget" in str(meeting.views("phone")["frameworks"])


# --------------------------------------------------------------------------- signing


def test_signing_before_its_phase_is_refused(meeting: Room, tmp_path: Path):
    pid = meeting.phone("Fatima")
    with pytest.raises(DomainError) as early:
        meeting.by(pid, signing.sign, accept=True, name="Fatima Yilmaz", reason="", image=None)
    assert early.value.code.startswith("signing.")


def test_what_was_consented_to_is_what_is_signed_and_sealed(db: Database, tmp_path: Path):
    meeting = Room(db, template="custom", phases=["proposals", "consent", "signing"])
    fatima, bram = meeting.phone("Fatima"), meeting.phone("Bram")
    meeting.go_to("proposals")
    pid = _proposal(meeting, fatima, "Schoonmaakploeg")
    meeting.go_to("consent")
    opened = meeting.facilitate(consent.open_round, proposal_id=pid, whole_plan=False)
    for person in (fatima, bram):
        meeting.by(person, consent.answer, round_id=opened["round_id"], value="consent", text="")
    assert meeting.facilitate(consent.close_round)["outcome"] == "adopted"
    whole = meeting.facilitate(consent.open_round, proposal_id=None, whole_plan=True)
    for person in (fatima, bram):
        meeting.by(person, consent.answer, round_id=whole["round_id"], value="consent", text="")
    assert meeting.facilitate(consent.close_round)["outcome"] == "adopted"
    meeting.go_to("signing")
    meeting.by(fatima, signing.sign, accept=True, name="Fatima Yilmaz", reason="", image=None)
    meeting.by(
        bram, signing.sign, accept=False, name="Bram de Vries", reason="Ik twijfel.", image=None
    )
    meeting.hub.deliver()
    assert "signing_tally" in meeting.views("beamer")
    meeting.facilitate(
        signing.close_signing, instance_dir=tmp_path, verify_url="https://plandag.test/verify"
    )
    record, seal, _images = signing.sealed_plan(db, meeting.id)
    (agreement,) = record["plan"]["agreements"]
    assert (agreement["title"], agreement["where"]) == ("Schoonmaakploeg", "Het plein")
    statuses = {s["name"]: s["status"] for s in record["signatures"]}
    assert statuses == {"Fatima Yilmaz": "signed", "Bram de Vries": "declined"}
    assert seal.digest and record["verify_url"] == "https://plandag.test/verify"


def test_a_change_is_only_broadcast_once_the_hub_flushes(meeting: Room):
    """Persisted, then acknowledged, then broadcast: a use case returns its change and
    nothing has been emitted until the hub's flush runs (after the ack in a handler)."""
    meeting.go_to("framing")
    meeting.hub.deliver()
    before = len(meeting.hub.sent)
    result, change = framing.revise_statement(
        meeting.db,
        user_id=meeting.user.id,
        meeting_id=meeting.id,
        client_id="rev-1",
        text="Nieuwe tekst.",
    )
    assert isinstance(change, Change) and "version" in result
    meeting.hub.changed(change)
    assert len(meeting.hub.sent) == before
    assert meeting.hub.deliver()


def test_phones_share_one_room_snapshot_until_something_they_see_changes(meeting: Room):
    """The room part of a phone's snapshot is built once per phone-visible version: a
    join (which phones do not see) keeps it, a revised statement replaces it."""
    from shared.core.models import Meeting, Participant
    from shared.screens import phone_snapshots

    meeting.go_to("framing")
    first, second = meeting.phone("Fatima"), meeting.phone("Bram")

    def snap(pid: int) -> dict[str, Any]:
        with meeting.db.read() as s:
            row, person = s.get(Meeting, meeting.id), s.get(Participant, pid)
            assert row is not None and person is not None
            return phone_snapshots(s, row, "https://plandag.test", [person])[pid]

    a, b = snap(first), snap(second)
    assert a["views"] is b["views"]  # built once, shared
    with meeting.db.read() as s:  # phones that connect together: one build for all
        row = s.get(Meeting, meeting.id)
        people = [s.get(Participant, pid) for pid in (first, second)]
        assert row is not None and None not in people
        both = phone_snapshots(s, row, "https://plandag.test", people)  # type: ignore[arg-type]
    assert both[first]["you"] == a["you"] and both[second]["you"] == b["you"]
    assert a["you"]["id"] == first and b["you"]["id"] == second  # `you` is each its own
    meeting.phone("Joke")  # a join: phones see nothing of it
    assert snap(first)["views"] is a["views"]
    meeting.facilitate(framing.revise_statement, text="Het plein is van iedereen.")
    fresh = snap(second)
    assert fresh["views"] is not a["views"]
    assert "Het plein is van iedereen." in str(fresh["views"]["meeting"])


def test_a_renamed_participant_is_renamed_on_every_phone_that_shows_them(meeting: Room):
    from shared.core.models import Meeting
    from shared.screens import snapshot

    meeting.go_to("sharing")
    token = "device-renamer-" + "y" * 20
    person, change, _new = join(
        meeting.db, meeting_id=meeting.id, device_token=token, name="Fatma", group="Bewoners"
    )
    meeting.hub.changed(change)
    made = meeting.by(person.id, sharing.create_contribution, text="Meer licht op het plein.")

    def card() -> Any:
        with meeting.db.read() as s:
            row = s.get(Meeting, meeting.id)
            assert row is not None
            return snapshot(s, row, "phone", "https://plandag.test")["views"][f"card:{made['id']}"]

    assert "Fatma" in str(card())
    _, renamed, _ = join(
        meeting.db, meeting_id=meeting.id, device_token=token, name="Fatima", group="Bewoners"
    )
    meeting.hub.changed(renamed)
    assert "Fatima" in str(card())  # a phone connecting now reads the new name
    sent = meeting.hub.deliver()
    assert f"card:{made['id']}" in keys_to(sent, room(meeting.id, "phone"))  # and those online


def test_the_facilitator_cannot_ask_a_removed_objector(meeting: Room):
    from shared.meeting.service import remove_participant

    meeting.go_to("proposals")
    fatima, bram = meeting.phone("Fatima"), meeting.phone("Bram")
    pid = _proposal(meeting, fatima, "Schoonmaakploeg")
    meeting.go_to("consent")
    opened = meeting.facilitate(consent.open_round, proposal_id=pid, whole_plan=False)
    meeting.by(
        bram,
        consent.answer,
        round_id=opened["round_id"],
        value="objection",
        text="Zaterdag werk ik.",
    )
    meeting.facilitate(remove_participant, participant_id=bram)
    with pytest.raises(DomainError) as refused:
        meeting.facilitate(consent.ask_objector, participant_id=bram)
    assert refused.value.code == "consent.no_objection"  # who left, no longer objects

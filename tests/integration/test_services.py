"""Services against a real (migrated) SQLite database, without the web layer."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from shared.accounts.service import (
    add_user,
    authenticate,
    check_setup_token,
    issue_first_account_link,
    redeem_setup_token,
)
from shared.app import create_app
from shared.config import Settings
from shared.core.db import Database
from shared.core.intents import clock_of
from shared.core.models import Base
from shared.domain import DomainError, MeetingDetails
from shared.meeting.service import (
    add_cofacilitator,
    create_meeting,
    get_meeting_for_facilitator,
    join,
    list_meetings,
    move_phase,
)


def details(**kw):
    values = dict(
        title="Buurtavond",
        template="alle_hens",
        groups=["Bewoners", "Gemeente"],
        open_question="Wat nu?",
        issue_statement="Spanning.",
    )
    values.update(kw)
    return MeetingDetails.from_input(**values)


def test_the_migrations_build_exactly_the_models(db: Database):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_the_first_account_link_works_once_and_only_while_there_is_no_account(db: Database):
    old = issue_first_account_link(db)
    token = issue_first_account_link(db)
    with pytest.raises(DomainError) as refused:
        check_setup_token(db, old)  # only the newest printed link counts
    assert refused.value.code == "auth.link_invalid"
    check_setup_token(db, token)
    user = redeem_setup_token(db, token, "Anna@Example.org", "Anna", "a long password")
    assert user.email == "anna@example.org"
    assert authenticate(db, "anna@example.org", "a long password").id == user.id
    with pytest.raises(DomainError):
        redeem_setup_token(db, token, "eve@example.org", "Eve", "a long password")
    assert issue_first_account_link(db) is None


@pytest.mark.parametrize(
    ("email", "password", "code"),
    [
        ("not-an-address", "a long password", "user.email_invalid"),
        ("a@example.org", "short", "user.password_too_short"),
    ],
)
def test_accounts_are_validated(db: Database, email, password, code):
    with pytest.raises(DomainError) as refused:
        add_user(db, email, "Name", password)
    assert refused.value.code == code


def test_wrong_password_and_unknown_account_look_the_same(db: Database):
    add_user(db, "anna@example.org", "Anna", "a long password")
    for email, pw in [("anna@example.org", "wrong password"), ("nobody@example.org", "x")]:
        with pytest.raises(DomainError) as refused:
            authenticate(db, email, pw)
        assert refused.value.code == "auth.login_failed"


def test_facilitators_see_only_their_own_meetings_until_added(db: Database):
    anna = add_user(db, "anna@example.org", "Anna", "a long password")
    bram = add_user(db, "bram@example.org", "Bram", "a long password")
    meeting = create_meeting(db, anna.id, details())
    assert [m.id for m in list_meetings(db, anna.id)] == [meeting.id]
    assert list_meetings(db, bram.id) == []
    with pytest.raises(DomainError) as refused:
        get_meeting_for_facilitator(db, bram.id, meeting.id)
    assert refused.value.code == "meeting.unknown"
    with pytest.raises(DomainError):
        move_phase(
            db,
            user_id=bram.id,
            meeting_id=meeting.id,
            direction="advance",
            expected=None,
            client_id="bram-try-1",
        )
    add_cofacilitator(db, anna.id, meeting.id, "BRAM@example.org")
    with pytest.raises(DomainError) as twice:
        add_cofacilitator(db, anna.id, meeting.id, "bram@example.org")
    assert twice.value.code == "facilitator.already"
    result, change = move_phase(
        db,
        user_id=bram.id,
        meeting_id=meeting.id,
        direction="advance",
        expected="welcome",
        client_id="bram-try-2",
    )
    assert result["phase"] == "framing" and change is not None
    assert change.version == result["version"] == 2


def test_each_change_takes_the_next_version_and_the_clock_knows_who_saw_it(db: Database):
    anna = add_user(db, "anna@example.org", "Anna", "a long password")
    meeting = create_meeting(db, anna.id, details())
    _, joined, _ = join(
        db, meeting_id=meeting.id, device_token="t" * 30, name="Fatima", group="Bewoners"
    )
    assert joined.version == 2
    # Phones do not see who joins; console and beamer do.
    with db.read() as s:
        assert clock_of(s, meeting.id) == (2, {"console": 2, "beamer": 2, "phone": 0})
    _, moved = move_phase(
        db,
        user_id=anna.id,
        meeting_id=meeting.id,
        direction="advance",
        expected=None,
        client_id="adv-000001",
    )
    assert moved.version == 3
    with db.read() as s:
        assert clock_of(s, meeting.id) == (3, {"console": 3, "beamer": 3, "phone": 3})


def test_healthz_reports_a_database_without_schema(tmp_path: Path):
    settings = Settings.from_env(
        {"PLANDAG_INSTANCE_DIR": str(tmp_path)}, async_mode="threading", testing=True
    )
    app = create_app(settings)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["ok"] is False and body["database"]["status"] == "error"

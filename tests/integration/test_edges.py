"""The HTTP edge, through Flask's test client on a migrated database: CSRF is checked
once for every form post, JSON writes need JSON, and a meeting's pages are its
facilitators' only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from shared.accounts.service import add_user
from shared.app import create_app
from shared.config import Settings
from shared.core.db import Database
from shared.domain import MeetingDetails
from shared.meeting.service import create_meeting
from shared.migrate import upgrade


@pytest.fixture
def site(tmp_path: Path) -> tuple[FlaskClient, Database]:
    url = f"sqlite:///{tmp_path / 'plandag.db'}"
    upgrade(url)
    settings = Settings.from_env(
        {"PLANDAG_INSTANCE_DIR": str(tmp_path), "PLANDAG_DATABASE_URL": url},
        async_mode="threading",
        testing=True,
    )
    app = create_app(settings)
    db = app.extensions["plandag"].db
    return app.test_client(), db


def _token(client: FlaskClient, path: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get(path).get_data(as_text=True))
    assert found, path
    return found.group(1)


def _login(client: FlaskClient, db: Database) -> str:
    add_user(db, "anna@example.org", "Anna", "a long password")
    token = _token(client, "/login")
    answer = client.post(
        "/login", data={"csrf": token, "email": "anna@example.org", "password": "a long password"}
    )
    assert answer.status_code == 302
    return _token(client, "/meetings/new")


def test_a_form_post_without_the_sessions_token_is_refused(site):
    client, db = site
    token = _login(client, db)
    assert client.post("/meetings/new", data={"title": "X"}).status_code == 400
    assert client.post("/meetings/new", data={"title": "X", "csrf": "forged"}).status_code == 400
    made = client.post(
        "/meetings/new",
        data={
            "csrf": token,
            "title": "Buurtavond",
            "template": "alle_hens",
            "groups": "Bewoners\nGemeente",
            "open_question": "Wat nu?",
            "issue_statement": "Spanning.",
            "language": "nl",
        },
    )
    assert made.status_code == 302 and "/m/" in made.headers["Location"]


def test_a_tab_left_open_after_logout_is_sent_to_the_login_page(site):
    client, db = site
    token = _login(client, db)
    assert client.post("/logout", data={"csrf": token}).status_code == 302
    stale = client.post("/meetings/new", data={"csrf": token, "title": "X"})
    assert stale.status_code == 302 and stale.headers["Location"].startswith("/login")
    # the login form itself is still refused without its token
    assert client.post("/login", data={"email": "a@b.c", "password": "x"}).status_code == 400


def test_a_meeting_page_is_its_facilitators_only(site):
    client, db = site
    _login(client, db)
    other = add_user(db, "bram@example.org", "Bram", "a long password")
    details = MeetingDetails.from_input(
        title="Van Bram",
        template="alle_hens",
        groups=["Bewoners"],
        open_question="?",
        issue_statement="!",
    )
    theirs = create_meeting(db, other.id, details)
    assert client.get(f"/m/{theirs.id}").status_code == 404
    assert client.get(f"/m/{theirs.id}/plan.docx").status_code == 404
    assert client.get("/m/no-such-meeting/edit").status_code == 404


def test_json_writes_need_json_and_an_object(site):
    client, _db = site
    assert client.post("/j/ABC123/join", data={"name": "x"}).status_code == 415
    refused = client.post("/j/ABC123/join", json=["not", "an", "object"])
    assert refused.status_code == 400
    assert refused.get_json()["error"]["code"] == "payload.invalid"
    unknown = client.post("/j/ABC123/join", json={"name": "Fatima"})
    assert unknown.status_code == 404
    assert unknown.get_json()["error"]["code"] == "join.code_unknown"


def test_a_socket_reads_its_session_cookie_once_and_pages_every_time(site):
    """Flask-SocketIO pushes a request context around every socket event with the
    handshake's environ: the cookie session is read for the handshake only (the console's
    login check), later events get the empty session; a page reads it on every request."""
    client, db = site
    _login(client, db)
    cookie = client.get_cookie("session")
    assert cookie is not None
    app = client.application
    builder = app.test_request_context(
        "/socket.io/",
        query_string="EIO=4&transport=websocket",
        headers={"Cookie": f"session={cookie.value}"},
    ).request.environ
    handshake = dict(builder)  # one dict, as python-socketio keeps it for the connection
    seen = []
    for _event in range(3):
        with app.request_context(handshake):
            from flask import session

            seen.append(session.get("uid"))
    assert seen[0] is not None, "the handshake sees who is logged in"
    assert seen[1:] == [None, None], "later events do not parse the cookie again"
    for _page in range(2):
        with app.test_request_context("/meetings", headers={"Cookie": f"session={cookie.value}"}):
            from flask import session

            assert session.get("uid") == seen[0]

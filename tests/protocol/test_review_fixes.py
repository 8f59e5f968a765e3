"""Guards found in review: logout, guessing limits, hostile strings, group renames."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from tests.support import (
    Client,
    Phone,
    Server,
    console_client,
    create_meeting,
    csrf_of,
    login,
)

pytestmark = pytest.mark.protocol


def test_logging_out_closes_the_open_console(server: Server):
    anna = login(server, "anna@example.org")
    meeting = create_meeting(anna, server)
    console = console_client(server, anna, meeting.id)
    console.wait_for(lambda: console.views.get("meeting"))
    page = anna.get(f"{server.url}/meetings")
    anna.post(f"{server.url}/logout", data={"csrf": csrf_of(page.text)})
    console.wait_for(lambda: not console.sio.connected)


def test_hostile_strings_get_clear_errors_not_tracebacks(server: Server):
    anna = login(server, "anna@example.org")
    meeting = create_meeting(anna, server)
    console = console_client(server, anna, meeting.id)
    ack = console.call("phase.advance", {"client_id": "surrogate-1", "from": "\ud800"})
    assert ack["ok"] is False and ack["error"]["code"] == "payload.invalid"
    # An extra argument is ignored rather than crashing the handler.
    ack = console.sio.call("timer.set", ({"client_id": "extra-arg-1", "minutes": 5}, "x"))
    assert ack["ok"] is True
    # A lone surrogate in a name is dropped; the name is kept.
    phone = Phone(server, meeting.code)
    joined = phone.join("Fat\ud800ima")
    assert joined.ok and joined.json()["you"]["name"] == "Fatima"
    # A forged device token is refused as "not joined", not a server error.
    with pytest.raises(Exception) as refused:
        Client().connect(
            server, {"audience": "phone", "code": meeting.code, "device_token": "\ud800" * 30}
        )
    assert "auth.not_joined" in str(refused.value)
    assert "Traceback" not in server.read_log()
    console.close()


def test_renaming_a_group_moves_its_members(server: Server):
    anna = login(server, "anna@example.org")
    meeting = create_meeting(anna, server)
    phone = Phone(server, meeting.code)
    assert phone.join("Fatima", "Bewoners").ok
    page = anna.get(f"{server.url}/m/{meeting.id}/edit")
    form = {
        "csrf": csrf_of(page.text),
        "title": "Plandag Zuidplein",
        "template": "nieuwe_route",
        "open_question": "Q?",
        "issue_statement": "S.",
    }
    renamed = anna.post(
        f"{server.url}/m/{meeting.id}/edit",
        data={**form, "groups": "Omwonenden\nGemeente\nJongeren"},
    )
    assert renamed.ok and renamed.url.endswith(f"/m/{meeting.id}")
    client = phone.connect()
    client.wait_for(lambda: client.you is not None)
    assert client.you["group"] == "Omwonenden"
    dropped = anna.post(
        f"{server.url}/m/{meeting.id}/edit", data={**form, "groups": "Gemeente\nJongeren"}
    )
    assert dropped.status_code == 422  # Fatima is still in Omwonenden
    client.close()


def test_guessing_codes_and_passwords_is_slowed_down(tmp_path: Path):
    server = Server(
        instance=tmp_path / "limits",
        env_extra={"PLANDAG_GUESS_LIMIT": "3", "PLANDAG_JOIN_LIMIT": "2"},
    ).start()
    try:
        server.add_user("anna@example.org")
        statuses = [requests.get(f"{server.url}/j/ZZZZZ{c}").status_code for c in "ACEF"]
        assert statuses == [404, 404, 404, 429]
        browser = requests.Session()
        page = browser.get(f"{server.url}/login")
        for _ in range(3):
            browser.post(
                f"{server.url}/login",
                data={
                    "csrf": csrf_of(page.text),
                    "email": "anna@example.org",
                    "password": "nope nope",
                },
            )
        blocked = browser.post(
            f"{server.url}/login",
            data={
                "csrf": csrf_of(page.text),
                "email": "anna@example.org",
                "password": "correct horse battery",
            },
        )
        assert blocked.status_code == 401 and "/meetings" not in blocked.url
        # The limits live in memory: a restart (with only the join limit) forgets them.
        server.stop()
        server.env_extra = {"PLANDAG_JOIN_LIMIT": "2"}
        server.start()
        anna = login(server, "anna@example.org")
        meeting = create_meeting(anna, server)
        first, second, third = (Phone(server, meeting.code) for _ in range(3))
        assert first.join("Een").ok
        assert first.join("Een").ok  # the same phone again is not a new person ...
        assert second.join("Twee").ok  # ... so it did not use the budget up
        assert first.join("Een").ok  # and it gets in once the budget is spent
        refused = third.join("Drie")
        assert refused.status_code == 429
        assert refused.json()["error"]["code"] == "rate.limited"
    finally:
        server.stop()

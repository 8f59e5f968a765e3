"""Bad input and wrong roles: each gets a clear code and message; nothing changes; the
server and every other client carry on."""

from __future__ import annotations

import pytest
import requests
import socketio

from tests.support import (
    Client,
    Phone,
    Server,
    beamer_client,
    console_client,
    create_meeting,
    login,
)

pytestmark = pytest.mark.protocol


@pytest.fixture(scope="module")
def room(server: Server):
    anna = login(server, "anna@example.org")
    meeting = create_meeting(anna, server)
    console = console_client(server, anna, meeting.id)
    phone = Phone(server, meeting.code)
    assert phone.join("Fatima").ok
    client = phone.connect()
    client.wait_for(lambda: client.views.get("meeting"))
    yield {"anna": anna, "meeting": meeting, "console": console, "phone": phone, "client": client}
    console.close()
    client.close()


def assert_refused(ack: dict, code: str) -> None:
    assert ack["ok"] is False, ack
    assert ack["error"]["code"] == code, ack
    message = ack["error"]["message"]
    assert message and "Traceback" not in message and "{" not in message


def test_an_unknown_join_code_is_refused_on_every_path(server: Server):
    page = requests.get(f"{server.url}/j/ZZZZZZ")
    assert page.status_code == 404
    assert "ZZZZZZ" in page.text  # the page repeats what was typed, next to the advice
    join = requests.post(f"{server.url}/j/ZZZZZZ/join", json={"name": "X", "group": "Bewoners"})
    assert join.status_code == 404
    assert join.json()["error"]["code"] == "join.code_unknown"
    with pytest.raises(socketio.exceptions.ConnectionError) as refused:
        Client().connect(server, {"audience": "phone", "code": "ZZZZZZ"})
    # The socket does not tell an unknown code from a device that did not join.
    assert "auth.not_joined" in str(refused.value)


@pytest.mark.parametrize("name", ["", "   ", "x" * 61])
def test_an_empty_or_too_long_name_is_refused(server: Server, room, name: str):
    phone = Phone(server, room["meeting"].code)
    response = phone.join(name)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "participant.name_invalid"
    assert "60" in error["message"]
    # Dutch by default
    assert error["message"].startswith("Vul een naam in")
    assert room["console"].call("state.snapshot")["snapshot"]["views"]["counts"]["joined"] == 1


def test_a_sixty_character_name_with_diacritics_is_accepted(server: Server, room):
    phone = Phone(server, room["meeting"].code)
    name = ("Zoë Çelik-Ørsted " * 4)[:60]
    response = phone.join(name, "Gemeente")
    assert response.ok, response.text
    assert response.json()["you"]["name"] == name.strip()


def test_an_unknown_group_is_refused(server: Server, room):
    response = Phone(server, room["meeting"].code).join("Piet", "Politie")
    assert response.json()["error"]["code"] == "participant.group_unknown"


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ("not an object", "payload.invalid"),
        ([1, 2, 3], "payload.invalid"),
        ({"client_id": 42}, "payload.invalid"),
        ({"client_id": "short"}, "payload.invalid"),
        ({"client_id": "ok-client-1", "from": "no-such-phase"}, "payload.invalid"),
        ({"client_id": "ok-client-2", "from": 7}, "payload.invalid"),
        ({"client_id": "ok-client-3", "filler": "x" * 40_000}, "payload.too_large"),
    ],
)
def test_malformed_and_oversized_payloads_are_refused(room, payload, code):
    console: Client = room["console"]
    before = console.call("state.snapshot")["snapshot"]
    assert_refused(console.call("phase.advance", payload), code)
    after = console.call("state.snapshot")["snapshot"]
    assert after["version"] == before["version"]
    assert after["views"]["meeting"]["phase"] == before["views"]["meeting"]["phase"]


def test_a_message_beyond_the_transport_limit_closes_only_that_socket(server: Server, room):
    rogue = Phone(server, room["meeting"].code)
    assert rogue.join("Rogue").ok
    client = rogue.connect()
    client.wait_for(lambda: client.views.get("meeting"))
    client.sio.emit("phase.advance", {"client_id": "huge-00001", "x": "y" * 2_000_000})
    client.wait_for(lambda: not client.sio.connected, timeout=15)
    # Everyone else carries on.
    assert room["client"].sio.connected
    assert room["console"].call("state.snapshot")["ok"] is True
    assert requests.get(f"{server.url}/healthz").json()["ok"] is True


def test_an_unknown_event_gets_an_error_ack(room):
    assert_refused(room["client"].call("meeting.explode", {}), "event.unknown")


@pytest.mark.parametrize(
    ("event", "payload"),
    [
        ("phase.advance", {"client_id": "phone-adv-1"}),
        ("phase.back", {"client_id": "phone-back-1"}),
        ("timer.set", {"client_id": "phone-timer-1", "minutes": 5}),
        ("participant.remove", {"client_id": "phone-rm-1", "participant_id": 1}),
        (
            "participant.set_role",
            {"client_id": "phone-role-1", "participant_id": 1, "role": "observer"},
        ),
    ],
)
def test_a_participant_cannot_send_facilitator_events(room, event, payload):
    before = room["console"].call("state.snapshot")["snapshot"]["version"]
    assert_refused(room["client"].call(event, payload), "auth.forbidden")
    assert room["console"].call("state.snapshot")["snapshot"]["version"] == before


def test_a_beamer_is_read_only(server: Server, room):
    beamer = beamer_client(server, room["meeting"])
    assert_refused(beamer.call("phase.advance", {"client_id": "beamer-adv-1"}), "auth.forbidden")
    beamer.close()


def test_a_facilitator_cannot_act_on_another_facilitators_meeting(server: Server, room):
    bram = login(server, "bram@example.org")
    meeting = room["meeting"]
    # Not on the pages ...
    assert bram.get(f"{server.url}/m/{meeting.id}").status_code == 404
    assert bram.get(f"{server.url}/m/{meeting.id}/edit").status_code == 404
    # ... not with a console socket ...
    with pytest.raises(socketio.exceptions.ConnectionError) as refused:
        console_client(server, bram, meeting.id)
    assert "meeting.unknown" in str(refused.value)
    # ... and not by naming the meeting from a console of their own.
    own = create_meeting(bram, server, title="Bram's meeting")
    console = console_client(server, bram, own.id)
    ack = console.call("phase.advance", {"client_id": "bram-adv-01", "meeting_id": meeting.id})
    assert_refused(ack, "auth.other_meeting")
    ack = console.call(
        "participant.remove",
        {"client_id": "bram-rm-01", "participant_id": room["client"].you["id"]},
    )
    assert_refused(ack, "participant.unknown")
    assert room["client"].sio.connected
    console.close()


def test_a_console_socket_needs_a_login(server: Server, room):
    with pytest.raises(socketio.exceptions.ConnectionError) as refused:
        Client().connect(server, {"audience": "console", "meeting": room["meeting"].id})
    assert "auth.required" in str(refused.value)


def test_a_wrong_beamer_key_is_refused(server: Server, room):
    meeting = room["meeting"]
    assert requests.get(f"{server.url}/beamer/{meeting.id}?key=guess").status_code == 403
    with pytest.raises(socketio.exceptions.ConnectionError):
        Client().connect(server, {"audience": "beamer", "meeting": meeting.id, "key": "guess"})


def test_a_phone_socket_without_joining_is_refused(server: Server, room):
    with pytest.raises(socketio.exceptions.ConnectionError) as refused:
        Client().connect(server, {"audience": "phone", "code": room["meeting"].code})
    assert "auth.not_joined" in str(refused.value)


def test_a_stale_advance_does_not_skip_a_phase(room):
    console: Client = room["console"]
    phase = console.call("state.snapshot")["snapshot"]["views"]["meeting"]["phase"]
    first = console.call("phase.advance", {"client_id": "stale-0001", "from": phase})
    assert first["ok"], first
    second = console.call("phase.advance", {"client_id": "stale-0002", "from": phase})
    assert_refused(second, "phase.stale")
    assert console.call("state.snapshot")["snapshot"]["views"]["meeting"]["phase"] == first["phase"]
    back = console.call("phase.back", {"client_id": "stale-0003", "from": first["phase"]})
    assert back["ok"] and back["phase"] == phase


def test_a_removed_participant_is_disconnected_and_cannot_come_back(server: Server, room):
    phone = Phone(server, room["meeting"].code)
    assert phone.join("Weg").ok
    client = phone.connect()
    client.wait_for(lambda: client.you is not None)
    pid = client.you["id"]
    ack = room["console"].call(
        "participant.remove", {"client_id": "remove-0001", "participant_id": pid}
    )
    assert ack["ok"]
    client.wait_for(lambda: not client.sio.connected, timeout=10)
    assert client.you["removed"] is True
    with pytest.raises(socketio.exceptions.ConnectionError) as refused:
        phone.connect()
    assert "participant.removed" in str(refused.value)
    again = phone.join("Weg")
    assert again.status_code == 403
    assert again.json()["error"]["code"] == "participant.removed"
    room["console"].wait_for(lambda: room["console"].views[f"participant:{pid}"]["removed"])


def test_a_client_id_reused_for_another_action_is_refused(room):
    console: Client = room["console"]
    ack = console.call("timer.set", {"client_id": "reuse-00001", "minutes": 15})
    assert ack["ok"] and ack["timebox_seconds"] == 900
    assert_refused(
        console.call("phase.advance", {"client_id": "reuse-00001"}), "payload.client_id_reused"
    )
    assert_refused(
        console.call("timer.set", {"client_id": "reuse-00002", "minutes": 0}),
        "meeting.timebox_invalid",
    )


def test_errors_come_in_english_when_the_client_asks(server: Server, room):
    phone = Phone(server, room["meeting"].code)
    assert phone.join("Lang").ok
    client = Client().connect(
        server,
        {"audience": "phone", "code": room["meeting"].code, "lang": "en"},
        headers={"Cookie": f"plandag_device={phone.token}"},
    )
    ack = client.call("phase.advance", {"client_id": "lang-00001"})
    assert ack["error"]["message"] == "You are not allowed to do that in this meeting."
    client.close()
    english = requests.post(
        f"{server.url}/j/{room['meeting'].code}/join?lang=en",
        json={"name": "", "group": "Bewoners"},
        cookies={"plandag_device": phone.token},
    )
    assert english.json()["error"]["message"] == "Enter a name of 1 to 60 characters."


def test_the_server_is_still_healthy(server: Server, room):
    assert server.alive()
    health = requests.get(f"{server.url}/healthz").json()
    assert health["ok"] is True and health["database"]["status"] == "ok"
    assert "Traceback" not in server.read_log() or "intent" not in server.read_log()

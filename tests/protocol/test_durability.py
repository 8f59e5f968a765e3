"""What was acknowledged survives a crash; a renewed beamer link shuts the old one out."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
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


def test_an_acknowledged_phase_change_and_join_survive_kill_9(tmp_path: Path):
    server = Server(instance=tmp_path / "crash").start()
    try:
        server.add_user("anna@example.org")
        anna = login(server, "anna@example.org")
        meeting = create_meeting(anna, server)
        console = console_client(server, anna, meeting.id)
        phone = Phone(server, meeting.code)
        assert phone.join("Fatima").ok
        ack = console.call("phase.advance", {"client_id": "crash-adv-1"})
        assert ack["ok"]
        os.kill(server.proc.pid, signal.SIGKILL)
        server.proc.wait(10)
        console.close()

        server.start()  # same instance folder, same database
        anna = login(server, "anna@example.org")
        console = console_client(server, anna, meeting.id)
        console.wait_for(lambda: console.views.get("meeting"))
        assert console.views["meeting"]["phase"] == "framing"
        people = [v for k, v in console.views.items() if k.startswith("participant:")]
        assert [p["name"] for p in people] == ["Fatima"]
        assert people[0]["online"] is False  # the dead process's connections were cleared
        client = phone.connect()  # the phone's cookie still works after the crash
        client.wait_for(lambda: client.views.get("meeting"))
        assert client.you["name"] == "Fatima"
        console.wait_for(lambda: console.views[f"participant:{client.you['id']}"]["online"])
        # The retried write after the crash is still recognised.
        again = console.call("phase.advance", {"client_id": "crash-adv-1"})
        assert again["duplicate"] is True and again["phase"] == "framing"
        console.close()
        client.close()
    finally:
        server.stop()


def test_renewing_the_beamer_link_disconnects_the_old_beamer(server: Server):
    anna = login(server, "anna@example.org")
    meeting = create_meeting(anna, server)
    beamer = beamer_client(server, meeting)
    revoked: list[dict] = []
    beamer.sio.on("revoked", revoked.append)
    console = console_client(server, anna, meeting.id)
    console.wait_for(lambda: console.views.get("screens", {}).get("beamers") == 1)
    page = anna.get(f"{server.url}/m/{meeting.id}")
    from tests.support import csrf_of

    r = anna.post(f"{server.url}/m/{meeting.id}/beamer/renew", data={"csrf": csrf_of(page.text)})
    assert r.ok
    beamer.wait_for(lambda: not beamer.sio.connected)
    assert revoked and revoked[0]["reason"] == "auth.beamer_key_invalid"
    with pytest.raises(socketio.exceptions.ConnectionError):
        Client().connect(
            server, {"audience": "beamer", "meeting": meeting.id, "key": meeting.beamer_key}
        )
    console.wait_for(lambda: console.views["screens"]["beamers"] == 0)
    console.wait_for(lambda: meeting.beamer_key not in console.views["access"]["beamer_url"])
    new_url = console.views["access"]["beamer_url"]
    assert meeting.beamer_key not in new_url
    console.close()

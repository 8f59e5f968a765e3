"""The real server (gevent, then eventlet) with python-socketio clients: a room that runs."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.support import Phone, Server, beamer_client, console_client, create_meeting, login

pytestmark = pytest.mark.protocol


@pytest.fixture(scope="module", params=["gevent", "eventlet"])
def any_server(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[Server]:
    srv = Server(instance=Path(tmp_path_factory.mktemp(request.param)), async_mode=request.param)
    srv.start()
    srv.add_user("anna@example.org", "Anna de Vries")
    yield srv
    srv.stop()


def test_fifty_phones_follow_the_facilitator_with_one_version(any_server: Server):
    server = any_server
    assert f'"async_mode":"{server.async_mode}"' in __import__("requests").get(
        f"{server.url}/healthz"
    ).text.replace(" ", "")
    facilitator = login(server, "anna@example.org")
    meeting = create_meeting(facilitator, server)
    console = console_client(server, facilitator, meeting.id)
    beamer = beamer_client(server, meeting)

    def join(i: int) -> Phone:
        phone = Phone(server, meeting.code)
        response = phone.join(f"Buur {i}", ["Bewoners", "Gemeente", "Jongeren"][i % 3])
        assert response.ok, response.text
        phone.connect()
        return phone

    with ThreadPoolExecutor(max_workers=16) as pool:
        phones = list(pool.map(join, range(50)))
    for phone in phones:
        phone.client.wait_for(lambda p=phone: p.client.views.get("meeting"))
        assert phone.client.views["meeting"]["phase"] == "welcome"
    beamer.wait_for(lambda: beamer.views.get("counts", {}).get("online") == 50)
    console.wait_for(
        lambda: (
            sum(1 for k in console.views if k.startswith("participant:")) == 50
            and all(v["online"] for k, v in console.views.items() if k.startswith("participant:"))
        )
    )

    ack = console.call("phase.advance", {"client_id": "adv-000001", "from": "welcome"})
    assert ack["ok"] is True and ack["phase"] == "framing"
    new_version = ack["version"]

    for phone in phones:
        phone.client.wait_for(lambda p=phone: p.client.views["meeting"]["phase"] == "framing")
    # Every phone reached the same state at the same version; none had to resync.
    versions = {phone.client.version for phone in phones}
    assert versions == {new_version}, versions
    assert all(phone.client.gaps == 0 for phone in phones)
    beamer.wait_for(lambda: beamer.views["meeting"]["phase"] == "framing")
    assert beamer.version == new_version

    # A phone that drops and comes back with its device token is the same participant.
    first = phones[0]
    before = first.client.you
    first.client.close()
    beamer.wait_for(lambda: beamer.views["counts"]["online"] == 49)
    again = first.connect()
    again.wait_for(lambda: again.views.get("meeting"))
    assert again.you["id"] == before["id"] and again.you["name"] == before["name"]
    assert again.views["meeting"]["phase"] == "framing"
    beamer.wait_for(lambda: beamer.views["counts"]["online"] == 50)
    assert beamer.views["counts"]["joined"] == 50
    console.wait_for(lambda: sum(1 for k in console.views if k.startswith("participant:")) == 50)
    # Reloading the phone page and joining again changes nothing either.
    assert first.join("Buur 0", "Bewoners").json()["you"]["id"] == before["id"]

    for phone in phones:
        phone.client.close()
    console.close()
    beamer.close()
    assert server.alive()


def test_a_retried_advance_counts_once(any_server: Server):
    server = any_server
    facilitator = login(server, "anna@example.org")
    meeting = create_meeting(facilitator, server)
    console = console_client(server, facilitator, meeting.id)
    first = console.call("phase.advance", {"client_id": "retry-0001"})
    again = console.call("phase.advance", {"client_id": "retry-0001"})
    assert first["ok"] and again["ok"]
    assert again["phase"] == first["phase"] == "framing"
    assert again["version"] == first["version"] and again.get("duplicate") is True
    console.wait_for(lambda: console.views["meeting"]["phase"] == "framing")
    console.close()

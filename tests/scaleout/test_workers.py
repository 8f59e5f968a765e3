"""Two workers on PostgreSQL and Redis behind nginx: one sequence of versions for every
client whichever worker made the change, nothing lost when a worker dies or stops."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from tests.protocol.test_consent import to_consent
from tests.scaleout.conftest import Cluster
from tests.support import (
    PLANDAG,
    Client,
    Phone,
    Server,
    beamer_client,
    console_client,
    login,
)

pytestmark = pytest.mark.scaleout

GROUPS = ["Bewoners", "Gemeente", "Jongeren"]


def _phone(server: Server, code: str, name: str, group: str) -> Phone:
    phone = Phone(server, code)
    response = phone.join(name, group)
    assert response.ok, response.text
    phone.connect()
    phone.client.wait_for(lambda: phone.client.views.get("meeting") and phone.client.you)
    return phone


def _reconnect(phone: Phone, server: Server) -> None:
    """The phone's socket again, through ``server`` (as live.js does after a drop)."""
    phone.server = server
    phone.connect()
    phone.client.wait_for(lambda: phone.client.views.get("meeting") and phone.client.you)


def _online(client: Client) -> int:
    return int((client.views.get("counts") or {}).get("online", -1))


def _fresh(client: Client) -> dict[str, Any]:
    ack = client.call("state.snapshot")
    assert ack["ok"], ack
    return dict(ack["snapshot"]["views"])


def _clean(client: Client) -> str:
    return f"{client.gaps} gaps, {client.older} older, trouble {client.trouble}"


def test_200_phones_on_two_workers_answer_with_no_gap_and_a_killed_worker_loses_nothing(
    cluster: Cluster,
):
    try:
        _answer_and_kill(cluster)
    finally:
        cluster.revive()


def _answer_and_kill(cluster: Cluster) -> None:
    w1, w2 = cluster.workers
    front = cluster.front
    meeting, console, author, (pid,) = to_consent(w1, "Buurtcafé op het plein")
    beamer = beamer_client(w1, meeting)
    # A third of the phones on each worker directly, a third through nginx.
    servers = [w1, w2, front]

    def join(i: int) -> Phone:
        return _phone(servers[i % 3], meeting.code, f"Buur {i}", GROUPS[i % 3])

    with ThreadPoolExecutor(max_workers=16) as pool:
        phones = list(pool.map(join, range(200)))
    beamer.wait_for(lambda: _online(beamer) == 201, timeout=30)  # and the author
    opened = console.call(
        "consent.open", {"client_id": f"co-{meeting.id}"[:64], "proposal_id": pid}
    )
    assert opened["ok"] and opened["eligible"] == 201
    round_id = opened["round_id"]
    for phone in phones:
        phone.client.wait_for(lambda p=phone: (p.client.views.get("consent") or {}).get("open"))

    kinds = ["consent", "consent", "concern", "objection"]
    acked: dict[int, str] = {}

    def answer(i: int) -> None:
        kind = kinds[i % 4]
        body = {
            "client_id": f"ans-{meeting.id[:8]}-{i}",
            "round_id": round_id,
            "answer": kind,
            "text": "" if kind == "consent" else "Let op de buren.",
        }
        try:
            ack = phones[i].client.call("consent.answer", body, timeout=15)
        except Exception:
            return  # its worker died before the ack: the phone sends it again
        assert ack["ok"], ack
        acked[i] = kind

    # The first half answers; worker 2 is killed (kill -9) in the middle of the round.
    with ThreadPoolExecutor(max_workers=32) as pool:
        list(pool.map(answer, range(100)))
    assert w2.proc is not None
    os.kill(w2.proc.pid, signal.SIGKILL)
    w2.proc.wait(10)
    killed_at = time.monotonic()
    time.sleep(0.5)  # the sockets of worker 2 close
    gone = [p for p in phones if not p.client.sio.connected]
    assert gone, "some phones were on worker 2"
    # The console tells the truth within 10 s: worker 2's phones are not online.
    console.wait_for(lambda: _online(console) == 201 - len(gone), timeout=10)
    assert time.monotonic() - killed_at <= 10
    # Its phones come back through nginx (to worker 1) and answer: the ones whose ack
    # never came send the same write again; the rest answer for the first time.
    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(lambda p: _reconnect(p, front), gone))
    console.wait_for(lambda: _online(console) == 201, timeout=15)
    with ThreadPoolExecutor(max_workers=32) as pool:
        list(pool.map(answer, [i for i in range(200) if i not in acked]))
    assert len(acked) == 200

    expected = {
        k: sum(1 for v in acked.values() if v == k) for k in ("consent", "concern", "objection")
    }
    console.wait_for(lambda: console.views["consent_tally"]["answered"] == 200, timeout=20)
    beamer.wait_for(lambda: beamer.views["consent_tally"]["answered"] == 200, timeout=20)
    tally = console.views["consent_tally"]
    assert {k: tally[k] for k in expected} == expected  # each acknowledged answer once
    # One sequence of versions, nothing out of order, for the screens and for every
    # phone. The one resync is the room being asked, once, for a snapshot when worker
    # 2 was found dead (what it had committed but not yet marked is not missed), and
    # it came after the kill; the phones of worker 2 got a new socket and a snapshot.
    for client in [console, beamer, *(p.client for p in phones if p not in gone)]:
        assert client.gaps <= 1 and client.older == 0, _clean(client)
    assert console.gaps == 1 and beamer.gaps == 1
    assert _fresh(beamer) == beamer.views
    for client in [console, beamer, author, *(p.client for p in phones)]:
        client.close()


def test_interleaved_changes_of_two_workers_leave_every_mirror_equal_to_a_snapshot(
    cluster: Cluster,
):
    w1, w2 = cluster.workers
    anna = login(w1, "anna@example.org")
    from tests.support import create_meeting

    meeting = create_meeting(anna, w1, template="alle_hens")
    console = console_client(w1, anna, meeting.id)
    beamer = beamer_client(w2, meeting)  # the beamer on the other worker
    with ThreadPoolExecutor(max_workers=16) as pool:
        phones = list(
            pool.map(
                lambda i: _phone([w1, w2][i % 2], meeting.code, f"Buur {i}", GROUPS[i % 3]),
                range(40),
            )
        )
    for n in range(3):  # to proposals, from both workers' consoles
        mover = console if n % 2 == 0 else console_client(w2, anna, meeting.id)
        assert mover.call("phase.advance", {"client_id": f"adv-{meeting.id[:8]}-{n}"})["ok"]

    def burst(i: int) -> None:
        phone = phones[i]
        for turn in range(3):
            if (i + turn) % 4 == 0:  # presence: off and back on, on the other worker
                phone.client.close()
                _reconnect(phone, w2 if phone.server is w1 else w1)
            ack = phone.client.call(
                "proposal.create",
                {"client_id": f"p-{meeting.id[:8]}-{i}-{turn}", "title": f"Voorstel {i}.{turn}"},
            )
            assert ack["ok"], ack

    with ThreadPoolExecutor(max_workers=40) as pool:  # every phone at once, three times
        list(pool.map(burst, range(40)))
    for client in (console, beamer):
        client.wait_for(
            lambda c=client: sum(1 for k in c.views if k.startswith("proposal:")) == 120,
            timeout=30,
        )
    time.sleep(1.5)  # quiet: the last flushes are out
    mirrors = [console, beamer, *(p.client for p in phones)]
    for client in mirrors:
        assert client.gaps == 0 and client.older == 0, _clean(client)
        fresh = _fresh(client)
        assert set(fresh) == set(client.views)
        for key, value in fresh.items():
            assert client.views[key] == value, key
    for client in mirrors:
        client.close()


def test_sigterm_lets_a_worker_go_with_its_presence_and_its_phones_move(tmp_path):
    from tests.scaleout.conftest import start_cluster

    made = start_cluster(tmp_path, beat="5")  # heartbeats too slow to explain the result
    try:
        w1, w2 = made.workers
        # Each worker printed a first-run link while there was no account: both work.
        links = [re.search(r"/setup/(\S+)", w.read_log()) for w in (w1, w2)]
        assert all(links), "each worker prints a set-up link"
        for link in links:
            assert link is not None
            page = requests.get(f"{made.nginx.url}/setup/{link.group(1)}", timeout=5)
            assert page.status_code == 200, page.text[:300]
        w1.add_user("anna@example.org", "Anna de Vries")
        anna = login(w1, "anna@example.org")
        from tests.support import create_meeting

        meeting = create_meeting(anna, w1)
        console = console_client(w1, anna, meeting.id)
        phones = [_phone(w2, meeting.code, f"Buur {i}", "Bewoners") for i in range(10)]
        console.wait_for(lambda: _online(console) == 10)
        assert w2.proc is not None
        stopped = time.monotonic()
        w2.proc.send_signal(signal.SIGTERM)
        assert w2.proc.wait(10) == 0
        took = time.monotonic() - stopped
        # Its presence went with it, before the other workers' heartbeat could notice.
        console.wait_for(lambda: _online(console) == 0, timeout=3)
        assert "finishing the intents in flight" in w2.read_log()
        for phone in phones:
            assert not phone.client.sio.connected
            _reconnect(phone, made.front)
        console.wait_for(lambda: _online(console) == 10, timeout=10)
        assert took < 10
        for client in [console, *(p.client for p in phones)]:
            client.close()
    finally:
        made.stop()


def test_plandag_check_tells_a_consistent_deployment_from_a_worker_with_another_secret(
    cluster: Cluster,
):
    cluster.revive()
    worker = cluster.workers[0]
    good = worker.cli("check")
    assert "FAIL" not in good.stdout, good.stdout
    for what in ("database", "migrations", "redis", "seal key"):
        assert f"ok    {what}" in good.stdout, good.stdout
    assert good.stdout.count("same secret and seal key") == len(cluster.workers)
    # A worker started with another secret: the check names what differs.
    odd = Server(
        instance=worker.instance,
        env_extra={**worker.env_extra, "PLANDAG_SECRET_KEY": "another secret entirely"},
        log_name="odd.log",
    ).start()
    try:
        bad = subprocess.run(
            [PLANDAG, "check"], env=worker.env(), capture_output=True, text=True, timeout=60
        )
        assert bad.returncode == 1
        assert "another secret than this one" in bad.stdout, bad.stdout
    finally:
        odd.stop()

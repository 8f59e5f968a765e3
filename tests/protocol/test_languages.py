"""A person's language, over the real server: what the join and the socket record, what
the console sees (each person's language, the languages in the room), the phone page
that speaks its person's language, refusals in the phone's language, and the sealed
plan's list of languages (without counts in an anonymous meeting)."""

from __future__ import annotations

import io
import itertools
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from docx import Document

from shared.core.errors import ALL_MESSAGES
from tests.protocol.test_after_the_day import hold_meeting
from tests.support import Client, Phone, Server, console_client, create_meeting, login

CATALOGS = Path(__file__).resolve().parents[2] / "shared" / "translations"
_n = itertools.count()


def cid(meeting_id: str) -> str:
    return f"lp-{next(_n)}-{meeting_id}"[:64]


def translated(lang: str, msgid: str) -> str:
    with (CATALOGS / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        found = read_po(fh).get(msgid)
    assert found is not None and found.string, msgid
    return str(found.string)


def connect(server: Server, phone: Phone, lang: str | None) -> Client:
    auth = {"audience": "phone", "code": phone.code}
    if lang:
        auth["lang"] = lang
    return Client().connect(server, auth, headers={"Cookie": f"plandag_device={phone.token}"})


def test_the_join_and_the_socket_record_a_persons_language(server: Server):
    anna = login(server, "anna@example.org")
    meeting = create_meeting(anna, server)
    console = console_client(server, anna, meeting.id)
    console.wait_for(lambda: "meeting" in console.views)
    ids = {}
    for name, language in [("Amal", "ar"), ("Ayşe", "tr"), ("Kasia", "pl"), ("Joe", "en")]:
        phone = Phone(server, meeting.code)
        r = phone.http.post(
            f"{server.url}/j/{meeting.code}/join",
            json={"name": name, "group": "Bewoners", "language": language},
        )
        assert r.ok, r.text
        ids[language] = r.json()["you"]["id"]
    # A language Plandag does not speak, or not a string: the page's language instead.
    for n, odd in enumerate(["xx", 5, ["ar"], {"a": 1}, None, True]):
        phone = Phone(server, meeting.code)
        r = phone.http.post(
            f"{server.url}/j/{meeting.code}/join",
            json={"name": f"Buur {n}", "group": "Bewoners", "language": odd},
        )
        assert r.ok, (odd, r.text)
        pid = r.json()["you"]["id"]
        console.wait_for(lambda pid=pid: f"participant:{pid}" in console.views)
        assert console.views[f"participant:{pid}"]["language"] == "nl", odd
    for language, pid in ids.items():
        console.wait_for(lambda pid=pid: f"participant:{pid}" in console.views)
        assert console.views[f"participant:{pid}"]["language"] == language
    console.wait_for(lambda: len(console.views["counts"]["languages"]) == 5)
    assert console.views["counts"]["languages"] == [
        {"language": "nl", "joined": 6},
        *({"language": code, "joined": 1} for code in sorted(["ar", "tr", "pl", "en"])),
    ]

    # A phone that switches to Turkish reconnects in it: the console sees the change.
    switcher = Phone(server, meeting.code)
    assert switcher.join("Mehmet").ok
    first = connect(server, switcher, "nl")
    first.wait_for(lambda: first.you is not None)
    pid = first.you["id"]
    first.close()
    again = connect(server, switcher, "tr")
    again.wait_for(lambda: again.you is not None)
    console.wait_for(
        lambda: (console.views.get(f"participant:{pid}") or {}).get("language") == "tr"
    )
    # A socket that does not say its language changes nothing.
    silent = connect(server, switcher, None)
    silent.wait_for(lambda: silent.you is not None)
    assert console.views[f"participant:{pid}"]["language"] == "tr"

    # Its phone page now speaks Turkish by itself (no ?lang=, no remembered switch)...
    page = switcher.http.get(f"{server.url}/j/{meeting.code}")
    assert '<html lang="tr" dir="ltr">' in page.text
    # ...Arabic is right to left, and the room's shared texts are said to be in Dutch.
    arabic = switcher.http.get(f"{server.url}/j/{meeting.code}?lang=ar")
    assert '<html lang="ar" dir="rtl">' in arabic.text
    assert 'id="room-language"' in arabic.text
    assert 'id="statement" lang="nl" dir="auto"' in arabic.text
    for c in (again, silent, console):
        c.close()


@pytest.mark.parametrize("lang", ["ar", "tr", "pl"])
def test_a_refusal_reaches_the_phone_in_its_language(server: Server, lang: str):
    anna = login(server, "anna@example.org")
    meeting = create_meeting(anna, server)
    console = console_client(server, anna, meeting.id)
    console.wait_for(lambda: "meeting" in console.views)
    phone = Phone(server, meeting.code)
    assert phone.join("Buur").ok
    client = connect(server, phone, lang)
    client.wait_for(lambda: client.you is not None)
    refused = client.call("contribution.create", {"client_id": cid(meeting.id), "text": "x"})
    assert not refused["ok"]
    template = ALL_MESSAGES[refused["error"]["code"]]
    message = refused["error"]["message"]
    # the longest fixed part of the language's own text is in it; Dutch and English not
    mine = max(re.split(r"\{\w+\}", translated(lang, template)), key=len).strip()
    assert mine and mine in message, (message, mine)
    dutch = max(re.split(r"\{\w+\}", translated("nl", template)), key=len).strip()
    english = max(re.split(r"\{\w+\}", template), key=len).strip()
    assert dutch not in message and english not in message, message
    client.close()
    console.close()


@pytest.mark.parametrize("anonymous", [False, True])
def test_the_sealed_plan_lists_the_languages(server: Server, anonymous: bool):
    anna = login(server, "anna@example.org")
    held = hold_meeting(
        server, anna, title=f"Plandag Talen {anonymous}", anonymous=anonymous, publication=None
    )
    docx = anna.get(f"{server.url}/m/{held.meeting_id}/plan.docx")
    assert docx.ok
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    line = next(p for p in text.splitlines() if p.startswith("Talen waarin"))
    # the held meeting's phones joined from Dutch pages
    if anonymous:
        assert line == "Talen waarin de deelnemers hun scherm lazen: Nederlands.", line
    else:
        assert line == "Talen waarin de deelnemers hun scherm lazen: Nederlands (5).", line

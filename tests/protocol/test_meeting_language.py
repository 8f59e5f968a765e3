"""A meeting has a language: the beamer, the phones' default and the plan document speak
it, whatever language the facilitator's own console is in."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.protocol.test_frameworks import advance, cid, ok
from tests.protocol.test_plan_document import document_text
from tests.support import (
    Server,
    console_client,
    create_meeting,
    csrf_of,
    joined_phone,
    login,
)

pytestmark = pytest.mark.protocol


@pytest.fixture(scope="module", params=["gevent", "eventlet"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """Both async modes: sealing and rendering the plan (LibreOffice, pyHanko) must not
    block either event loop."""
    srv = Server(instance=Path(tmp_path_factory.mktemp(request.param)), async_mode=request.param)
    srv.start()
    srv.add_user("anna@example.org", "Anna de Vries")
    yield srv
    srv.stop()


def page_language(response: requests.Response) -> str:
    assert response.status_code == 200, response.text[:300]
    match = re.search(r'<html lang="(\w+)"', response.text)
    assert match, response.text[:300]
    return match.group(1)


def test_an_english_meeting_speaks_english_on_beamer_phones_and_plan(server: Server):
    anna = login(server, "anna@example.org")
    meeting = create_meeting(
        anna, server, title="Plandag Linden Square", template="alle_hens", language="en"
    )
    edit = anna.get(f"{server.url}/m/{meeting.id}/edit")
    assert re.search(r'<option value="en" lang="en"\s+selected', edit.text)
    # The console follows its user: Anna's browser asks for nothing, so Dutch.
    assert page_language(anna.get(f"{server.url}/m/{meeting.id}")) == "nl"

    dutch_laptop = {"Accept-Language": "nl-NL,nl;q=0.9", "Cookie": "plandag_lang=nl"}
    beamer = f"{server.url}/beamer/{meeting.id}?key={meeting.beamer_key}"
    # The beamer is the room's screen: the laptop's own Dutch does not change it...
    assert page_language(requests.get(beamer, headers=dutch_laptop)) == "en"
    # ...an explicit choice in its address does.
    assert page_language(requests.get(beamer + "&lang=nl", headers=dutch_laptop)) == "nl"

    phone = f"{server.url}/j/{meeting.code}"
    # A phone starts in the meeting's language, even when the browser prefers Dutch...
    assert page_language(requests.get(phone, headers={"Accept-Language": "nl"})) == "en"
    # ...and a person who switched to Dutch keeps Dutch.
    assert page_language(requests.get(phone, headers={"Cookie": "plandag_lang=nl"})) == "nl"
    # The join form's refusals speak the page's language too.
    browser = requests.Session()
    browser.headers["Accept-Language"] = "nl"
    browser.get(phone).raise_for_status()
    refused = browser.post(phone + "/join", json={"name": "", "group": "Bewoners"})
    assert refused.status_code == 422
    assert refused.json()["error"]["message"].startswith("Enter a name of 1 to")

    # Run it to a sealed plan from a console that speaks Dutch.
    console = console_client(server, anna, meeting.id)
    console.wait_for(lambda: "meeting" in console.views)
    voter = joined_phone(server, meeting.code, "Sam Jones")
    advance(console, "proposals")
    proposal = ok(
        voter.call(
            "proposal.create",
            {"client_id": cid("p"), "title": "Benches by the playground", "what": "Two benches"},
        )
    )["id"]
    advance(console, "consent")
    for target in ({"proposal_id": proposal}, {"whole_plan": True}):
        round_id = ok(console.call("consent.open", {"client_id": cid("o"), **target}))["round_id"]
        ok(
            voter.call(
                "consent.answer", {"client_id": cid("a"), "round_id": round_id, "answer": "consent"}
            )
        )
        assert ok(console.call("consent.close", {"client_id": cid("c")}))["outcome"] == "adopted"
    advance(console, "signing")
    ok(voter.call("signature.sign", {"client_id": cid("s"), "name": "Sam Jones"}))
    ok(console.call("signing.close", {"client_id": cid("cl")}))
    response = anna.get(f"{server.url}/m/{meeting.id}/plan.docx")
    assert response.status_code == 200, response.text[:300]
    text = document_text(response.content)
    assert "Signatures" in text and "Benches by the playground" in text
    assert "Handtekeningen" not in text and "Afspraken" not in text
    # The sealed plan keeps its language: the form refuses a change now.
    edit = anna.get(f"{server.url}/m/{meeting.id}/edit")
    form = {
        "csrf": csrf_of(edit.text),
        "title": "Plandag Linden Square",
        "template": "alle_hens",
        "groups": "Bewoners\nGemeente\nJongeren",
        "open_question": "Hoe wordt het plein weer van iedereen?",
        "issue_statement": "Sinds de zomer is er spanning rond het plein.",
        "language": "nl",
    }
    refused = anna.post(f"{server.url}/m/{meeting.id}/edit", data=form)
    assert refused.status_code == 422
    assert "Het plan is in deze taal verzegeld" in refused.text
    assert re.search(
        r'<option value="en" lang="en"\s+selected',
        anna.get(f"{server.url}/m/{meeting.id}/edit").text,
    )
    if shutil.which("soffice") or shutil.which("libreoffice"):
        pdf = anna.get(f"{server.url}/m/{meeting.id}/plan.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF"), pdf.text[:300]
        checked = requests.post(
            f"{server.url}/verify?lang=en", files={"document": ("plan.pdf", pdf.content)}
        )
        assert checked.status_code == 200 and "Plandag Linden Square" in checked.text
        assert 'class="verdict-box valid"' in checked.text, checked.text[:2000]
    voter.close()
    console.close()


def test_a_meeting_language_must_be_dutch_or_english(server: Server):
    anna = login(server, "anna@example.org")
    page = anna.get(f"{server.url}/meetings/new")
    # A new meeting is held in Dutch unless chosen otherwise...
    assert re.search(r'<option value="nl" lang="nl"\s+selected', page.text)
    refused = anna.post(
        f"{server.url}/meetings/new",
        data={
            "csrf": csrf_of(page.text),
            "title": "Plandag",
            "template": "alle_hens",
            "groups": "Bewoners\nGemeente",
            "language": "de",
        },
    )
    assert refused.status_code == 422
    assert "Kies Nederlands of Engels als taal van de bijeenkomst." in refused.text
    # ...also when the facilitator's own screens speak English.
    english = anna.get(f"{server.url}/meetings/new?lang=en")
    assert re.search(r'<option value="nl" lang="nl"\s+selected', english.text)

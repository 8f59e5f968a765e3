"""After the day, over HTTP against the real server: a sealed plan's page on the phones
people joined with, status updates (by the people named and the facilitators, refused for
the others), "not working" signals and who sees their reasons, a follow-up meeting and an
evaluation meeting made from the plan (whose own sealed plan names the first one's
fingerprint and verifies), the .ics, and publication only after the room consented."""

from __future__ import annotations

import io
import itertools
import json
import re
from dataclasses import dataclass, field
from datetime import date

import pytest
import requests
from docx import Document
from icalendar import Calendar

from tests.protocol.test_frameworks import advance, ok
from tests.support import Client, Phone, Server, console_client, create_meeting, csrf_of, login

pytestmark = pytest.mark.protocol
_ids = itertools.count()

AGREEMENTS = [
    ("Speelplek bij de Lindelaan", "Een speelplek met bankjes", "Fatima Yilmaz en de school"),
    ("Buurtcafé op het plein", "Elke vrijdag open", "Werkgroep plein"),
    ("Betere verlichting", "Ledlampen langs het pad", "Gemeente"),
]
NAMES = ["Fatima Yilmaz", "Kees Jansen", "Ayse Demir", "Joost de Vries", "Marleen Bakker"]


def cid(tag: str) -> str:
    return f"{tag}-{next(_ids)}-after"[:64]


@dataclass
class Held:
    meeting_id: str
    code: str
    anna: requests.Session
    phones: list[Phone]
    agreements: list[int]
    fingerprint: str
    extra: dict[str, object] = field(default_factory=dict)


def proposals_of(console: Client) -> list[int]:
    return sorted(
        int(k.split(":")[1]) for k, v in console.views.items() if k.startswith("proposal:") and v
    )


def hold_meeting(
    server: Server,
    anna: requests.Session,
    *,
    title: str,
    anonymous: bool = False,
    publication: str | None = "consent",
    proposals: list[tuple[str, str, str]] = AGREEMENTS,
    meeting_id: str | None = None,
    code: str | None = None,
    evaluation_date: str = "2027-06-15",
    tables: bool = False,
) -> Held:
    """A small meeting to its sealed plan: five phones, proposals, consent on each and on
    the plan (with dated reconvene and evaluation), optionally a round on publication
    (``publication``: "consent", "object" or None), everyone signs, signing closes.
    With ``meeting_id``, an existing meeting (made from a plan) is held instead."""
    if meeting_id is None:
        meeting = create_meeting(anna, server, title=title, template="alle_hens")
        meeting_id, code = meeting.id, meeting.code
    assert code is not None
    console = console_client(server, anna, meeting_id)
    console.wait_for(lambda: "meeting" in console.views)
    if anonymous:
        ok(console.call("sharing.settings", {"client_id": cid("s"), "anonymity": "anonymous"}))
    phones, clients = [], []
    for i, name in enumerate(NAMES):
        phone = Phone(server, code)
        assert phone.join(name, ["Bewoners", "Gemeente", "Jongeren"][i % 3]).ok
        phones.append(phone)
        clients.append(phone.connect())
    advance(console, "proposals")
    existing = proposals_of(console)
    writers = [clients[1]] * len(proposals)
    if tables:
        # Thematafels: one table per proposal, its host writes the table's route.
        split = ok(
            console.call(
                "tables.split",
                {
                    "client_id": cid("t"),
                    "strategy": "mixed",
                    "count": len(proposals),
                    "four_years": True,
                },
            )
        )
        assert len(split["tables"]) == len(proposals)
        console.wait_for(lambda: console.views["tables"]["active"])
        writers = []
        for n, table in enumerate(console.views["tables"]["tables"]):
            host_id = table["members"][0]["id"]
            ok(
                console.call(
                    "table.update",
                    {
                        "client_id": cid("tu"),
                        "id": table["id"],
                        "host_id": host_id,
                        "name": f"Thema {n + 1}",
                    },
                )
            )
            writers.append(next(c for c in clients if c.you and c.you["id"] == host_id))
    made = [
        ok(
            writer.call(
                "proposal.create",
                {"client_id": cid("p"), "title": t, "what": what, "who": who},
            )
        )["id"]
        for writer, (t, what, who) in zip(writers, proposals, strict=True)
    ]
    if tables:
        ok(console.call("tables.plenary", {"client_id": cid("tp")}))
    ok(
        console.call(
            "plan.update",
            {
                "client_id": cid("plan"),
                "followup": "Kees en Ayse roepen de groep bijeen",
                "evaluation": "De kerngroep evalueert in het buurthuis",
                "followup_date": "2027-03-01",
                "followup_place": "Buurthuis De Linde",
                "evaluation_date": evaluation_date,
                "evaluation_place": "Buurthuis De Linde",
            },
        )
    )
    advance(console, "consent")
    for pid in [*existing, *made, None]:
        payload: dict[str, object] = {"client_id": cid("o")}
        payload.update({"proposal_id": pid} if pid else {"whole_plan": True})
        round_id = ok(console.call("consent.open", payload))["round_id"]
        for c in clients:
            ok(
                c.call(
                    "consent.answer",
                    {"client_id": cid("a"), "round_id": round_id, "answer": "consent"},
                )
            )
        assert ok(console.call("consent.close", {"client_id": cid("c")}))["outcome"] == "adopted"
    if publication:
        round_id = ok(console.call("consent.open", {"client_id": cid("o"), "publication": True}))[
            "round_id"
        ]
        console.wait_for(lambda: (console.views.get("consent") or {}).get("topic") == "publication")
        for i, c in enumerate(clients):
            answer = {"client_id": cid("a"), "round_id": round_id, "answer": "consent"}
            if publication == "object" and i == 2:
                answer.update(answer="objection", text="Mijn straat staat erin.")
            ok(c.call("consent.answer", answer))
        outcome = ok(console.call("consent.close", {"client_id": cid("c")}))["outcome"]
        assert outcome == ("adopted" if publication == "consent" else "not_adopted")
    advance(console, "signing")
    for name, c in zip(NAMES, clients, strict=True):
        ok(c.call("signature.sign", {"client_id": cid("s"), "name": name}))
    closed = ok(console.call("signing.close", {"client_id": cid("cl")}))
    console.wait_for(lambda: len(console.views.get("agreements", {}).get("items", [])) >= 3)
    agreements = [a["id"] for a in console.views["agreements"]["items"]]
    for c in [*clients, console]:
        c.close()
    return Held(meeting_id, code, anna, phones, agreements, closed["fingerprint"])


@pytest.fixture(scope="module")
def held(server: Server) -> Held:
    return hold_meeting(server, login(server, "anna@example.org"), title="Plandag Lindeplein")


def plan_url(server: Server, held: Held) -> str:
    return f"{server.url}/j/{held.code}/plan"


def post_form(
    session: requests.Session, url: str, page_url: str, **data: object
) -> requests.Response:
    page = session.get(page_url)
    assert page.status_code == 200, page.text[:300]
    return session.post(url, data={"csrf": csrf_of(page.text), **data})


def facilitator_post(server: Server, held: Held, path: str, **data: object) -> requests.Response:
    after = f"{server.url}/m/{held.meeting_id}/after"
    return post_form(held.anna, f"{after}/{path}", after, **data)


def participant_id(server: Server, held: Held, name: str) -> str:
    page = held.anna.get(f"{server.url}/m/{held.meeting_id}/after").text
    match = re.search(rf'<option value="(\d+)">{re.escape(name)} \(', page)
    assert match, name
    return match.group(1)


def agreement_card(page: str, agreement_id: int) -> str:
    start = page.index(f'id="agreement-{agreement_id}"')
    end = page.find("<article", start + 1)
    return page[start : end if end > 0 else len(page)]


# --------------------------------------------------------------------------- statuses


def test_a_named_person_and_a_facilitator_update_a_status_and_others_are_refused(
    server: Server, held: Held
):
    first = held.agreements[0]
    fatima, kees = held.phones[0], held.phones[1]
    # Before the facilitator links Fatima to the agreement, her phone cannot update it.
    refused = post_form(
        fatima.http,
        plan_url(server, held),
        plan_url(server, held),
        action="status",
        agreement_id=first,
        status="under_way",
        note="",
        client_id=cid("f"),
    )
    assert refused.status_code == 422
    assert "Alleen de mensen die bij deze afspraak genoemd zijn" in refused.text
    r = facilitator_post(
        server,
        held,
        "name",
        participant_id=participant_id(server, held, "Fatima Yilmaz"),
        duty="agreement",
        agreement_id=first,
    )
    assert r.ok
    write = cid("st")
    for _ in range(2):  # a double click counts once
        done = post_form(
            fatima.http,
            plan_url(server, held),
            plan_url(server, held),
            action="status",
            agreement_id=first,
            status="under_way",
            note="De school doet mee; de gemeente levert de bankjes.",
            client_id=write,
        )
        assert done.ok, done.text[:300]
    page = fatima.http.get(plan_url(server, held)).text
    card = agreement_card(page, first)
    assert 'data-status="under_way"' in card
    assert card.count("De school doet mee") == 1
    assert "Fatima Yilmaz" in card  # a named meeting names who updated
    # Kees is not named for it: refused, and nothing changed.
    other = post_form(
        kees.http,
        plan_url(server, held),
        plan_url(server, held),
        action="status",
        agreement_id=first,
        status="done",
        note="",
        client_id=cid("k"),
    )
    assert other.status_code == 422
    assert 'data-status="under_way"' in agreement_card(
        kees.http.get(plan_url(server, held)).text, first
    )
    # A facilitator may update any agreement.
    r = facilitator_post(
        server,
        held,
        "status",
        agreement_id=held.agreements[2],
        status="stuck",
        note="Wacht op de begroting.",
        client_id=cid("fs"),
    )
    assert r.ok
    card = agreement_card(kees.http.get(plan_url(server, held)).text, held.agreements[2])
    assert 'data-status="stuck"' in card and "Wacht op de begroting." in card
    # The sealed words are the record's, and the page says which seal and links /verify.
    assert held.fingerprint in page and "/verify" in page


def test_a_status_outside_the_list_or_a_foreign_agreement_is_refused_clearly(
    server: Server, held: Held
):
    url = plan_url(server, held)
    for data in (
        {"status": "finished"},
        {"agreement_id": "999999"},
        {"agreement_id": "１"},  # a full-width digit is no id
        {"action": "delete"},
    ):
        form = {"action": "status", "agreement_id": held.agreements[0], "status": "done", **data}
        r = post_form(held.phones[0].http, url, url, **form)
        assert r.status_code == 422, data
        assert "Traceback" not in r.text and 'role="alert"' in r.text
    # A device that never joined gets no plan page at all.
    stranger = requests.Session()
    assert stranger.get(url).status_code == 403


# --------------------------------------------------------------------------- signals


def test_a_signal_with_a_reason_reaches_the_reconvene_group_and_the_facilitators_only(
    server: Server, held: Held
):
    cafe = held.agreements[1]
    joost, ayse, marleen = held.phones[3], held.phones[2], held.phones[4]
    url = plan_url(server, held)
    empty = post_form(joost.http, url, url, action="signal", agreement_id=cafe, reason="  ")
    assert empty.status_code == 422
    reason = "Het café is op vrijdag dicht omdat er geen vrijwilligers zijn."
    assert post_form(
        joost.http, url, url, action="signal", agreement_id=cafe, reason=reason, client_id=cid("sg")
    ).ok
    # Ayse is named to reconvene: she sees the reason and who sent it (a named meeting).
    facilitator_post(
        server,
        held,
        "name",
        participant_id=participant_id(server, held, "Ayse Demir"),
        duty="reconvene",
    )
    seen = agreement_card(ayse.http.get(url).text, cafe)
    assert reason in seen and "Joost de Vries" in seen
    # Marleen is not: she sees that there is a signal, not its reason.
    other = agreement_card(marleen.http.get(url).text, cafe)
    assert reason not in other
    assert re.search(r'data-role="signal-count">1 signaal', other), other[:600]
    # Joost sees his own.
    assert reason in agreement_card(joost.http.get(url).text, cafe)
    # The facilitator's plan page and console show it.
    after = held.anna.get(f"{server.url}/m/{held.meeting_id}/after").text
    assert reason in agreement_card(after, cafe)
    console = held.anna.get(f"{server.url}/m/{held.meeting_id}").text
    assert reason in console and 'id="after-summary"' in console


def test_a_follow_up_meeting_made_from_the_plan_holds_the_agreements_and_signals(
    server: Server, held: Held
):
    cafe = held.agreements[1]
    r = facilitator_post(server, held, "meeting", kind="reconvene", agreement_id=cafe)
    assert r.ok
    new_id = re.search(r"/m/([A-Za-z0-9_-]+)$", r.url)
    assert new_id and new_id.group(1) != held.meeting_id
    console = console_client(server, held.anna, new_id.group(1))
    console.wait_for(lambda: "meeting" in console.views and "info" in console.views)
    meeting = console.views["meeting"]
    assert meeting["groups"] == ["Bewoners", "Gemeente", "Jongeren"]
    assert "Plandag Lindeplein" in meeting["title"]
    proposals = [console.views[f"proposal:{i}"] for i in proposals_of(console)]
    assert [p["title"] for p in proposals] == ["Buurtcafé op het plein"]
    assert proposals[0]["what"] == "Elke vrijdag open"
    info = json.dumps(console.views["info"], ensure_ascii=False)
    assert "geen vrijwilligers" in info
    console.close()
    # The signal is marked as taken up on the first plan's page.
    page = held.anna.get(f"{server.url}/m/{held.meeting_id}/after").text
    assert "opgepakt in een vervolgbijeenkomst" in agreement_card(page, cafe)


# --------------------------------------------------------------------------- dates


def test_the_ics_holds_the_reconvene_and_evaluation_dates(server: Server, held: Held):
    r = held.phones[0].http.get(f"{plan_url(server, held)}.ics")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(r.content)
    events = {str(e.get("categories").cats[0]): e for e in cal.walk("VEVENT")}
    assert events["reconvene"].decoded("dtstart") == date(2027, 3, 1)
    assert events["evaluation"].decoded("dtstart") == date(2027, 6, 15)
    assert str(events["evaluation"].get("location")) == "Buurthuis De Linde"
    assert str(events["evaluation"].get("summary")) == "Evaluatie: Plandag Lindeplein"
    # The facilitator's copy is the same calendar.
    mine = held.anna.get(f"{server.url}/m/{held.meeting_id}/after/plan.ics")
    assert len(Calendar.from_ical(mine.content).walk("VEVENT")) == 2


def test_the_sealed_document_states_the_dates(server: Server, held: Held):
    doc = held.anna.get(f"{server.url}/m/{held.meeting_id}/plan.docx")
    text = "\n".join(p.text for p in Document(io.BytesIO(doc.content)).paragraphs)
    assert "1 maart 2027" in text and "15 juni 2027" in text and "Buurthuis De Linde" in text
    assert "De zaal stemde in met publicatie van dit plan." in text
    # The seal covers them: a changed date is caught.
    document = Document(io.BytesIO(doc.content))
    changed = False
    for paragraph in document.paragraphs:
        for run in paragraph.runs:
            if "15 juni 2027" in run.text:
                run.text = run.text.replace("15 juni 2027", "15 juli 2027")
                changed = True
    assert changed
    tampered = io.BytesIO()
    document.save(tampered)
    verdict = requests.post(
        f"{server.url}/verify",
        files={"document": ("plan.docx", tampered.getvalue())},
        headers={"Accept-Language": "en"},
    )
    assert 'class="verdict-box invalid"' in verdict.text
    assert "The agreements section differs from the signed text." in verdict.text


# --------------------------------------------------------------------------- evaluation


def test_the_evaluation_meeting_asks_per_agreement_and_its_plan_names_the_first_fingerprint(
    server: Server, held: Held
):
    r = facilitator_post(server, held, "meeting", kind="evaluation")
    assert r.ok
    new_id = re.search(r"/m/([A-Za-z0-9_-]+)$", r.url)
    assert new_id
    console = console_client(server, held.anna, new_id.group(1))
    console.wait_for(lambda: "meeting" in console.views and "prompts" in console.views)
    prompts = [p["text"] for p in console.views["prompts"]]
    assert len(prompts) == 3 and all("wat ging goed" in p for p in prompts)
    code = console.views["meeting"]["join_code"]
    console.close()
    second = hold_meeting(
        server,
        held.anna,
        title="",
        meeting_id=new_id.group(1),
        code=code,
        proposals=[],
        publication=None,
    )
    doc = held.anna.get(f"{server.url}/m/{second.meeting_id}/plan.docx")
    assert doc.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(doc.content)).paragraphs)
    assert held.fingerprint in text and "evalueerde het plan" in text
    verdict = requests.post(
        f"{server.url}/verify",
        files={"document": ("plan.docx", doc.content)},
        headers={"Accept-Language": "en"},
    )
    assert verdict.ok and 'class="verdict-box valid"' in verdict.text, verdict.text[:400]


# --------------------------------------------------------------------------- publication


def test_publication_needs_the_rooms_consent_and_can_be_withdrawn(server: Server, held: Held):
    anna = held.anna
    after = f"{server.url}/m/{held.meeting_id}/after"
    unticked = facilitator_post(server, held, "publish")
    assert "Vink aan dat je de voorbeeldweergave hebt gelezen" in unticked.text
    assert "public-link" not in anna.get(after).text
    assert facilitator_post(server, held, "publish", checked="yes").ok
    page = anna.get(after).text
    link = re.search(r'id="public-link" href="([^"]+)"', page)
    assert link
    public = requests.get(f"{server.url}{link.group(1)}")
    assert public.status_code == 200 and "Speelplek bij de Lindelaan" in public.text
    assert "Fatima Yilmaz" in public.text  # a named meeting publishes its names
    index = requests.get(f"{server.url}/plans")
    assert link.group(1) in index.text
    feed = requests.get(f"{server.url}/plans.json").json()
    assert any(p["fingerprint"] == held.fingerprint for p in feed["plans"])
    # Withdrawing is not one click: unticked, it stays up.
    unticked = facilitator_post(server, held, "withdraw")
    assert "Vink aan dat je de publicatie wilt intrekken" in unticked.text
    assert requests.get(f"{server.url}{link.group(1)}").status_code == 200
    assert facilitator_post(server, held, "withdraw", checked="yes").ok
    assert requests.get(f"{server.url}{link.group(1)}").status_code == 404
    assert all(
        p["fingerprint"] != held.fingerprint
        for p in requests.get(f"{server.url}/plans.json").json()["plans"]
    )


def test_without_the_rooms_consent_nothing_is_published_and_anonymous_shows_no_names(
    server: Server,
):
    anna = login(server, "anna@example.org")
    refused = hold_meeting(server, anna, title="Plandag Stationsbuurt", publication="object")
    r = facilitator_post(server, refused, "publish", checked="yes")
    assert "De zaal heeft niet ingestemd met publicatie" in r.text
    assert "public-link" not in anna.get(f"{server.url}/m/{refused.meeting_id}/after").text
    soon = date.fromordinal(date.today().toordinal() + 7).isoformat()
    anonymous = hold_meeting(
        server, anna, title="Plandag Havenkwartier", anonymous=True, evaluation_date=soon
    )
    # Its evaluation is a week away: the meetings page lists it; the plan of June does not.
    due = anna.get(f"{server.url}/meetings").text.split('id="due-evaluations"')
    assert len(due) == 2
    listed = due[1].split("</section>")[0]
    assert "Plandag Havenkwartier" in listed and "Plandag Stationsbuurt" not in listed
    assert facilitator_post(server, anonymous, "publish", checked="yes").ok
    page = anna.get(f"{server.url}/m/{anonymous.meeting_id}/after").text
    link = re.search(r'id="public-link" href="([^"]+)"', page)
    assert link
    public = requests.get(f"{server.url}{link.group(1)}").text
    assert "Speelplek bij de Lindelaan" in public
    for name in NAMES:
        for part in name.split():
            if len(part) >= 3 and part[0].isupper():
                assert part not in public, part
    feed = json.dumps(requests.get(f"{server.url}/plans.json").json(), ensure_ascii=False)
    assert "Fatima" not in feed and "Yilmaz" not in feed


def test_thematafels_publish_every_tables_route(server: Server):
    anna = login(server, "anna@example.org")
    held = hold_meeting(server, anna, title="Thematafels Zuid", tables=True, anonymous=True)
    assert facilitator_post(server, held, "publish", checked="yes").ok
    page = anna.get(f"{server.url}/m/{held.meeting_id}/after").text
    link = re.search(r'id="public-link" href="([^"]+)"', page)
    assert link
    public = requests.get(f"{server.url}{link.group(1)}").text
    assert "De routes van de tafels" in public
    feed = requests.get(f"{server.url}/plans.json").json()
    mine = next(p for p in feed["plans"] if p["title"] == "Thematafels Zuid")
    assert sorted(r["table"] for r in mine["routes"]) == ["Thema 1", "Thema 2", "Thema 3"]
    for n, (title, _what, _who) in enumerate(AGREEMENTS, start=1):
        route = public.split(f"<h3>Thema {n}</h3>")[1].split("</section>")[0]
        assert title in route
        question = next(r["question"] for r in mine["routes"] if r["table"] == f"Thema {n}")
        assert "four years" in question and question in route  # the thematafel question
    assert all("who" not in a for a in mine["agreements"])


def test_an_anonymous_plan_names_nobody_after_the_day_even_if_the_setting_changes(
    server: Server,
):
    anna = login(server, "anna@example.org")
    proposals = [
        ("Bankje voor Kees Jansen", "Kees Jansen en Ayse zetten het neer", "De school"),
        *AGREEMENTS[1:],
    ]
    held = hold_meeting(
        server, anna, title="Plandag Molenwijk", anonymous=True, proposals=proposals
    )
    first, cafe = held.agreements[0], held.agreements[1]
    fatima, _kees, ayse, joost, marleen = held.phones
    url = plan_url(server, held)
    facilitator_post(
        server,
        held,
        "name",
        participant_id=participant_id(server, held, "Fatima Yilmaz"),
        duty="agreement",
        agreement_id=first,
    )
    facilitator_post(
        server,
        held,
        "name",
        participant_id=participant_id(server, held, "Ayse Demir"),
        duty="reconvene",
    )
    reason = "Niemand heeft de sleutel van het café."
    assert post_form(joost.http, url, url, action="signal", agreement_id=cafe, reason=reason).ok
    # The facilitator changes the setting after the day: what was promised still holds.
    console = console_client(server, anna, held.meeting_id)
    console.wait_for(lambda: "meeting" in console.views)
    ok(console.call("sharing.settings", {"client_id": cid("s"), "anonymity": "named"}))
    seen = ayse.http.get(url).text
    assert reason in agreement_card(seen, cafe) and "Joost de Vries" not in seen
    others = marleen.http.get(url).text
    assert "Fatima Yilmaz" not in others  # who is named stays with the facilitators
    assert "Je bent bij deze afspraak genoemd" in agreement_card(fatima.http.get(url).text, first)
    assert "Fatima Yilmaz" in held.anna.get(f"{server.url}/m/{held.meeting_id}/after").text
    # Published: no name anywhere, also not in the titles and texts people wrote.
    assert facilitator_post(server, held, "publish", checked="yes").ok
    page = anna.get(f"{server.url}/m/{held.meeting_id}/after").text
    link = re.search(r'id="public-link" href="([^"]+)"', page)
    assert link
    public = requests.get(f"{server.url}{link.group(1)}").text
    assert "Bankje voor …" in public and "… en … zetten het neer" in public
    for name in NAMES:
        for part in name.split():
            if len(part) >= 3 and part[0].isupper():
                assert part not in public, part
    # A removed participant's phone no longer opens the plan.
    marleen_id = int(participant_id(server, held, "Marleen Bakker"))
    ok(console.call("participant.remove", {"client_id": cid("rm"), "participant_id": marleen_id}))
    console.close()
    assert marleen.http.get(url).status_code == 403


def test_a_personal_link_opens_the_plan_and_a_new_one_ends_the_old(server: Server, held: Held):
    kees = participant_id(server, held, "Kees Jansen")
    links = []
    for _ in range(2):
        r = facilitator_post(server, held, "link", participant_id=kees)
        found = re.search(r'id="plan-link">[^<]*<span class="mono">([^<]+)</span>', r.text)
        assert found, r.text[:400]
        links.append(found.group(1))
    stranger = requests.Session()  # a new phone: no device cookie, only the link
    old, new = links
    assert stranger.get(old).status_code == 404
    page = stranger.get(new)
    assert page.status_code == 200 and "Speelplek bij de Lindelaan" in page.text
    assert page.headers["Referrer-Policy"] == "no-referrer"
    r = post_form(
        stranger,
        new,
        new,
        action="signal",
        agreement_id=held.agreements[2],
        reason="De lampen zijn nog niet besteld.",
        client_id=cid("lk"),
    )
    assert r.ok and "De lampen zijn nog niet besteld." in r.text
    calendar = stranger.get(f"{new}/plan.ics")
    assert calendar.ok and new.rsplit("/", 1)[1].encode() not in calendar.content
    # Another facilitator does not see the plan page at all.
    bram = login(server, "bram@example.org")
    assert bram.get(f"{server.url}/m/{held.meeting_id}/after").status_code == 404
    assert bram.get(f"{server.url}/m/{held.meeting_id}/after/plan.ics").status_code == 404


def test_a_round_left_open_keeps_signing_from_closing_and_none_opens_after_the_seal(
    server: Server,
):
    anna = login(server, "anna@example.org")
    meeting = create_meeting(anna, server, title="Plandag Open Ronde", template="alle_hens")
    console = console_client(server, anna, meeting.id)
    console.wait_for(lambda: "meeting" in console.views)
    phone = Phone(server, meeting.code)
    assert phone.join("Kees Jansen").ok
    client = phone.connect()
    advance(console, "proposals")
    ok(client.call("proposal.create", {"client_id": cid("p"), "title": "Een bankje"}))
    advance(console, "consent")
    for payload in ({"proposal_id": proposals_of(console)[0]}, {"whole_plan": True}):
        ok(console.call("consent.open", {"client_id": cid("o"), **payload}))
        ok(console.call("consent.close", {"client_id": cid("c")}))
    advance(console, "signing")
    ok(console.call("consent.open", {"client_id": cid("o"), "publication": True}))
    refused = console.call("signing.close", {"client_id": cid("cl")})
    assert refused["error"]["code"] == "phase.round_open"
    ok(console.call("consent.close", {"client_id": cid("c")}))  # nobody objected: adopted
    ok(console.call("signing.close", {"client_id": cid("cl")}))
    late = console.call("consent.open", {"client_id": cid("o"), "publication": True})
    assert late["error"]["code"] == "publication.round_phase"
    again = console.call("consent.open", {"client_id": cid("o"), "whole_plan": True})
    assert again["error"]["code"] == "signing.closed"
    client.close()
    console.close()


def test_a_changed_evaluation_date_under_a_plan_round_asks_again_and_is_marked(server: Server):
    anna = login(server, "anna@example.org")
    meeting = create_meeting(anna, server, title="Plandag Nieuwe Datum", template="alle_hens")
    console = console_client(server, anna, meeting.id)
    console.wait_for(lambda: "meeting" in console.views)
    phone = Phone(server, meeting.code)
    assert phone.join("Kees Jansen").ok
    client = phone.connect()
    advance(console, "proposals")
    ok(client.call("proposal.create", {"client_id": cid("p"), "title": "Een bankje"}))
    ok(console.call("plan.update", {"client_id": cid("u"), "evaluation_date": "2027-06-15"}))
    advance(console, "consent")
    ok(
        console.call(
            "consent.open", {"client_id": cid("o"), "proposal_id": proposals_of(console)[0]}
        )
    )
    ok(console.call("consent.close", {"client_id": cid("c")}))
    first = ok(console.call("consent.open", {"client_id": cid("o"), "whole_plan": True}))[
        "round_id"
    ]
    console.wait_for(lambda: (console.views.get("consent") or {}).get("id") == first)
    assert console.views["consent"]["subject"]["evaluation_at"]["date"] == "2027-06-15"
    refused = console.call("plan.update", {"client_id": cid("u"), "evaluation_date": "2027-07-01"})
    assert refused["error"]["code"] == "consent.amend_plan_round_open"
    moved = ok(
        console.call(
            "plan.update",
            {"client_id": cid("u"), "evaluation_date": "2027-07-01", "supersede": True},
        )
    )
    assert moved["superseded"] == first
    console.wait_for(lambda: (console.views.get("consent") or {}).get("id") == moved["round_id"])
    view = console.views["consent"]
    assert view["subject"]["evaluation_at"]["date"] == "2027-07-01"
    assert view["changes"]["plan"] == ["evaluation_at"]
    client.wait_for(lambda: (client.views.get("consent") or {}).get("id") == moved["round_id"])
    assert client.views["consent"]["changes"]["plan"] == ["evaluation_at"]
    bad = console.call("plan.update", {"client_id": cid("u"), "evaluation_date": "2027-02-30"})
    assert bad["error"]["code"] == "aftercare.date_invalid"
    client.close()
    console.close()

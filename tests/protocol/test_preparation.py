"""The process before the day over the real server: the core group and its drafts,
everyone involved and their conversations, information needs and informants,
invitations that join on the day, the go/no-go at the start, and each refusal with its
code. Purge and privacy have their own module (test_preparation_privacy.py)."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
import requests

from tests.support import (
    Client,
    MeetingInfo,
    Server,
    console_client,
    create_meeting,
    csrf_of,
    login,
)

pytestmark = pytest.mark.protocol
_ids = itertools.count()


def cid(tag: str) -> str:
    return f"{tag}-{next(_ids)}-prep"[:64]


@dataclass
class Prep:
    """A facilitator's browser on the preparation page of one meeting."""

    server: Server
    http: requests.Session
    meeting: MeetingInfo

    @property
    def url(self) -> str:
        return f"{self.server.url}/m/{self.meeting.id}/process"

    def page(self, path: str = "") -> str:
        response = self.http.get(self.url + path)
        assert response.status_code == 200, response.text[:500]
        return response.text

    def post(self, path: str, **form: object) -> requests.Response:
        """A form post as the page sends it (its CSRF token and a fresh write id), then
        the page it comes back to."""
        data: dict[str, object] = {"csrf": csrf_of(self.page()), "client_id": cid("f")}
        data.update(form)
        response = self.http.post(self.url + path, data=data)
        assert response.status_code == 200, response.text[:500]
        return response


def flashed_error(html: str) -> str | None:
    match = re.search(r'<p class="form-error" role="alert">([^<]*)</p>', html)
    return match.group(1) if match else None


def prepared(server: Server, email: str = "anna@example.org", **fields: object) -> Prep:
    http = login(server, email)
    meeting = create_meeting(http, server, **fields)
    prep = Prep(server, http, meeting)
    page = http.get(prep.url)
    assert "create-process" in page.text
    http.post(prep.url, data={"csrf": csrf_of(page.text), "kind": "nieuwe_route"})
    return prep


def ids(html: str, pattern: str) -> list[int]:
    return [int(x) for x in re.findall(pattern, html)]


def person_ids(html: str) -> list[int]:
    return ids(html, r'<tr data-person="(\d+)"')


def add_person(prep: Prep, name: str, group: str = "Bewoners", **extra: str) -> int:
    before = set(person_ids(prep.page()))
    html = prep.post(
        "/people", **{"name": name, "group": group, "contact": "06-1234", **extra}
    ).text
    assert flashed_error(html) is None, flashed_error(html)
    (new,) = set(person_ids(html)) - before
    return new


def status_of(prep: Prep, person: int) -> str:
    match = re.search(rf'<tr data-person="{person}" data-status="([a-z_]+)"', prep.page())
    assert match
    return match.group(1)


def step_state(html: str, key: str) -> str:
    match = re.search(rf'data-step="{key}" data-state="([a-z]+)"', html)
    assert match, key
    return match.group(1)


def party_link(prep: Prep, name: str, organisation: str) -> str:
    html = prep.post("/members", role="party", name=name, organisation=organisation).text
    match = re.search(r'id="new-link"[^>]*|value="(http[^"]+/kg/[^"]+)"', html)
    links = re.findall(r'value="(http[^"]+/kg/[^"]+)"', html)
    assert match and links, html[:2000]
    return links[0]


def letter_links(html: str) -> dict[int, str]:
    """Each letter's personal link, by the person it is for."""
    return {
        int(person): url
        for person, url in re.findall(
            r'<article class="letter"[^>]*data-person="(\d+)".*?<span class="letter-url">([^<]+)<',
            html,
            re.S,
        )
    }


def console_of(prep: Prep) -> Client:
    console = console_client(prep.server, prep.http, prep.meeting.id)
    console.wait_for(lambda: "meeting" in console.views)
    return console


# --------------------------------------------------------------------------- the process


def test_a_process_is_created_once_with_its_checklist_derived_from_the_data(
    server: Server,
) -> None:
    prep = prepared(server)
    html = prep.page()
    # The meeting's facilitator is the core group's first member; nothing is done yet.
    assert 'data-role="facilitator"' in html and "Anna de Vries" in html
    for step in ("core_group", "statement", "kaders", "sought", "prepared", "invited"):
        assert step_state(html, step) == "open", step
    again = prep.http.post(prep.url, data={"csrf": csrf_of(html), "kind": "alle_hens"})
    assert flashed_error(again.text) == "Deze bijeenkomst heeft al een proces."
    # Another facilitator does not see it (no oracle for ids).
    bram = login(server, "bram@example.org")
    assert bram.get(prep.url).status_code == 404
    assert bram.get(prep.url + "/people/1").status_code == 404


# --------------------------------------------------------------------------- core group, drafts


def test_the_core_group_writes_comments_and_settles_the_statement_and_a_kader(
    server: Server,
) -> None:
    prep = prepared(server)
    link = party_link(prep, "Wethouder Smit", "Gemeente Zuidstad")
    html = prep.page()
    assert step_state(html, "core_group") == "done"

    # Two statement drafts by the facilitator, a comment from the party's link.
    prep.post("/drafts", kind="statement", title="Het plein", text="Eerste versie van de kwestie.")
    (draft,) = ids(prep.page(), r'<article class="draft" id="draft-(\d+)"')
    prep.post(f"/drafts/{draft}/versions", title="Het plein", text="Tweede versie: iedereen.")
    member = requests.Session()
    page = member.get(link)
    assert page.status_code == 200 and "Tweede versie: iedereen." in page.text
    # The member's page shows no list of people and no conversation.
    assert "06-1234" not in page.text and "Alle betrokkenen" not in page.text
    comment = member.post(
        link,
        data={
            "csrf": csrf_of(page.text),
            "client_id": cid("c"),
            "action": "comment",
            "draft_id": draft,
            "text": "Noem ook de jongeren.",
        },
    )
    assert comment.status_code == 200 and "Noem ook de jongeren." in comment.text
    # A repeated post (same write id) counts once.
    repeat = {"csrf": csrf_of(page.text), "client_id": "same-id", "action": "comment"}
    for _ in range(2):
        member.post(link, data={**repeat, "draft_id": draft, "text": "Eén keer graag."})
    assert member.get(link).text.count("Eén keer graag.") == 1
    # The representative writes new versions of their own kaders only.
    refused = member.post(
        link,
        data={
            "csrf": csrf_of(page.text),
            "action": "version",
            "draft_id": draft,
            "title": "Anders",
            "text": "Mijn versie van de kwestie.",
        },
    )
    assert refused.status_code == 422
    assert "alleen nieuwe versies van de kaders van je eigen partij" in refused.text
    kader = member.post(
        link,
        data={
            "csrf": csrf_of(page.text),
            "client_id": cid("k"),
            "action": "new_kader",
            "title": "Budget",
            "text": "Hooguit 50.000 euro.",
        },
    )
    assert kader.status_code == 200 and "Hooguit 50.000 euro." in kader.text

    html = prep.page()
    assert "Noem ook de jongeren." in html and "(op versie 2" in html
    drafts = ids(html, r'<article class="draft" id="draft-(\d+)"')
    kader_draft = max(drafts)
    console = console_of(prep)
    prep.post(f"/drafts/{draft}/settle", number=2)
    prep.post(f"/drafts/{kader_draft}/settle", number=1)
    console.wait_for(
        lambda: console.views["meeting"]["issue_statement"] == "Tweede versie: iedereen."
    )
    console.wait_for(
        lambda: any(
            f["title"] == "Budget" and f.get("party") == "Gemeente Zuidstad"
            for f in console.views.get("frameworks", {}).get("items", [])
        ),
    )
    html = prep.page()
    assert step_state(html, "statement") == "done" and step_state(html, "kaders") == "done"
    assert 'data-settled="2"' in html
    console.close()


def test_a_member_of_another_process_cannot_touch_this_ones_drafts(server: Server) -> None:
    ours = prepared(server)
    ours.post("/drafts", kind="statement", title="Ons plein", text="Onze kwestie.")
    (draft,) = ids(ours.page(), r'<article class="draft" id="draft-(\d+)"')
    theirs = prepared(server, title="Een ander proces")
    link = party_link(theirs, "Iemand Anders", "Woningcorporatie")
    member = requests.Session()
    page = member.get(link)
    assert "Onze kwestie." not in page.text
    response = member.post(
        link,
        data={
            "csrf": csrf_of(page.text),
            "action": "comment",
            "draft_id": draft,
            "text": "Ik hoor hier niet.",
        },
    )
    assert response.status_code == 422
    assert "Je zit niet in de kerngroep van dit proces" in response.text
    assert "Ik hoor hier niet." not in ours.page()
    # A link that is not one: refused like any unknown personal link.
    assert requests.get(f"{server.url}/kg/not-a-real-key-at-all").status_code == 404


# --------------------------------------------------------------------------- everyone involved


def test_people_statuses_and_conversations(server: Server) -> None:
    prep = prepared(server)
    bad = prep.post("/people", name="Mevrouw Jansen", group="Marsmannetjes").text
    assert flashed_error(bad) == "Kies een van de groepen van de bijeenkomst."
    jansen = add_person(prep, "Mevrouw Jansen", organisation="Bewonerscommissie")
    assert status_of(prep, jansen) == "to_contact"
    assert step_state(prep.page(), "sought") == "open"

    # A conversation ahead is planned; one held with a yes: will take part.
    ahead = (date.today() + timedelta(days=3)).isoformat()
    person = f"/people/{jansen}"
    prep.post(f"{person}/conversations", held_on=ahead, held_by="Anna")
    assert status_of(prep, jansen) == "planned"
    prep.post(
        f"{person}/conversations",
        held_on=date.today().isoformat(),
        held_by="Anna",
        concerns="Bang voor herrie.",
        take_part="yes",
        named="yes",
    )
    assert status_of(prep, jansen) == "will_take_part"
    detail = prep.page(person)
    assert "Bang voor herrie." in detail and detail.count('class="conversation"') == 2
    assert step_state(prep.page(), "sought") == "done"
    assert step_state(prep.page(), "prepared") == "done"

    # "Will not take part" keeps its reason; a bad status is refused.
    prep.post(f"{person}/status", status="will_not_take_part", reason="Geen tijd.")
    assert status_of(prep, jansen) == "will_not_take_part"
    assert "Geen tijd." in prep.page()
    html = prep.post(f"{person}/status", status="maybe").text
    assert flashed_error(html) == "Kies een van de statussen."
    # A person of another process is not on this list.
    assert prep.http.get(prep.url + "/people/999999").status_code == 404


# --------------------------------------------------------------------------- needs, informants


def test_needs_get_informants_from_the_list_and_become_information_items(
    server: Server,
) -> None:
    prep = prepared(server)
    other = prepared(server, title="Ander proces")
    stranger = add_person(other, "Iemand van elders")
    visser = add_person(prep, "Dhr. Visser", group="Gemeente")
    prep.post(
        f"/people/{visser}/conversations",
        held_on=date.today().isoformat(),
        held_by="Anna",
        take_part="yes",
        named="yes",
    )
    unsafe = add_person(prep, "Onveilig Persoon")
    prep.post(f"/people/{unsafe}/status", status="not_safe")
    buur = add_person(prep, "Buurvrouw Ali")
    prep.post("/needs", title="Cijfers overlast", text="Meldingen per maand.", raised_by=[buur])
    (need,) = ids(prep.page(), r'<form method="post" class="need" id="need-(\d+)"')

    html = prep.post(f"/needs/{need}", informant=stranger, raised_by=[buur]).text
    assert flashed_error(html) == "Een informant moet iemand van de lijst van dit proces zijn."
    html = prep.post(f"/needs/{need}", informant=unsafe, raised_by=[buur]).text
    assert "Onveilig Persoon" in (flashed_error(html) or "")
    console = console_of(prep)
    html = prep.post(f"/needs/{need}", informant=visser, raised_by=[buur, visser]).text
    assert flashed_error(html) is None
    assert step_state(html, "information") == "done"
    console.wait_for(
        lambda: (
            [(i["title"], i["informant"]) for i in console.views.get("info", [])]
            == [("Cijfers overlast", "Dhr. Visser")]
        )
    )
    console.close()


# --------------------------------------------------------------------------- invitations


def test_invitations_join_on_the_day_with_name_group_and_role(server: Server) -> None:
    prep = prepared(server, date=date.today().isoformat())
    safe = add_person(prep, "Fatima El Amrani", group="Jongeren")
    informant = add_person(prep, "Dhr. Bakker", group="Gemeente")
    unsafe = add_person(prep, "Niet Veilig")
    prep.post(f"/people/{unsafe}/status", status="not_safe")
    prep.post("/needs", title="Plannen van de gemeente", text="", raised_by=[safe])
    (need,) = ids(prep.page(), r'class="need" id="need-(\d+)"')
    prep.post(f"/needs/{need}", informant=informant)

    # Someone marked not safe is refused, and nobody of that batch is invited.
    html = prep.post("/invitations", person=[safe, unsafe]).text
    assert (
        flashed_error(html)
        == "Niet Veilig is gemarkeerd als niet veilig om mee te doen: er gaat geen uitnodiging uit."
    )
    assert "Uitgenodigd: 0 ·" in html
    letters = prep.http.post(
        prep.url + "/invitations",
        data={"csrf": csrf_of(prep.page()), "person": [safe, informant], "then": "print"},
    )
    assert "/letters" in letters.url and letters.text.count('class="letter"') == 2
    assert "<svg" in letters.text and "Fatima El Amrani · Jongeren" in letters.text
    by_person = letter_links(letters.text)
    assert sorted(by_person) == sorted([safe, informant])
    links = [by_person[safe], by_person[informant]]

    console = console_of(prep)
    joined = []
    for link in links:
        phone = requests.Session()
        page = phone.get(link)
        assert page.status_code == 200 and 'data-auto="yes"' in page.text
        # The page's script posts the form: the phone is in, on the phone page.
        response = phone.post(link, data={"csrf": csrf_of(page.text)})
        assert response.status_code == 200 and f"/j/{prep.meeting.code}" in response.url
        joined.append(phone)
    console.wait_for(
        lambda: (
            sorted(
                (p["name"], p["group"], p["role"])
                for k, p in console.views.items()
                if k.startswith("participant:")
            )
            == [
                ("Dhr. Bakker", "Gemeente", "informant"),
                ("Fatima El Amrani", "Jongeren", "participant"),
            ]
        )
    )
    # The same phone again is the same person; another phone is refused.
    again = joined[0].get(links[0])
    assert f"/j/{prep.meeting.code}" in again.url
    thief = requests.Session()
    page = thief.get(links[0])
    stolen = thief.post(links[0], data={"csrf": csrf_of(page.text)})
    assert stolen.status_code == 409 and "al gebruikt op een andere telefoon" in stolen.text
    html = prep.page()
    assert "Uitgenodigd: 2 · gekomen: 2" in html
    assert step_state(html, "invited") == "done"
    # Marked not safe afterwards: the invitation stops working.
    prep.post(f"/people/{safe}/status", status="not_safe")
    assert requests.get(links[0]).status_code == 404
    console.close()


def test_an_invitation_before_the_day_shows_the_invitation_and_joins_nobody(
    server: Server,
) -> None:
    later = (date.today() + timedelta(days=10)).isoformat()
    prep = prepared(server, date=later, place="Buurthuis De Linde")
    person = add_person(prep, "Mevrouw Vroeg")
    letters = prep.http.post(
        prep.url + "/invitations",
        data={"csrf": csrf_of(prep.page()), "person": [person], "then": "print"},
    )
    (link,) = re.findall(r'<span class="letter-url">([^<]+)</span>', letters.text)
    page = requests.get(link)
    assert page.status_code == 200
    assert "Buurthuis De Linde" in page.text and "accept-invitation" not in page.text
    assert "Hoe wordt het plein weer van iedereen?" in page.text  # the open question
    console = console_of(prep)
    assert not [k for k in console.views if k.startswith("participant:")]
    console.close()


# --------------------------------------------------------------------------- go/no-go


def test_a_start_with_a_no_go_marked_asks_to_confirm_and_is_recorded(server: Server) -> None:
    prep = prepared(server)
    console = console_of(prep)
    # Nothing marked: the meeting starts as before.
    html = prep.post(
        "/assessment", **{"state-safe": "not_met", "note-safe": "Dreiging na de rellen."}
    ).text
    assert 'id="verdict">No-go' in html or "Niet doorgaan" in html
    assert 'data-key="safe" data-state="not_met"' in html
    page = prep.http.get(f"{server.url}/m/{prep.meeting.id}").text
    assert 'id="no-go-list"' in page and "Het is veilig" in page
    assert "Dreiging na de rellen." not in page  # the console shows states, not notes
    refused = console.call("phase.advance", {"client_id": cid("a"), "from": "welcome"})
    assert refused["error"]["code"] == "process.no_go"
    assert console.views["meeting"]["phase"] == "welcome"
    started = console.call(
        "phase.advance", {"client_id": cid("a"), "from": "welcome", "confirm_no_go": True}
    )
    assert started["ok"], started
    html = prep.page()
    assert "Bijeenkomst gestart ondanks een no-go" in html
    # The history keeps every judgement.
    prep.post("/assessment", **{"state-safe": "met", "note-safe": "Afspraken met politie."})
    html = prep.page()
    assert "Dreiging na de rellen." in html and "Afspraken met politie." in html
    console.close()


def test_an_alle_hens_process_lists_its_conditions_and_principles(server: Server) -> None:
    http = login(server, "anna@example.org")
    meeting = create_meeting(http, server, template="alle_hens", title="Alle Hens Oost")
    prep = Prep(server, http, meeting)
    page = http.get(prep.url)
    assert 'value="alle_hens" checked' in page.text
    http.post(prep.url, data={"csrf": csrf_of(page.text), "kind": "alle_hens"})
    html = prep.page()
    assert step_state(html, "coordinator") == "open" and step_state(html, "open_question") == "done"
    conditions = re.findall(r'class="condition" data-key="([a-z_]+)"', html)
    assert len(conditions) == 13 and "independent_coordinator" in conditions
    states = {f"state-{key}": "met" for key in conditions}
    html = prep.post("/assessment", **states).text
    assert step_state(html, "coordinator") == "done" and step_state(html, "go_no_go") == "done"
    bad = prep.post("/assessment", **{"state-safe": "perhaps"}).text
    assert flashed_error(bad) == "Kies voldaan, niet voldaan of onbekend."


# --------------------------------------------------------------------------- what review found


def invited_links(prep: Prep, people: list[int]) -> dict[int, str]:
    letters = prep.http.post(
        prep.url + "/invitations",
        data={"csrf": csrf_of(prep.page()), "person": people, "then": "print"},
    )
    return letter_links(letters.text)


def scan(link: str, phone: requests.Session | None = None) -> requests.Response:
    """A phone opens its letter's link; its page posts the form, as the script does."""
    phone = phone or requests.Session()
    page = phone.get(link)
    if 'id="accept-invitation"' not in page.text:
        return page
    return phone.post(link, data={"csrf": csrf_of(page.text)})


def test_one_invitation_is_one_phone_and_it_never_renames_anyone(server: Server) -> None:
    prep = prepared(server, date=date.today().isoformat())
    jan, piet = add_person(prep, "Jan Visser"), add_person(prep, "Piet Kok")
    links = invited_links(prep, [jan, piet])
    console = console_of(prep)

    # A phone that scanned Jan's letter cannot become Piet by scanning his.
    phone = requests.Session()
    assert f"/j/{prep.meeting.code}" in scan(links[jan], phone).url
    refused = scan(links[piet], phone)
    assert refused.status_code == 409 and "al in de bijeenkomst als Jan Visser" in refused.text
    # Someone who joined with the room's code is not renamed by a forwarded letter.
    walk_in = requests.Session()
    walk_in.get(f"{server.url}/j/{prep.meeting.code}")
    assert walk_in.post(
        f"{server.url}/j/{prep.meeting.code}/join", json={"name": "Fatima", "group": "Bewoners"}
    ).ok
    assert "al in de bijeenkomst als Fatima" in scan(links[piet], walk_in).text

    def people() -> list[tuple[str, str]]:
        return sorted(
            (p["name"], p["group"])
            for k, p in console.views.items()
            if k.startswith("participant:")
        )

    console.wait_for(lambda: people() == [("Fatima", "Bewoners"), ("Jan Visser", "Bewoners")])

    # A lost phone: a new link frees the person for a new phone; the old link is dead.
    prep.post(f"/people/{jan}/invitation/renew")
    assert requests.get(links[jan]).status_code == 404
    (new_link,) = letter_links(prep.page(f"/letters?person={jan}")).values()
    assert new_link != links[jan]
    new_phone = requests.Session()
    assert f"/j/{prep.meeting.code}" in scan(new_link, new_phone).url
    assert scan(new_link, requests.Session()).status_code == 409  # and now that one is bound
    console.close()


def test_an_informant_who_withdraws_is_no_longer_named_or_an_informant(server: Server) -> None:
    prep = prepared(server, date=date.today().isoformat())
    kok = add_person(prep, "Dhr. Kok", group="Gemeente")
    today = date.today().isoformat()
    prep.post(
        f"/people/{kok}/conversations", held_on=today, held_by="Anna", take_part="yes", named="yes"
    )
    prep.post("/needs", title="Cijfers", text="")
    (need,) = ids(prep.page(), r'class="need" id="need-(\d+)"')
    prep.post(f"/needs/{need}", informant=kok)
    scan(invited_links(prep, [kok])[kok])
    console = console_of(prep)

    def informants() -> list[str]:
        return [i["informant"] for i in console.views.get("info", [])]

    def roles() -> list[str]:
        return [p["role"] for k, p in console.views.items() if k.startswith("participant:")]

    console.wait_for(lambda: informants() == ["Dhr. Kok"] and roles() == ["informant"])
    # A later conversation: he no longer wants to be named. The item stays, unnamed.
    prep.post(f"/people/{kok}/conversations", held_on=today, held_by="Anna", named="no")
    console.wait_for(lambda: informants() == [""])
    # Marked not safe: he informs nothing any more, and is a participant like others.
    prep.post(f"/people/{kok}/status", status="not_safe")
    console.wait_for(lambda: roles() == ["participant"])
    html = prep.page()
    assert f'value="{kok}" selected' not in html
    # Taking the informant off a need ("— none yet —") is possible too.
    other = add_person(prep, "Mevrouw Bos")
    prep.post(f"/needs/{need}", informant=other)
    assert f'<option value="{other}" selected' in prep.page()
    prep.post(f"/needs/{need}", informant="")
    assert f'<option value="{other}" selected' not in prep.page()
    console.close()


def test_odd_ids_and_a_draft_for_no_party_get_clean_refusals(server: Server) -> None:
    prep = prepared(server)
    huge = "9" * 25
    assert prep.http.get(f"{prep.url}/people/{huge}").status_code == 404
    assert prep.http.get(f"{prep.url}/letters?person={huge}").status_code == 200
    html = prep.post(f"/drafts/{huge}/comments", text="Hallo").text
    assert flashed_error(html) == "Dat concept bestaat niet in dit proces."
    html = prep.post("/members", role="facilitator", user_id=huge).text
    assert flashed_error(html) == "Kies een van de procesbegeleiders van de bijeenkomst."
    html = prep.post("/drafts", kind="framework", title="Budget", text="Hooguit.").text
    assert flashed_error(html) == "Kies de kaderstellende partij van wie dit kader is."
    link = party_link(prep, "Wethouder", "Gemeente")
    member = requests.Session()
    page = member.get(link)
    response = member.post(
        link,
        data={"csrf": csrf_of(page.text), "action": "comment", "draft_id": huge, "text": "x"},
    )
    assert response.status_code == 422
    # A post without its form token is refused, not sent to the facilitators' login.
    stale = requests.post(link, data={"action": "comment", "draft_id": 1, "text": "x"})
    assert stale.status_code == 400 and "/login" not in stale.url


def test_a_statement_is_settled_only_before_the_room_has_met(server: Server) -> None:
    prep = prepared(server)
    prep.post("/drafts", kind="statement", title="De kwestie", text="Versie van de kerngroep.")
    (draft,) = ids(prep.page(), r'<article class="draft" id="draft-(\d+)"')
    console = console_of(prep)
    started = console.call("phase.advance", {"client_id": cid("a"), "from": "welcome"})
    assert started["ok"], started
    back = console.call("phase.back", {"client_id": cid("b"), "from": "framing"})
    assert back["ok"], back
    html = prep.post(f"/drafts/{draft}/settle", number=1).text
    assert flashed_error(html) == (
        "De bijeenkomst is begonnen: wat de kerngroep nu vaststelt, bereikt haar niet meer."
    )
    assert console.views["meeting"]["issue_statement"] != "Versie van de kerngroep."
    console.close()


def test_a_purge_date_is_never_before_the_meeting_and_the_command_keeps_to_it(
    server: Server,
) -> None:
    ahead = date.today() + timedelta(days=20)
    prep = prepared(server, date=ahead.isoformat(), title="Een proces dat nog komt")
    add_person(prep, "Mevrouw Later", contact="KEEP-LATER-0614")
    html = prep.post("/retention", purge_after=date.today().isoformat()).text
    assert flashed_error(html) == (
        f"Kies een wisdatum op of na de dag van de bijeenkomst ({ahead.isoformat()})."
    )
    prep.post("/retention", purge_after=(ahead + timedelta(days=30)).isoformat())
    # Far ahead as --before: nothing whose own purge date has not come is purged.
    result = server.cli("purge", "--before", "2099-01-01")
    assert "Een proces dat nog komt" not in result.stdout
    assert "Mevrouw Later" in prep.page()


def test_groups_renamed_on_the_form_follow_the_people_on_the_list(server: Server) -> None:
    prep = prepared(server, date=date.today().isoformat())
    jan = add_person(prep, "Jan Visser", group="Jongeren")
    form = prep.http.get(f"{server.url}/m/{prep.meeting.id}/edit").text
    fields = {
        "csrf": csrf_of(form),
        "title": "Plandag Zuidplein",
        "template": "nieuwe_route",
        "open_question": "Hoe wordt het plein weer van iedereen?",
        "issue_statement": "Sinds de zomer is er spanning rond het plein.",
        "groups": "Bewoners\nGemeente\nJongeren",
        "date": date.today().isoformat(),
        "language": "nl",
    }
    # Removing a group someone on the list has is refused; renaming carries them over.
    removed = prep.http.post(
        f"{server.url}/m/{prep.meeting.id}/edit", data={**fields, "groups": "Bewoners\nGemeente"}
    )
    assert removed.status_code == 422
    renamed = prep.http.post(
        f"{server.url}/m/{prep.meeting.id}/edit",
        data={**fields, "groups": "Bewoners\nGemeente\nJeugd"},
    )
    assert renamed.ok
    assert re.search(rf'data-person="{jan}".*?<td data-label="Groep">Jeugd</td>', prep.page(), re.S)
    phone = requests.Session()
    assert f"/j/{prep.meeting.code}" in scan(invited_links(prep, [jan])[jan], phone).url


def test_the_preparation_speaks_english_and_each_letter_its_persons_language(
    server: Server,
) -> None:
    prep = prepared(server, date=date.today().isoformat())
    english = prep.http.get(prep.url + "?lang=en").text
    for words in ("Preparation", "Everyone involved", "Core group", "Go/no-go", "Retention"):
        assert words in english, words
    try:
        ann = add_person(prep, "Ann Smith", language="en")
        joop = add_person(prep, "Joop Kok", language="nl")
        links = invited_links(prep, [ann, joop])
        letters = prep.http.get(prep.url + "/letters").text
        assert "Invitation: Plandag Zuidplein" in letters and "Dear Ann Smith," in letters
        assert "Uitnodiging: Plandag Zuidplein" in letters and "Beste Joop Kok," in letters
        # Her invitation page speaks English too.
        page = requests.get(links[ann])
        assert "Welcome, Ann Smith" in page.text and 'lang="en"' in page.text
    finally:
        prep.http.get(prep.url + "?lang=nl")  # the switch is remembered: set it back


def test_a_statement_changed_on_the_form_after_settling_is_no_longer_the_settled_one(
    server: Server,
) -> None:
    prep = prepared(server)
    prep.post("/drafts", kind="statement", title="De kwestie", text="Zoals de kerngroep het zag.")
    (draft,) = ids(prep.page(), r'<article class="draft" id="draft-(\d+)"')
    prep.post(f"/drafts/{draft}/settle", number=1)
    assert step_state(prep.page(), "statement") == "done"
    edit = f"{prep.server.url}/m/{prep.meeting.id}/edit"
    form = prep.http.get(edit).text
    assert 'id="statement-settled"' in form
    saved = prep.http.post(
        edit,
        data={
            "csrf": csrf_of(form),
            "title": "Plandag Zuidplein",
            "template": "nieuwe_route",
            "open_question": "Hoe wordt het plein weer van iedereen?",
            "issue_statement": "Zoals ik het zelf opschreef.",
            "groups": "Bewoners\nGemeente\nJongeren",
            "language": "nl",
        },
    )
    assert saved.ok
    html = prep.page()
    assert step_state(html, "statement") == "open" and 'id="statement-differs"' in html


def test_two_informants_with_one_name_are_told_apart_by_who_they_are(server: Server) -> None:
    prep = prepared(server, date=date.today().isoformat())
    today = date.today().isoformat()
    first = add_person(prep, "Fatima", group="Bewoners")
    second = add_person(prep, "Fatima", group="Jongeren")
    for person in (first, second):
        prep.post(f"/people/{person}/conversations", held_on=today, held_by="A", named="yes")
    prep.post("/needs", title="Eerste", text="")
    prep.post("/needs", title="Tweede", text="")
    one, two = ids(prep.page(), r'class="need" id="need-(\d+)"')
    prep.post(f"/needs/{one}", informant=first)
    prep.post(f"/needs/{two}", informant=second)
    console = console_of(prep)

    def named() -> dict[str, str]:
        return {i["title"]: i["informant"] for i in console.views.get("info", [])}

    console.wait_for(lambda: named() == {"Eerste": "Fatima", "Tweede": "Fatima"})
    # The second Fatima no longer wants to be named: only her item loses the name.
    prep.post(f"/people/{second}/conversations", held_on=today, held_by="A", named="no")
    console.wait_for(lambda: named() == {"Eerste": "Fatima", "Tweede": ""})
    console.close()


def test_after_a_renewal_the_persons_own_phone_still_goes_in(server: Server) -> None:
    prep = prepared(server, date=date.today().isoformat())
    jan = add_person(prep, "Jan Visser")
    phone = requests.Session()
    assert f"/j/{prep.meeting.code}" in scan(invited_links(prep, [jan])[jan], phone).url
    prep.post(f"/people/{jan}/invitation/renew")
    (new_link,) = letter_links(prep.page(f"/letters?person={jan}")).values()
    assert f"/j/{prep.meeting.code}" in scan(new_link, phone).url
    assert "Uitgenodigd: 1 · gekomen: 1" in prep.page()
    # Odd ids that look like digits to Python are refused cleanly too.
    assert prep.http.get(f"{prep.url}/letters?person=²").status_code == 200
    html = prep.post("/invitations", person="²").text
    assert flashed_error(html) == "Die persoon staat niet op de lijst van dit proces."


def test_a_meeting_still_to_come_or_under_way_is_not_purged(server: Server) -> None:
    prep = prepared(server, date=date.today().isoformat(), title="Vandaag")
    add_person(prep, "Mevrouw Vandaag")
    prep.post("/retention", purge_after=date.today().isoformat())
    html = prep.post("/purge", confirm_title="Vandaag").text
    assert flashed_error(html) == "De bijeenkomst loopt nog of moet nog komen. Wis na afloop."
    # Started and stepped back to the welcome: still not over.
    console = console_of(prep)
    assert console.call("phase.advance", {"client_id": cid("a"), "from": "welcome"})["ok"]
    assert console.call("phase.back", {"client_id": cid("b"), "from": "framing"})["ok"]
    html = prep.post("/purge", confirm_title="Vandaag").text
    assert flashed_error(html) == "De bijeenkomst loopt nog of moet nog komen. Wis na afloop."
    assert "Mevrouw Vandaag" in prep.page()
    console.close()

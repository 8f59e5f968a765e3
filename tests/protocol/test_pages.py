"""Pages and HTTP endpoints as a browser or a phone scanner meets them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests

from tests.support import Server, create_meeting, csrf_of, login

pytestmark = pytest.mark.protocol


def test_the_qr_code_is_a_full_qr_code_of_the_join_url(server: Server):
    anna = login(server, "anna@example.org")
    meeting = create_meeting(anna, server)
    response = requests.get(f"{server.url}/j/{meeting.code}/qr.svg")
    assert response.headers["Content-Type"].startswith("image/svg+xml")
    svg = response.text
    width = int(re.search(r'width="(\d+)"', svg).group(1))
    modules = width // 10 - 4  # scale 10, border 2 on each side
    # Micro QR codes have 11-17 modules; full QR codes 21, 25, 29, ...
    assert modules >= 21 and (modules - 21) % 4 == 0, modules
    import segno

    expected = segno.make(f"{server.url}/j/{meeting.code}", micro=False, error="m")
    assert expected.symbol_size(border=0)[0] == modules


def test_a_typed_code_is_forgiving(server: Server):
    anna = login(server, "anna@example.org")
    meeting = create_meeting(anna, server)
    typed = f" {meeting.code[:3].lower()}-{meeting.code[3:].lower()} "
    response = requests.get(f"{server.url}/j", params={"code": typed})
    assert response.ok and response.url.endswith(f"/j/{meeting.code}")


def test_console_pages_need_a_login(server: Server):
    for path in ("/meetings", "/meetings/new"):
        response = requests.get(f"{server.url}{path}", allow_redirects=False)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    bad = requests.Session()
    page = bad.get(f"{server.url}/login")
    response = bad.post(
        f"{server.url}/login",
        data={
            "csrf": csrf_of(page.text),
            "email": "anna@example.org",
            "password": "wrong password",
        },
    )
    assert response.status_code == 401
    assert "passen niet bij elkaar" in response.text


def test_forms_refuse_a_missing_csrf_token(server: Server):
    anna = login(server, "anna@example.org")
    response = anna.post(f"{server.url}/meetings/new", data={"title": "X"})
    assert response.status_code == 400


def test_a_refused_meeting_form_keeps_what_was_typed(server: Server):
    anna = login(server, "anna@example.org")
    page = anna.get(f"{server.url}/meetings/new")
    response = anna.post(
        f"{server.url}/meetings/new",
        data={
            "csrf": csrf_of(page.text),
            "title": "Avond in de Linde",
            "template": "custom",
            "phases": ["sharing", "consent"],
            "groups": "Bewoners",
            "open_question": "Wat nu?",
        },
    )
    assert response.status_code == 422
    assert "Avond in de Linde" in response.text and "Wat nu?" in response.text
    assert 'id="form-error"' in response.text


def test_the_first_account_is_made_through_the_printed_one_time_link(tmp_path: Path):
    server = Server(instance=tmp_path / "fresh").start()
    try:
        link = re.search(r"(http://\S+/setup/\S+)", server.read_log()).group(1)
        assert link.startswith(server.url)
        browser = requests.Session()
        page = browser.get(link)
        assert page.ok
        done = browser.post(
            link,
            data={
                "csrf": csrf_of(page.text),
                "name": "Anna",
                "email": "anna@example.org",
                "password": "a long enough password",
            },
        )
        assert done.ok and done.url.endswith("/meetings")
        assert requests.get(link).status_code == 410  # used up
    finally:
        server.stop()


def test_editing_the_meeting_reaches_the_beamer_and_locks_the_template_once_started(
    server: Server,
):
    from tests.support import beamer_client, console_client

    anna = login(server, "anna@example.org")
    meeting = create_meeting(anna, server)
    beamer = beamer_client(server, meeting)
    beamer.wait_for(lambda: beamer.views.get("meeting"))

    def edit(**changes: object) -> requests.Response:
        page = anna.get(f"{server.url}/m/{meeting.id}/edit")
        form = {
            "csrf": csrf_of(page.text),
            "title": "Plandag Zuidplein",
            "template": "nieuwe_route",
            "open_question": "Hoe wordt het plein weer van iedereen?",
            "issue_statement": "Spanning.",
            "groups": "Bewoners\nGemeente\nJongeren",
        }
        form.update(changes)
        return anna.post(f"{server.url}/m/{meeting.id}/edit", data=form)

    assert edit(open_question="Wat hebben we nodig om samen verder te kunnen?").ok
    beamer.wait_for(
        lambda: beamer.views["meeting"]["open_question"].startswith("Wat hebben we nodig")
    )
    console = console_client(server, anna, meeting.id)
    assert console.call("phase.advance", {"client_id": "edit-adv-01"})["ok"]
    refused = edit(template="alle_hens")
    assert refused.status_code == 422
    assert beamer.views["meeting"]["template"] == "nieuwe_route"
    console.close()
    beamer.close()

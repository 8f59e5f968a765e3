"""Sessions end when the facilitator says so; cookies are Secure over HTTPS behind a
configured proxy; login limits count failures only, per account and per address."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import socketio

from tests.support import (
    PASSWORD,
    Client,
    Phone,
    Server,
    console_client,
    create_meeting,
    csrf_of,
    login,
)

pytestmark = pytest.mark.protocol

ENGLISH = {"Accept-Language": "en"}
WRONG = "That e-mail address and password do not match."
LIMITED = "Too many requests at once; wait a moment and try again."


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server behind a reverse proxy on 127.0.0.1 (PLANDAG_TRUSTED_PROXIES)."""
    srv = Server(
        instance=Path(tmp_path_factory.mktemp("proxied")),
        env_extra={"PLANDAG_TRUSTED_PROXIES": "127.0.0.1"},
    )
    srv.start()
    for name in ("anna", "bram", "carla", "dirk", "eva"):
        srv.add_user(f"{name}@example.org", name.title())
    yield srv
    srv.stop()


def cookie_header(session: requests.Session) -> str:
    return "; ".join(f"{k}={v}" for k, v in session.cookies.items())


def replay(server: Server, cookies: str, path: str) -> requests.Response:
    return requests.get(f"{server.url}{path}", headers={"Cookie": cookies}, allow_redirects=False)


def console_refused(server: Server, cookies: str, meeting_id: str) -> str:
    with pytest.raises(socketio.exceptions.ConnectionError) as refused:
        Client().connect(
            server, {"audience": "console", "meeting": meeting_id}, headers={"Cookie": cookies}
        )
    return str(refused.value)


def attempt(
    server: Server, email: str, password: str, address: str
) -> tuple[bool, requests.Response]:
    browser = requests.Session()
    headers = {**ENGLISH, "X-Forwarded-For": address}
    page = browser.get(f"{server.url}/login", headers=headers)
    r = browser.post(
        f"{server.url}/login",
        data={"csrf": csrf_of(page.text), "email": email, "password": password},
        headers=headers,
    )
    return r.ok and r.url.endswith("/meetings"), r


def test_a_cookie_replayed_after_logout_is_refused_on_pages_and_sockets(proxied: Server):
    anna = login(proxied, "anna@example.org")
    meeting = create_meeting(anna, proxied)
    copied = cookie_header(anna)  # what someone copied off the venue laptop
    laptop = login(proxied, "anna@example.org")  # the same account on another device
    assert replay(proxied, copied, f"/m/{meeting.id}").status_code == 200
    console = console_client(proxied, anna, meeting.id)
    other = console_client(proxied, laptop, meeting.id)
    page = anna.get(f"{proxied.url}/meetings")
    anna.post(f"{proxied.url}/logout", data={"csrf": csrf_of(page.text)})
    # Open consoles close, on every device ...
    console.wait_for(lambda: not console.sio.connected)
    other.wait_for(lambda: not other.sio.connected)
    # ... and the copied cookie opens nothing: not the console page with its beamer key,
    # not the meetings, not a console socket.
    for path in (f"/m/{meeting.id}", "/meetings", f"/m/{meeting.id}/edit"):
        refused = replay(proxied, copied, path)
        assert refused.status_code == 302 and "/login" in refused.headers["Location"], path
    assert meeting.beamer_key not in replay(proxied, copied, f"/m/{meeting.id}").text
    assert "auth.required" in console_refused(proxied, copied, meeting.id)
    # Logging out ends the account's other sessions as well.
    laptop_cookie = cookie_header(laptop)
    assert replay(proxied, laptop_cookie, "/meetings").status_code == 302
    assert "auth.required" in console_refused(proxied, laptop_cookie, meeting.id)
    # A new login works.
    again = login(proxied, "anna@example.org")
    assert again.get(f"{proxied.url}/m/{meeting.id}").status_code == 200
    console_client(proxied, again, meeting.id).close()


def test_a_password_change_ends_every_other_session(proxied: Server):
    mine, stolen = login(proxied, "bram@example.org"), login(proxied, "bram@example.org")
    meeting = create_meeting(mine, proxied)
    elsewhere = console_client(proxied, stolen, meeting.id)
    form_page = mine.get(f"{proxied.url}/account/password", headers=ENGLISH)
    assert form_page.status_code == 200
    csrf = csrf_of(form_page.text)

    def change(current: str, new: str, repeat: str) -> requests.Response:
        return mine.post(
            f"{proxied.url}/account/password",
            data={"csrf": csrf, "current": current, "password": new, "repeat": repeat},
            headers=ENGLISH,
        )

    wrong = change("not my password", "a new long password", "a new long password")
    assert wrong.status_code == 422 and "Your current password is not right." in wrong.text
    mismatch = change(PASSWORD, "a new long password", "another long password")
    assert mismatch.status_code == 422 and "not the same" in mismatch.text
    short = change(PASSWORD, "short", "short")
    assert short.status_code == 422 and "at least 10" in short.text
    assert elsewhere.sio.connected  # refusals change nothing
    done = change(PASSWORD, "a new long password", "a new long password")
    assert done.ok and "You are logged out everywhere else." in done.text
    # The other session is over, on pages and sockets; this one carries on.
    elsewhere.wait_for(lambda: not elsewhere.sio.connected)
    assert replay(proxied, cookie_header(stolen), "/meetings").status_code == 302
    assert "auth.required" in console_refused(proxied, cookie_header(stolen), meeting.id)
    assert mine.get(f"{proxied.url}/m/{meeting.id}").status_code == 200
    console_client(proxied, mine, meeting.id).close()
    assert attempt(proxied, "bram@example.org", PASSWORD, "10.7.0.1")[0] is False
    assert attempt(proxied, "bram@example.org", "a new long password", "10.7.0.1")[0] is True


def secure_cookies(response: requests.Response) -> dict[str, bool]:
    """Cookie name -> whether its Set-Cookie carries Secure."""
    out = {}
    for header in response.raw.headers.getlist("Set-Cookie"):
        name = header.split("=", 1)[0]
        out[name] = bool(re.search(r";\s*secure\b", header, re.IGNORECASE))
    return out


def test_behind_a_configured_proxy_https_cookies_are_secure(proxied: Server, server: Server):
    https = {"X-Forwarded-Proto": "https"}
    page = requests.get(f"{proxied.url}/login?lang=en", headers=https)
    assert secure_cookies(page) == {"plandag_lang": True, "session": True}
    assert "connect-src 'self' wss://127.0.0.1" in page.headers["Content-Security-Policy"]
    browser = requests.Session()
    form = browser.get(f"{proxied.url}/login", headers=https)
    assert secure_cookies(form) == {"session": True}
    # requests keeps Secure cookies for https only: send the session cookie by hand.
    logged_in = requests.post(
        f"{proxied.url}/login",
        data={"csrf": csrf_of(form.text), "email": "carla@example.org", "password": PASSWORD},
        headers={**https, "Cookie": f"session={form.cookies['session']}"},
        allow_redirects=False,
    )
    assert logged_in.status_code == 302 and secure_cookies(logged_in) == {"session": True}
    carla = login(proxied, "carla@example.org")
    meeting = create_meeting(carla, proxied)
    phone = requests.get(f"{proxied.url}/j/{meeting.code}", headers=https)
    assert secure_cookies(phone) == {"plandag_device": True}
    # Plain http through the same proxy: not Secure (the browser would drop them).
    plain = requests.get(f"{proxied.url}/login?lang=en")
    assert secure_cookies(plain) == {"plandag_lang": False, "session": False}
    assert "connect-src 'self' ws://127.0.0.1" in plain.headers["Content-Security-Policy"]
    # Without PLANDAG_TRUSTED_PROXIES nobody's X-Forwarded-Proto is believed.
    spoofed = requests.get(f"{server.url}/login?lang=en", headers=https)
    assert secure_cookies(spoofed) == {"plandag_lang": False, "session": False}


def test_joins_behind_the_proxy_are_limited_per_forwarded_address(tmp_path: Path):
    srv = Server(
        instance=tmp_path / "joins",
        env_extra={"PLANDAG_TRUSTED_PROXIES": "127.0.0.1", "PLANDAG_JOIN_LIMIT": "3"},
    ).start()
    try:
        srv.add_user("anna@example.org")
        meeting = create_meeting(login(srv, "anna@example.org"), srv)

        def join(address: str, name: str) -> int:
            phone = Phone(srv, meeting.code)
            phone.http.headers["X-Forwarded-For"] = address
            return phone.join(name).status_code

        assert [join("10.6.0.1", f"A{i}") for i in range(4)] == [200, 200, 200, 429]
        # The hall behind the same proxy is not locked out by one address.
        assert [join(f"10.6.1.{i}", f"B{i}") for i in range(6)] == [200] * 6
    finally:
        srv.stop()


def test_successful_logins_never_count(proxied: Server):
    results = [attempt(proxied, "dirk@example.org", PASSWORD, "10.5.0.1")[0] for _ in range(30)]
    assert all(results)  # 30 > the 20 failures an address may have, and > 10 per account


def test_failed_logins_are_limited_per_address(proxied: Server):
    address = "10.5.1.1"
    for i in range(20):  # PLANDAG_GUESS_LIMIT, spread over accounts that do not exist
        ok, r = attempt(proxied, f"nobody{i}@example.org", "guess guess", address)
        assert not ok and r.status_code == 401 and WRONG in r.text
    ok, r = attempt(proxied, "eva@example.org", PASSWORD, address)
    assert not ok and LIMITED in r.text
    # Eva herself, from her own address, is not locked out.
    assert attempt(proxied, "eva@example.org", PASSWORD, "10.5.1.2")[0]


def test_failed_logins_are_limited_per_account_from_any_address(proxied: Server):
    for i in range(10):  # PLANDAG_LOGIN_LIMIT, each from another address
        ok, r = attempt(proxied, "carla@example.org", "guess guess", f"10.5.2.{i}")
        assert not ok and WRONG in r.text
    ok, r = attempt(proxied, "carla@example.org", PASSWORD, "10.5.2.100")
    assert not ok and LIMITED in r.text
    # Another account from the same addresses carries on.
    assert attempt(proxied, "dirk@example.org", PASSWORD, "10.5.2.100")[0]


def test_a_successful_login_forgives_the_accounts_earlier_typos(proxied: Server):
    for round_ in range(2):
        for i in range(9):
            assert not attempt(proxied, "eva@example.org", "typo typo", f"10.5.3.{round_}{i}")[0]
        assert attempt(proxied, "eva@example.org", PASSWORD, f"10.5.3.{round_}9")[0]


def test_pages_with_secrets_are_never_cached(proxied: Server):
    anna = login(proxied, "anna@example.org")
    meeting = create_meeting(anna, proxied)
    phone = Phone(proxied, meeting.code)
    assert phone.join("Fatima").ok
    pages = {
        "console (beamer key)": anna.get(f"{proxied.url}/m/{meeting.id}"),
        "beamer (its key)": requests.get(
            f"{proxied.url}/beamer/{meeting.id}?key={meeting.beamer_key}"
        ),
        "phone (device)": phone.http.get(f"{proxied.url}/j/{meeting.code}"),
        "meetings": anna.get(f"{proxied.url}/meetings"),
        "login (csrf)": requests.get(f"{proxied.url}/login"),
        "password": anna.get(f"{proxied.url}/account/password"),
        "join answer": phone.join("Fatima"),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        assert response.headers["Cache-Control"] == "no-store", name
        csp = response.headers["Content-Security-Policy"]
        assert "form-action 'self'" in csp and "base-uri 'none'" in csp, name
        assert "connect-src 'self' ws://127.0.0.1:" in csp and " ws: " not in csp, name
    # Static files keep their cache.
    css = requests.get(f"{proxied.url}/static/css/plandag.css")
    assert "max-age" in css.headers["Cache-Control"]

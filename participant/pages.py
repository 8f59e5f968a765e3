"""Phone pages: enter a code, join a meeting, follow it; and the join QR code."""

from __future__ import annotations

import hashlib
import io
import json
import re
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Any

import segno
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)

from shared.domain import DomainError
from shared.domain.frameworks import DeviceStatus
from shared.domain.meeting import format_join_code, normalize_join_code, screen_language
from shared.i18n import localize_error, select_locale, use_meeting_language, use_person_language
from shared.kaders import service as kaders
from shared.meeting.screens import join_url, person_view
from shared.meeting.service import (
    AtVersion,
    join,
    meeting_by_code,
    meeting_by_id,
    participant_by_device,
)
from shared.web import (
    api_error,
    client_address,
    current_user,
    guess_budget_spent,
    json_intent,
    plandag,
    spend_guess,
)

bp = Blueprint("participant", __name__)

DEVICE_COOKIE = "plandag_device"
DEVICE_MAX_AGE = 60 * 60 * 24 * 120


DEVICE_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,100}$")


def valid_device_token(token: object) -> str | None:
    return token if isinstance(token, str) and DEVICE_TOKEN.match(token) else None


def device_token() -> str | None:
    return valid_device_token(request.cookies.get(DEVICE_COOKIE))


@bp.route("/j", methods=["GET", "POST"])
def enter_code() -> Any:
    code = request.values.get("code", "")
    if code:
        if guess_budget_spent():
            return enter_code_refused(code)
        if _meeting(code) is not None:
            return redirect(url_for("participant.phone", code=normalize_join_code(code)))
        return enter_code_error(code)
    return render_template("participant/enter_code.html", error=None, code="")


def _new_device_cookie(response: Response) -> None:
    """A new device: one cookie, so a join retried after a lost answer is the same person."""
    response.set_cookie(
        DEVICE_COOKIE,
        secrets.token_urlsafe(32),
        max_age=DEVICE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure,
    )


@bp.get("/j/<code>")
def phone(code: str) -> Any:
    if guess_budget_spent():
        return enter_code_refused(code)
    found = _meeting(code)
    if found is None:
        return enter_code_error(code)
    row = found.row
    if normalize_join_code(code) != code:
        return redirect(url_for("participant.phone", code=row.join_code))
    use_meeting_language(row.language)
    token = device_token()
    you = None
    if token is not None:
        p = participant_by_device(plandag().db, row.id, token)
        you = person_view(p) if p is not None else None
        if p is not None and p.language:
            # without ?lang= or a remembered choice, the phone speaks the language its
            # person joined in (an invitation's), not the meeting's; the socket records
            # the page's language (shared.realtime.presence.connect)
            use_person_language(p.language)
    response = Response(_phone_page(found, you))
    if token is None:
        # Issued before joining, so a join retried after a lost response is the same
        # device and so the same participant.
        _new_device_cookie(response)
    response.headers["Cache-Control"] = "no-store"
    return response


#: (meeting id, version, language) -> the phone page before joining. A thousand phones
#: that scan the QR code get the same page; any change to the meeting (its title, groups,
#: phase among them) raises its version, so an entry is never stale (and is rebuilt more
#: often than strictly needed).
_PAGES: dict[tuple[str, int, str], str] = {}


def _phone_page(found: AtVersion, you: dict[str, Any] | None) -> str:
    row = found.row

    def render() -> str:
        return render_template(
            "participant/phone.html",
            meeting=row,
            you=you,
            join_code=format_join_code(row.join_code),
        )

    if you is not None or current_user() is not None:
        return render()  # the page names this person (or a facilitator's own header)
    key = (row.id, found.version, select_locale())
    page = _PAGES.get(key)
    if page is None:
        if len(_PAGES) >= 64:
            _PAGES.clear()
        page = _PAGES[key] = render()
    return page


def _meeting(code: str) -> AtVersion | None:
    return meeting_by_code(plandag().db, normalize_join_code(code[:40]))


def enter_code_refused(code: str) -> Any:
    """Too many unknown codes from this address: refused whatever the code, so the
    answer does not tell a live code from a dead one."""
    error = localize_error(DomainError("rate.limited"))["message"]
    return render_template("participant/enter_code.html", error=error, code=code[:40]), 429


def enter_code_error(code: str) -> Any:
    spend_guess()
    error = localize_error(DomainError("join.code_unknown", typed=code.strip()[:12]))["message"]
    return render_template("participant/enter_code.html", error=error, code=code[:40]), 404


@bp.post("/j/<code>/join")
@json_intent
def join_meeting(code: str, data: dict[str, Any]) -> Any:
    app = plandag()
    if guess_budget_spent():
        raise DomainError("rate.limited")
    found = _meeting(code)
    if found is None:
        spend_guess()
        raise DomainError("join.code_unknown", typed=code[:12])
    row = found.row
    use_meeting_language(row.language)  # refusals in the language of the page
    token = device_token()
    if token is None:
        raise DomainError("auth.not_joined")
    # New people from one address are limited; a phone that has joined before (a
    # reload, a retry) is not. It is looked up only when the budget is spent, and
    # otherwise gives back what it took once the join says it was not new.
    budget = f"join:{client_address()}"
    counted = app.joins.allow(budget)
    if not counted and participant_by_device(app.db, row.id, token) is None:
        raise DomainError("rate.limited")
    participant, change, new = join(
        app.db,
        meeting_id=row.id,
        device_token=token,
        name=data.get("name"),
        group=data.get("group"),
        language=screen_language(data.get("language")) or select_locale(),
    )
    if counted and not new:
        app.joins.give_back(budget)
    app.hub.changed(change)
    return jsonify({"ok": True, "you": person_view(participant)})


@bp.get("/j/<code>/qr.svg")
def qr(code: str) -> Any:
    # The same guess budget as the phone page: otherwise the picture would be a free
    # live/dead oracle for join codes.
    if guess_budget_spent():
        abort(429)
    found = _meeting(code)
    if found is None:
        spend_guess()
        abort(404)
    row = found.row
    # micro=False: segno picks Micro QR for short data, which many phone scanners miss.
    qr_code = segno.make(join_url(plandag().settings.base_url(), row), micro=False, error="m")
    out = io.BytesIO()
    qr_code.save(out, kind="svg", scale=10, border=2, dark="#000", light="#fff", xmldecl=False)
    response = Response(out.getvalue(), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "no-cache"
    return response


# --------------------------------------------------------------------------- framework parties


@bp.get("/k/<key>")
def party_page(key: str) -> Any:
    """A framework party's personal link: its own screen, on the first device that
    opens it; any other device waits for the facilitator's approval."""
    app = plandag()
    token = device_token()
    access = kaders.party_access(app.db, key, token or "")
    if access is None:
        if not app.guesses.allow(f"party:{client_address()}"):
            abort(429)
        error = localize_error(DomainError("party.link_invalid"))["message"]
        return render_template("error.html", code=404, name=error), 404
    meeting = meeting_by_id(app.db, access.party.meeting_id)
    if meeting is not None:
        use_meeting_language(meeting.language)
    status = access.status
    if access.participant is not None and access.participant.removed_at is not None:
        status = "removed"
    response = Response(
        render_template(
            "participant/party.html",
            meeting=meeting,
            party=access.party,
            status=status,
            you=person_view(access.participant)
            if access.participant is not None and status == DeviceStatus.APPROVED
            else None,
            key=key,
        )
    )
    if token is None:
        _new_device_cookie(response)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/k/<key>/status")
def party_status(key: str) -> Any:
    """Polled by a device that waits for approval."""
    access = kaders.party_access(plandag().db, key, device_token() or "")
    if access is None:
        return api_error(DomainError("party.link_invalid"), 404)
    return jsonify({"ok": True, "status": access.status})


@bp.post("/k/<key>/claim")
@json_intent
def party_claim(key: str, data: dict[str, Any]) -> Any:
    app = plandag()
    token = device_token()
    if token is None:
        raise DomainError("auth.not_joined")
    if not app.joins.allow(f"party:{client_address()}"):
        raise DomainError("rate.limited")
    current = kaders.party_access(app.db, key, token)
    meeting = meeting_by_id(app.db, current.party.meeting_id) if current is not None else None
    if meeting is not None:
        use_meeting_language(meeting.language)  # refusals in the language of the page
    access, change = kaders.claim_party(
        app.db,
        key=key,
        device_token=token,
        name=data.get("name"),
        language=screen_language(data.get("language")) or select_locale(),
    )
    app.hub.changed(change)
    return jsonify({"ok": True, "status": access.status})


#: what the phone page and the plan page need to load with no network (static/js/sw.js)
OFFLINE_ASSETS = (
    "css/plandag.css",
    "fonts/atkinson-hyperlegible-latin-400-normal.woff2",
    "fonts/atkinson-hyperlegible-latin-700-normal.woff2",
    "fonts/atkinson-hyperlegible-latin-ext-400-normal.woff2",
    "fonts/atkinson-hyperlegible-latin-ext-700-normal.woff2",
    "vendor/socket.io.min.js",
    "js/live.js",
    "js/kaders.js",
    "js/signing.js",
    "js/phone.js",
    "js/forms.js",
    "js/plan.js",
)


@lru_cache(maxsize=1)
def _service_worker_script(static_folder: str) -> str:
    folder = Path(static_folder)
    digest = hashlib.sha256()
    for name in (*OFFLINE_ASSETS, "js/sw.js"):
        digest.update((folder / name).read_bytes())
    assets = [f"/static/{name}" for name in OFFLINE_ASSETS]
    return (
        (folder / "js/sw.js")
        .read_text(encoding="utf-8")
        .replace("__VERSION__", digest.hexdigest()[:16])
        .replace("__ASSETS__", json.dumps(assets))
    )


@bp.get("/sw.js")
def service_worker() -> Any:
    """The phone's service worker, at the root so that it may serve the phone pages; its
    version follows the assets, so a new release replaces the device's copies."""
    response = Response(
        _service_worker_script(str(current_app.static_folder)), mimetype="text/javascript"
    )
    response.headers["Cache-Control"] = "no-cache"
    return response

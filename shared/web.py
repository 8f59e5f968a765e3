"""HTTP helpers shared by both audiences: the app's services, login, CSRF, errors."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar, cast

from flask import (
    Flask,
    Request,
    Response,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_babel import force_locale, gettext
from werkzeug.middleware.proxy_fix import ProxyFix

from shared.accounts.service import get_user
from shared.aftercare import service as aftercare
from shared.aftercare.service import Viewer
from shared.config import ProxyTrust, Settings
from shared.core.db import Database
from shared.core.errors import status_of
from shared.core.limits import Limiter
from shared.core.models import User
from shared.domain.errors import DomainError
from shared.i18n import localize_error, use_meeting_language
from shared.meeting.service import get_meeting_for_facilitator

if TYPE_CHECKING:
    from shared.realtime.hub import Hub

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Plandag:
    """The app's own services, reachable as ``plandag()`` in views and handlers."""

    settings: Settings
    db: Database
    hub: Hub
    worker_id: str
    #: per client address: new participants, and wrong guesses (failed logins, unknown
    #: join codes, beamer keys); only failures spend the guess budget
    joins: Limiter
    guesses: Limiter
    #: failed logins per account
    logins: Limiter
    #: runs blocking C work (password hashes) off the event loop
    offload: Callable[..., Any]
    #: stopping (SIGTERM): no new connections are accepted, the heartbeat ends
    draining: bool = False


def plandag() -> Plandag:
    return cast(Plandag, current_app.extensions["plandag"])


def current_user() -> User | None:
    """The facilitator of this request's session, while that session is not ended
    (logout or a password change raise the account's epoch; older cookies fail)."""
    if "user" not in g:
        uid, epoch = session.get("uid"), session.get("epoch")
        user = get_user(plandag().db, uid) if isinstance(uid, int) else None
        if user is not None and (not isinstance(epoch, int) or epoch != user.session_epoch):
            user = None
        g.user = user
    return cast(User | None, g.user)


class SocketSessions(SecureCookieSessionInterface):
    """The cookie session, read once per socket. Flask-SocketIO pushes a request context
    with the socket's handshake environ around every socket event, and Flask opens the
    session for each (parsing the cookies and checking the signature, about a tenth of
    an answer's cost). A socket reads its session only in its handshake
    (`session_user_id`), and with ``manage_session=False`` nothing is saved, so later
    events of the same socket get the empty session."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        environ = request.environ
        if environ.get(_SOCKET_SESSION_READ):
            return self.make_null_session(app)
        opened = super().open_session(app, request)
        if request.path.startswith(SOCKET_PATH):
            environ[_SOCKET_SESSION_READ] = True
        return opened


SOCKET_PATH = "/socket.io/"
_SOCKET_SESSION_READ = "plandag.socket_session_read"


def session_user_id() -> int | None:
    """For a socket's handshake: the facilitator behind its session cookie, or None."""
    user = current_user()
    return None if user is None else user.id


def start_session(user: User, epoch: int | None = None) -> None:
    """A fresh session for ``user`` (a new CSRF token too), bound to the account's
    current session epoch."""
    session.clear()
    session["uid"] = user.id
    session["epoch"] = user.session_epoch if epoch is None else epoch
    session.permanent = True
    g.pop("user", None)


def login_required(view: F) -> F:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            return redirect(url_for("facilitator.login", next=request.full_path))
        return view(*args, **kwargs)

    return cast(F, wrapped)


def csrf_token() -> str:
    token = session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(24)
        session["csrf"] = token
    return token


def csrf_exempt(view: F) -> F:
    """A write that needs no CSRF token: a public upload (``/verify``) or a JSON write
    (``@json_intent``, which a cross-site form cannot send without a CORS preflight)."""
    view.csrf_exempt = True  # type: ignore[attr-defined]
    return view


#: forms posted without a login (their refusal stays a refusal)
LOGGED_OUT_FORMS = (
    "facilitator.login",
    "facilitator.setup",
    # personal links: a core-group member's page, an invitation
    "invited.member_page",
    "invited.invitation",
    # after the day: the plan page on the phone one joined with, or by a personal link
    "plan.by_device",
    "plan.by_link",
)


def protect_forms(app: Flask) -> None:
    """Every POST (PUT, PATCH, DELETE) carries the session's CSRF token, unless its view
    is ``@csrf_exempt``: checked once here, before any view runs, so no view can forget."""

    @app.before_request
    def _check_csrf() -> Any:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return None
        view = app.view_functions.get(request.endpoint or "")
        if view is None or getattr(view, "csrf_exempt", False):
            return None
        sent = request.form.get("csrf") or request.headers.get("X-CSRF-Token", "")
        if secrets.compare_digest(str(sent), csrf_token()):
            return None
        if current_user() is None and request.endpoint not in LOGGED_OUT_FORMS:
            # a tab left open after logout (or an ended session): log in again, as a
            # GET of the same page would, instead of a bare refusal
            return redirect(url_for("facilitator.login"))
        abort(400, description="csrf")


def facilitator_page(view: Callable[..., Any]) -> Callable[..., Any]:
    """A page of one meeting for its facilitators, in the style of ``@intent``: the login
    is required (else the login page, coming back here), the meeting is loaded for this
    facilitator (404 for anyone who does not facilitate it: no oracle for meeting ids)
    and the view gets it as ``meeting``, with the facilitator as ``user``."""

    @wraps(view)
    def wrapped(meeting_id: str, **kwargs: Any) -> Any:
        user = current_user()
        if user is None:
            return redirect(url_for("facilitator.login", next=request.full_path))
        try:
            meeting = get_meeting_for_facilitator(plandag().db, user.id, meeting_id)
        except DomainError:
            abort(404)
        return view(meeting=meeting, user=user, **kwargs)

    return wrapped


def json_intent(view: Callable[..., Any]) -> Callable[..., Any]:
    """A JSON write from a page that has no socket yet (joining, claiming a party link),
    in the style of ``@intent``: JSON only (so no CSRF token: a cross-site form cannot
    post it without a CORS preflight), an object payload passed as ``data``, and any
    refusal answered as ``{"ok": false, "error": ...}`` with its code's HTTP status."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not request.is_json:
            return api_error(DomainError("payload.invalid", detail="expected JSON"), 415)
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            return api_error(DomainError("payload.invalid", detail="expected an object"), 400)
        try:
            return view(*args, data=data, **kwargs)
        except DomainError as error:
            return api_error(error)

    return csrf_exempt(wrapped)


def client_address() -> str:
    """The client's address; behind a configured proxy the one it forwarded."""
    return request.remote_addr or "unknown"


def _guess_key() -> str:
    return f"guess:{client_address()}"


def guess_budget_spent() -> bool:
    """Whether this address used up its wrong guesses (join codes, beamer keys) for now.
    Checked *before* looking anything up, so an address over budget learns nothing,
    not even that a code exists."""
    return plandag().guesses.exceeded(_guess_key())


def spend_guess() -> None:
    plandag().guesses.hit(_guess_key())


#: what a trusted proxy may tell us (through ProxyFix) ...
TRUSTED_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST")
#: ... and what nobody may: Plandag never needs them
NEVER_TRUSTED = ("HTTP_FORWARDED", "HTTP_X_FORWARDED_PORT", "HTTP_X_FORWARDED_PREFIX")


class ProxyHeaders:
    """WSGI middleware around everything (pages and Socket.IO alike): X-Forwarded-For,
    -Proto and -Host count only when they come from a proxy named in
    PLANDAG_TRUSTED_PROXIES; werkzeug's ProxyFix then applies them. From anyone else
    they are removed, so nothing downstream (rate-limit keys, Secure cookies,
    Engine.IO's origin check) believes them. A request served over HTTPS gets every
    cookie Secure, the session's and the device's alike (set here, after Flask has
    written them all)."""

    def __init__(self, app: Any, trust: ProxyTrust) -> None:
        self.app, self.trust = app, trust
        self._fixers: dict[int, ProxyFix] = {}

    def hops(self, environ: dict[str, Any]) -> int:
        """How many proxies stand between the client and us on this request."""
        if self.trust.hops:
            return self.trust.hops
        if not self.trust.is_proxy(str(environ.get("REMOTE_ADDR", ""))):
            return 0
        chain = [a for a in environ.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        hops = 1
        # outwards from the nearest proxy, while the next address is a proxy as well
        while hops < len(chain) and self.trust.is_proxy(chain[-hops]):
            hops += 1
        return hops

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        hops = self.hops(environ)
        for name in NEVER_TRUSTED:
            environ.pop(name, None)

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            if environ.get("wsgi.url_scheme") == "https":
                headers = [
                    (k, v + "; Secure")
                    if k.lower() == "set-cookie" and "; secure" not in v.lower()
                    else (k, v)
                    for k, v in headers
                ]
            return start_response(status, headers, exc_info)

        if hops == 0:
            for name in TRUSTED_HEADERS:
                environ.pop(name, None)
            return self.app(environ, start)
        fixer = self._fixers.get(hops)
        if fixer is None:
            fixer = self._fixers[hops] = ProxyFix(self.app, x_for=hops, x_proto=1, x_host=1)
        return fixer(environ, start)


def api_error(error: DomainError, status: int | None = None) -> tuple[Any, int]:
    """A refusal as JSON, with the HTTP status its code has (shared.core.errors.STATUS)."""
    return jsonify({"ok": False, "error": localize_error(error)}), status or status_of(error)


# --------------------------------------------------------------------------- after the day


def refused_page(error: DomainError, status: int) -> Any:
    """The error page with the refusal's message, in the page's language."""
    return render_template("error.html", code=status, name=localize_error(error)["message"]), status


def plan_response(
    viewer: Viewer, *, here: str, calendar: str, status: int = 200, error: str | None = None
) -> Any:
    """The plan page for ``viewer`` (also the facilitators', with their own forms)."""
    try:
        page = aftercare.plan_page(plandag().db, viewer)
    except DomainError as exc:
        return refused_page(exc, 404 if exc.code == "aftercare.not_sealed" else 403)
    use_meeting_language(page["language"])
    response = Response(
        render_template(
            "participant/plan.html", page=page, here=here, calendar=calendar, error=error
        ),
        status=status,
    )
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _calendar_titles(language: str) -> dict[str, str]:
    with force_locale(language):
        return {
            "reconvene": gettext("Reconvene: {title}"),
            "evaluation": gettext("Evaluation: {title}"),
        }


def calendar_response(viewer: Viewer, page_url: str) -> Any:
    try:
        data = aftercare.calendar(plandag().db, viewer, page_url, _calendar_titles)
    except DomainError as exc:
        return refused_page(exc, 404)
    response = Response(data, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'attachment; filename="plan.ics"'
    return response

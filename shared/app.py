"""The app factory. Extensions live at module level and attach in ``create_app``."""

from __future__ import annotations

import logging
import re
import secrets
from datetime import timedelta
from typing import Any

from flask import Flask, jsonify, render_template, request
from flask_babel import format_date, format_datetime
from sqlalchemy import text
from werkzeug.exceptions import HTTPException

from shared.config import REPO_ROOT, Settings
from shared.core.db import Database
from shared.core.limits import Limiter, offload
from shared.deployment import fingerprint
from shared.extensions import babel, socketio
from shared.i18n import (
    AWAITING_REVIEW,
    TEMPLATE_LABELS,
    client_strings,
    language_name,
    language_names,
    phase_label,
    remember_locale,
    select_locale,
    text_direction,
)
from shared.plandoc.blocks import parse_date, parse_instant
from shared.realtime.guard import GuardedPacket, QuietSocketErrors, fast_unmasking
from shared.realtime.guard import install as install_guard
from shared.realtime.hub import Hub
from shared.realtime.marks import Coordinator, LocalMarks, RedisMarks
from shared.realtime.presence import register_worker
from shared.web import (
    Plandag,
    ProxyHeaders,
    SocketSessions,
    csrf_token,
    current_user,
    plandag,
    protect_forms,
)

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env()
    app = Flask(
        __name__,
        template_folder=str(REPO_ROOT / "templates"),
        static_folder=str(REPO_ROOT / "static"),
        static_url_path="/static",
    )
    app.config.update(
        SECRET_KEY=settings.ensure_secret_key(),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(days=14),
        MAX_CONTENT_LENGTH=256 * 1024,
        BABEL_DEFAULT_LOCALE="nl",
        BABEL_TRANSLATION_DIRECTORIES=str(REPO_ROOT / "shared" / "translations"),
        SEND_FILE_MAX_AGE_DEFAULT=3600,
        TESTING=settings.testing,
    )
    app.session_interface = SocketSessions()
    db = Database(settings.database_url)
    socketio.init_app(
        app,
        # Explicit: Flask-SocketIO would otherwise pick eventlet merely for being installed.
        async_mode=settings.async_mode,
        message_queue=settings.redis_url,
        max_http_buffer_size=settings.max_message_bytes,
        ping_interval=settings.ping_interval,
        ping_timeout=settings.ping_timeout,
        manage_session=False,
        # Decode only what Plandag's clients send (no binary packets, bounded JSON).
        serializer=GuardedPacket,
    )
    # Refused packets close their connection with one log line (see socket_guard), and
    # reading a websocket frame costs the event loop milliseconds, not a busy loop.
    fast_unmasking(settings.async_mode)
    guard = install_guard(
        socketio.server, rate=3 * settings.intent_rate, burst=9 * settings.intent_rate
    )
    # Outermost: X-Forwarded-* from configured proxies only, for pages and sockets alike.
    app.wsgi_app = ProxyHeaders(  # type: ignore[method-assign]
        QuietSocketErrors(app.wsgi_app, guard), settings.proxy_trust()
    )
    worker_id = secrets.token_hex(8)
    hub = Hub(
        db=db,
        emit=socketio.emit,
        disconnect=lambda sid: socketio.server.disconnect(sid, namespace="/"),
        spawn=socketio.start_background_task,
        sleep=socketio.sleep,
        base_url=settings.base_url,
        coalesce_ms=settings.coalesce_ms,
        marks=_marks(settings, worker_id),
    )
    app.extensions["plandag"] = Plandag(
        settings=settings,
        db=db,
        hub=hub,
        worker_id=worker_id,
        joins=Limiter(settings.join_limit),
        guesses=Limiter(settings.guess_limit),
        logins=Limiter(settings.login_limit, window=600),
        offload=offload(settings.async_mode),
    )
    # Times on pages are Dutch local time, like the plan document's.
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Europe/Amsterdam")
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters["day"] = _day
    app.jinja_env.filters["moment"] = _moment
    # dates and times as records keep them (ISO text), for the filters above
    app.jinja_env.filters["isoday"] = parse_date
    app.jinja_env.filters["isomoment"] = parse_instant

    # Importing the event modules registers their Socket.IO handlers (once per process).
    import facilitator.events  # noqa: F401
    import participant.events  # noqa: F401
    from facilitator.aftercare import bp as aftercare_bp
    from facilitator.pages import bp as facilitator_bp
    from facilitator.preparation import bp as preparation_bp
    from participant.pages import bp as participant_bp
    from participant.plan import bp as plan_bp
    from participant.preparation import bp as invited_bp

    app.register_blueprint(facilitator_bp)
    app.register_blueprint(preparation_bp)
    app.register_blueprint(participant_bp)
    app.register_blueprint(invited_bp)
    app.register_blueprint(plan_bp)
    app.register_blueprint(aftercare_bp)

    protect_forms(app)  # CSRF, once, for every form post
    app.after_request(remember_locale)
    app.after_request(_security_headers)
    app.context_processor(_template_globals)
    app.add_url_rule("/healthz", "healthz", _healthz)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)
    try:
        for change in register_worker(
            db,
            worker_id,
            only_worker=db.engine.dialect.name == "sqlite",
            beat=settings.heartbeat_seconds,
            fingerprint=fingerprint(settings),
        ):
            hub.changed(change)
    except Exception:  # the database is not migrated yet: /healthz says so
        log.warning("could not register this worker; run `plandag db upgrade`")
    return app


def _marks(settings: Settings, worker_id: str) -> Coordinator:
    """Several workers share their meetings' marks through Redis (one flusher per
    meeting); one process keeps them in memory."""
    if not settings.redis_url:
        return LocalMarks()
    import redis

    # A bounded pool that waits for a free connection: a burst of a thousand answers
    # must queue for Redis, not fail on it.
    pool = redis.BlockingConnectionPool.from_url(settings.redis_url, max_connections=32, timeout=20)
    return RedisMarks(redis.Redis(connection_pool=pool), worker_id)


def _day(value: Any) -> str:
    """A date on a page, written out in the page's language ("3 december 2026")."""
    return format_date(value, "long") if value else ""


def _moment(value: Any) -> str:
    """A time on a page, in Dutch local time ("3 dec 2026 18:05")."""
    return format_datetime(value, "d MMM yyyy HH:mm") if value else ""


def _template_globals() -> dict[str, Any]:
    return {
        "csrf_token": csrf_token,
        "current_user": current_user,
        "client_strings": client_strings,
        "phase_label": phase_label,
        "template_labels": TEMPLATE_LABELS,
        "lang": select_locale(),
        "language_names": language_names,
        "language_name": language_name,
        "text_direction": text_direction,
        "awaiting_review": AWAITING_REVIEW,
        # a write id for a page form: a double-clicked or repeated post counts once
        "form_id": lambda: secrets.token_urlsafe(12),
    }


#: a Host header fit to repeat in the CSP (anything else gets only 'self')
SAFE_HOST = re.compile(r"^[A-Za-z0-9.-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$")


def _security_headers(response: Any) -> Any:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    # Sockets reach this host only: 'self' covers ws/wss of the same host in current
    # browsers; older ones need it spelled out.
    host = request.host if SAFE_HOST.match(request.host) else ""
    sockets = f" {'wss' if request.is_secure else 'ws'}://{host}" if host else ""
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        f"connect-src 'self'{sockets}; form-action 'self'; frame-ancestors 'none'; "
        "base-uri 'none'",
    )
    # Pages and answers are made per person and often hold a secret (the beamer key on
    # the console and beamer, a device's page, a set-up link): never stored by a
    # browser or proxy. Static files and the QR code set their own caching.
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _healthz() -> Any:
    app = plandag()
    try:
        with app.db.read() as session:
            session.execute(text("SELECT 1"))
            revision = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
        status = {"status": "ok", "revision": revision}
        code = 200
    except Exception as exc:
        status = {"status": "error", "error": type(exc).__name__}
        code = 503
    return jsonify(
        {
            "ok": code == 200,
            "database": {**status, "backend": app.db.engine.dialect.name},
            "async_mode": socketio.async_mode,
            "worker": app.worker_id,
        }
    ), code


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _http_error(error: HTTPException) -> Any:
    if _wants_json():
        return jsonify(
            {"ok": False, "error": {"code": f"http.{error.code}", "message": error.name}}
        ), error.code
    return render_template("error.html", code=error.code, name=error.name), error.code or 500


def _unexpected_error(error: Exception) -> Any:
    # Never show a traceback to a person in the room.
    log.exception("unhandled error on %s", request.path)
    if _wants_json():
        return jsonify({"ok": False, "error": {"code": "server.error", "message": "error"}}), 500
    return render_template("error.html", code=500, name="Server error"), 500

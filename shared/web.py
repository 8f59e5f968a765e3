"""HTTP helpers shared by both audiences: the app's services, login, CSRF, errors."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar, cast

from flask import abort, current_app, g, jsonify, redirect, request, session, url_for

from .config import Settings
from .db import Database
from .domain.errors import DomainError
from .i18n import localize_error
from .limits import Limiter
from .models import User
from .services import get_user

if TYPE_CHECKING:
    from .realtime import Hub

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Plandag:
    """The app's own services, reachable as ``plandag()`` in views and handlers."""

    settings: Settings
    db: Database
    hub: Hub
    worker_id: str
    #: per client address: new participants, and wrong guesses (logins, join codes)
    joins: Limiter
    guesses: Limiter
    #: runs blocking C work (password hashes) off the event loop
    offload: Callable[..., Any]


def plandag() -> Plandag:
    return cast(Plandag, current_app.extensions["plandag"])


def current_user() -> User | None:
    if "user" not in g:
        uid = session.get("uid")
        g.user = get_user(plandag().db, uid) if isinstance(uid, int) else None
    return cast(User | None, g.user)


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


def check_csrf() -> None:
    sent = request.form.get("csrf") or request.headers.get("X-CSRF-Token", "")
    if not secrets.compare_digest(str(sent), csrf_token()):
        abort(400, description="csrf")


def client_address() -> str:
    return request.remote_addr or "unknown"


def api_error(error: DomainError, status: int = 422) -> tuple[Any, int]:
    return jsonify({"ok": False, "error": localize_error(error)}), status

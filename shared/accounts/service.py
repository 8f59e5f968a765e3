"""Facilitator accounts: creating them, logging in, the first-run link, sessions that end
when their owner says so.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from datetime import timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from shared.core.db import Database
from shared.core.intents import sha256
from shared.core.models import (
    LoginToken,
    User,
    utcnow,
)
from shared.domain.errors import DomainError

PASSWORD_MIN = 10


EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


LOGIN_LINK_TTL = timedelta(hours=24)


def user_count(db: Database) -> int:
    with db.read() as session:
        return session.scalar(select(func.count(User.id))) or 0


def validate_new_user(email: str, name: str, password: str) -> tuple[str, str]:
    email = email.strip().lower()
    if not EMAIL_RE.match(email) or len(email) > 254:
        raise DomainError("user.email_invalid")
    name = name.strip()
    if not 1 <= len(name) <= 120:
        raise DomainError("user.name_invalid")
    if len(password) < PASSWORD_MIN:
        raise DomainError("user.password_too_short", min=PASSWORD_MIN)
    return email, name


def add_user(db: Database, email: str, name: str, password: str) -> User:
    email, name = validate_new_user(email, name, password)
    # Hashed first, and written without a read before it: on SQLite a transaction that
    # read and then writes fails at once if the running server wrote meanwhile (its
    # heartbeat does, every few seconds), while one that starts by writing waits its turn.
    password_hash = generate_password_hash(password)
    try:
        with db.transaction() as session:
            user = User(email=email, name=name, password_hash=password_hash)
            session.add(user)
    except IntegrityError:
        raise DomainError("user.email_taken") from None
    return user


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return generate_password_hash("plandag timing equaliser")


def authenticate(
    db: Database,
    email: str,
    password: str,
    run: Callable[..., Any] = lambda fn, *args: fn(*args),
) -> User:
    """Check a login. ``run`` carries the password hash (about 0.1 s of CPU) off the
    event loop, so logging in does not freeze every phone in the room."""
    with db.read() as session:
        user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.password_hash:
        # Same work either way, so timing does not reveal which e-mail addresses exist.
        run(check_password_hash, _dummy_hash(), password)
        raise DomainError("auth.login_failed")
    if not run(check_password_hash, user.password_hash, password):
        raise DomainError("auth.login_failed")
    return user


def get_user(db: Database, user_id: int) -> User | None:
    with db.read() as session:
        return session.get(User, user_id)


def end_sessions(db: Database, user_id: int) -> int:
    """Every session of this facilitator ends: its cookies (copies too) are refused from
    now on. Returns the new epoch, for a session that should carry on."""
    with db.transaction() as session:
        user = session.get(User, user_id)
        if user is None:
            return 0
        user.session_epoch += 1
        return user.session_epoch


def change_password(
    db: Database,
    user_id: int,
    current: str,
    new: str,
    run: Callable[..., Any] = lambda fn, *args: fn(*args),
) -> int:
    """Set a new password after checking the current one; every session ends (the
    caller's own carries on with the returned epoch)."""
    if len(new) < PASSWORD_MIN:
        raise DomainError("user.password_too_short", min=PASSWORD_MIN)
    user = get_user(db, user_id)
    if user is None or not user.password_hash:
        raise DomainError("auth.required")
    if not run(check_password_hash, user.password_hash, current):
        raise DomainError("auth.password_wrong")
    hashed = run(generate_password_hash, new)
    with db.transaction() as session:
        row = session.get(User, user_id)
        assert row is not None
        row.password_hash = hashed
        row.session_epoch += 1
        return row.session_epoch


def issue_first_account_link(db: Database, *, keep_earlier: bool = False) -> str | None:
    """A one-time link that creates the first facilitator account, while there is none.
    Earlier unused links stop working (only the newest printed one counts), unless
    ``keep_earlier``: other workers are running, and each printed its own."""
    token = secrets.token_urlsafe(32)
    with db.transaction() as session:
        if session.scalar(select(func.count(User.id))):
            return None
        if not keep_earlier:
            session.execute(delete(LoginToken).where(LoginToken.user_id.is_(None)))
        session.add(
            LoginToken(token_hash=sha256(token), user_id=None, expires_at=utcnow() + LOGIN_LINK_TTL)
        )
    return token


def check_setup_token(db: Database, token: str) -> None:
    with db.read() as session:
        row = session.scalar(select(LoginToken).where(LoginToken.token_hash == sha256(token)))
        if row is None or row.used_at is not None or row.expires_at < utcnow():
            raise DomainError("auth.link_invalid")
        if row.user_id is None and session.scalar(select(func.count(User.id))):
            raise DomainError("auth.link_invalid")


def redeem_setup_token(db: Database, token: str, email: str, name: str, password: str) -> User:
    email, name = validate_new_user(email, name, password)
    with db.transaction() as session:
        row = session.scalar(
            select(LoginToken).where(LoginToken.token_hash == sha256(token)).with_for_update()
        )
        if row is None or row.used_at is not None or row.expires_at < utcnow():
            raise DomainError("auth.link_invalid")
        if session.scalar(select(func.count(User.id))):
            raise DomainError("auth.link_invalid")
        row.used_at = utcnow()
        user = User(email=email, name=name, password_hash=generate_password_hash(password))
        session.add(user)
    return user

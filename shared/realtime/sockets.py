"""Socket.IO plumbing both audiences use: who is on a socket, and the one decorator
every client intent goes through (authorise per event, validate, map errors, ack)."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import request
from flask_socketio import ConnectionRefusedError, emit, join_room

from shared.core.intents import Change
from shared.core.limits import TokenBucket
from shared.domain.errors import DomainError
from shared.extensions import socketio
from shared.i18n import LANGUAGES, localize_error
from shared.realtime.hub import personal_room, room
from shared.realtime.presence import connect, disconnect
from shared.web import guess_budget_spent, plandag, spend_guess

log = logging.getLogger(__name__)

CLIENT_ID = re.compile(r"^[A-Za-z0-9_.:-]{6,64}$")
#: intents a socket may send per second, sustained, and as a burst (defaults; the
#: rate is PLANDAG_INTENT_RATE, the burst three times it)
RATE, BURST = 10.0, 30.0
#: audiences whose credentials are a code or key a stranger could guess; a refused
#: connect spends the address's guess budget, as an unknown code on /j/<code> does
GUESSABLE = frozenset({"phone", "beamer"})
WRONG_GUESSES = frozenset({"auth.not_joined", "join.code_unknown", "auth.beamer_key_invalid"})


@dataclass
class Principal:
    """Who is on a socket, fixed when it connects."""

    audience: str  # console | beamer | phone
    meeting_id: str
    lang: str = "nl"
    user_id: int | None = None
    participant_id: int | None = None
    #: every event this socket sends takes one token: intents, snapshots, unknown ones
    bucket: TokenBucket = field(default_factory=lambda: TokenBucket(RATE, BURST))

    @property
    def actor(self) -> str:
        return f"u:{self.user_id}" if self.user_id is not None else f"p:{self.participant_id}"

    def take_token(self) -> bool:
        return self.bucket.take()


#: sid -> principal. A cache of what the connect handler established: a reconnect
#: authenticates again, so nothing is lost when a worker restarts.
PRINCIPALS: dict[str, Principal] = {}

Authenticator = Callable[[dict[str, Any]], Principal]
AUTHENTICATORS: dict[str, Authenticator] = {}
Snapshotter = Callable[[Principal], dict[str, Any]]
SNAPSHOTS: dict[str, Snapshotter] = {}
#: every registered intent and the audiences that may send it (docs and the fuzz test)
INTENTS: dict[str, tuple[str, ...]] = {}


def authenticator(audience: str, snapshot: Snapshotter) -> Callable[[Authenticator], Authenticator]:
    def register(fn: Authenticator) -> Authenticator:
        AUTHENTICATORS[audience] = fn
        SNAPSHOTS[audience] = snapshot
        return fn

    return register


class Payload:
    """A validated view of an intent's payload; every accessor raises payload.invalid."""

    def __init__(self, data: object, max_bytes: int) -> None:
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise DomainError("payload.invalid", detail="expected an object")
        try:
            size = len(json.dumps(data, ensure_ascii=False).encode())
        except (TypeError, ValueError):
            raise DomainError("payload.invalid", detail="not JSON") from None
        if size > max_bytes:
            raise DomainError("payload.too_large", max=max_bytes)
        self.data: dict[str, Any] = data

    def text(self, name: str, *, required: bool = True) -> str | None:
        """A text field. Its length is the domain's to judge (each limit lives once, in
        ``shared.domain``, with a message that names it); the payload's size limit has
        already bounded what this can cost."""
        value = self.data.get(name)
        if value is None and not required:
            return None
        if not isinstance(value, str):
            raise DomainError("payload.invalid", detail=f"'{name}' must be text")
        return value

    def integer(self, name: str, *, lo: int = 0, hi: int = 2**31) -> int:
        """A required whole number (ids are parsed here, once: services take ``int``)."""
        value = self.optional_integer(name, lo=lo, hi=hi)
        if value is None:
            raise DomainError("payload.invalid", detail=f"'{name}' must be a whole number")
        return value

    def optional_integer(self, name: str, *, lo: int = 0, hi: int = 2**31) -> int | None:
        value = self.data.get(name)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
            raise DomainError("payload.invalid", detail=f"'{name}' must be a whole number")
        return value

    def flag(self, name: str) -> bool:
        value = self.data.get(name, False)
        if not isinstance(value, bool):
            raise DomainError("payload.invalid", detail=f"'{name}' must be true or false")
        return value

    def fields(self, *names: str) -> dict[str, object]:
        """Several optional text fields at once (validated further by the domain)."""
        return {name: self.text(name, required=False) for name in names}

    def client_id(self) -> str:
        value = self.data.get("client_id")
        if not isinstance(value, str) or not CLIENT_ID.match(value):
            raise DomainError(
                "payload.invalid", detail="'client_id' must be 6 to 64 letters, digits or -_.:"
            )
        return value


Ack = dict[str, Any]
IntentFn = Callable[[Principal, Payload], tuple[dict[str, Any], Change | None]]
#: per intent, per audience: its handler and its payload limit (None: the default)
HANDLERS: dict[str, dict[str, tuple[IntentFn, int | None]]] = {}


def error_ack(error: DomainError, principal: Principal | None) -> Ack:
    return {"ok": False, "error": localize_error(error, principal.lang if principal else None)}


def intent(
    event: str, *audiences: str, max_bytes: int | None = None
) -> Callable[[IntentFn], IntentFn]:
    """Register a client intent for the audiences that may send it. Each audience registers
    its own (``facilitator/events.py`` the console's and beamer's, ``participant/events.py``
    the phone's); two audiences may each register the same event with their own handler.
    The handler gets a checked principal and payload and returns (result, change); the
    change is handed to the hub after the commit and only broadcast after this ack is on
    its way."""

    def register(fn: IntentFn) -> IntentFn:
        table = HANDLERS.get(event)
        if table is None:
            table = HANDLERS[event] = {}
            socketio.on_event(event, _dispatcher(event, table))
        for audience in audiences:
            if audience in table:
                raise RuntimeError(f"intent {event!r} is registered twice for {audience!r}")
            table[audience] = (fn, max_bytes)
        INTENTS[event] = tuple(table)
        return fn

    return register


def _dispatcher(event: str, table: dict[str, tuple[IntentFn, int | None]]) -> Callable[..., Ack]:
    def handler(data: object = None, *_extra: object) -> Ack:
        principal = PRINCIPALS.get(request.sid)  # type: ignore[attr-defined]
        app = plandag()
        try:
            if principal is None:
                raise DomainError("auth.required")
            entry = table.get(principal.audience)
            if entry is None:
                raise DomainError("auth.forbidden")
            fn, max_bytes = entry
            if not principal.take_token():
                raise DomainError("rate.limited")
            payload = Payload(data, max_bytes or app.settings.max_payload_bytes)
            other = payload.data.get("meeting_id")
            if other is not None and other != principal.meeting_id:
                raise DomainError("auth.other_meeting")
            result, change = fn(principal, payload)
        except DomainError as error:
            return error_ack(error, principal)
        except Exception:
            log.exception("intent %s failed", event)
            return error_ack(DomainError("server.error"), principal)
        try:
            app.hub.changed(change)
        except Exception:  # committed: the writer hears so, whatever the broadcast does
            log.exception("the change of intent %s was not marked", event)
        return {"ok": True, **result}

    handler.__name__ = f"on_{event.replace('.', '_')}"
    return handler


@socketio.on("connect")
def on_connect(auth: object = None) -> None:
    auth = auth if isinstance(auth, dict) else {}
    audience = auth.get("audience")
    #: the language the page speaks ("" when it did not say): refusals speak it, and a
    #: phone's is recorded for the console
    lang = str(auth["lang"]) if auth.get("lang") in LANGUAGES else ""
    sid: str = request.sid  # type: ignore[attr-defined]
    app = plandag()
    recorded = False
    try:
        if audience not in AUTHENTICATORS:
            raise DomainError("auth.required")
        guessable = audience in GUESSABLE
        if guessable and guess_budget_spent():
            raise DomainError("rate.limited")
        try:
            principal = AUTHENTICATORS[audience](auth)
        except DomainError as refused:
            if guessable and refused.code in WRONG_GUESSES:
                spend_guess()
            raise
        principal.lang = lang
        principal.bucket = TokenBucket(app.settings.intent_rate, 3 * app.settings.intent_rate)
        PRINCIPALS[sid] = principal
        join_room(room(principal.meeting_id, principal.audience))
        if principal.participant_id is not None:
            join_room(personal_room(principal.participant_id))
        change = _record(app, sid, principal)
        recorded = True
        snap = SNAPSHOTS[principal.audience](principal)
    except Exception as exc:
        # Refuse with {message, data: {code, message}} in the client's connect_error, so
        # the screen can say why instead of waiting forever; leave no ghost behind.
        PRINCIPALS.pop(sid, None)
        if recorded:
            app.hub.changed(disconnect(app.db, sid, principal.meeting_id))
        error = exc if isinstance(exc, DomainError) else DomainError("server.error")
        if not isinstance(exc, DomainError):
            log.exception("connect failed")
        refusal = localize_error(error, lang)
        raise ConnectionRefusedError(refusal["message"], refusal) from None
    app.hub.changed(change)
    emit("snapshot", snap)


@socketio.on("disconnect")
def on_disconnect(*_args: object) -> None:
    sid: str = request.sid  # type: ignore[attr-defined]
    principal = PRINCIPALS.pop(sid, None)
    app = plandag()
    app.hub.changed(disconnect(app.db, sid, principal.meeting_id if principal else None))


@socketio.on("state.snapshot")
def on_snapshot(*_args: object) -> Ack:
    principal = PRINCIPALS.get(request.sid)  # type: ignore[attr-defined]
    if principal is None:
        return error_ack(DomainError("auth.required"), None)
    try:
        if not principal.take_token():
            raise DomainError("rate.limited")
        return {"ok": True, "snapshot": SNAPSHOTS[principal.audience](principal)}
    except DomainError as error:
        return error_ack(error, principal)
    except Exception:
        log.exception("snapshot failed")
        return error_ack(DomainError("server.error"), principal)


@socketio.on("*")
def on_unknown(event: str, *_args: object) -> Ack:
    principal = PRINCIPALS.get(request.sid)  # type: ignore[attr-defined]
    if principal is not None and not principal.take_token():
        return error_ack(DomainError("rate.limited"), principal)
    return error_ack(DomainError("event.unknown", event=str(event)[:60]), principal)


def record_live_sockets(app: Any) -> list[Change]:
    """This worker's open sockets, recorded again (its rows were cleared while it
    stalled): one presence change per socket, committed in batches."""
    changes = []
    for sid, principal in list(PRINCIPALS.items()):
        try:
            changes.append(_record(app, sid, principal))
        except Exception:  # recorded meanwhile (it connected after the sweep), or gone
            log.info("socket %s not recorded again", sid)
    return changes


def _record(app: Any, sid: str, principal: Principal) -> Change:
    """This worker's socket ``sid`` in the presence rows."""
    return connect(
        app.db,
        sid=sid,
        meeting_id=principal.meeting_id,
        audience=principal.audience,
        worker_id=app.worker_id,
        participant_id=principal.participant_id,
        user_id=principal.user_id,
        language=principal.lang if principal.audience == "phone" else "",
    )

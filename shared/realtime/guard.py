"""The socket layer's door: every Socket.IO packet is checked here before it costs
anything, and a client that sends one Plandag never would is closed.

Plandag's clients only ever send small JSON text packets: a namespace CONNECT with
their ``auth``, EVENTs (intents) with an ack id, and DISCONNECT. Anything else is a
broken or hostile client:

- binary packets (Socket.IO BINARY_EVENT / BINARY_ACK headers, or binary websocket
  frames): refused *before* python-socketio starts buffering attachments;
- malformed packets (broken JSON, JSON nested deeper than any intent, integers of
  more than 100 digits, NaN, an EVENT whose first element is no event name, another
  namespace): refused with one log line for the socket, not a traceback per packet;
- too many packets or namespace CONNECTs on one connection: closed.

How it hooks in (python-socketio 5 / python-engineio 4, any async mode): the Socket.IO
server decodes with ``GuardedPacket`` (its documented ``serializer`` option), which
raises ``PacketRefused`` for anything above; and ``SocketGuard`` takes the place of the
server's Engine.IO ``message`` handler (``eio.on("message", ...)``, the same call
python-socketio makes itself) to count packets, turn a refusal into one log line and
close the connection. python-engineio calls that handler synchronously in the
connection's reader, so a refusal happens before the next frame is read. Both are plain
synchronous code, so gevent and eventlet behave the same; where they differ (eventlet
keeps reading a closed websocket, gevent's server prints a traceback for a frame
python-engineio cannot parse) ``SocketGuard._hang_up`` and ``QuietSocketErrors`` even it
out, and ``fast_unmasking`` makes reading a frame cheap in both. Intent-level limits
(``rate.limited`` acks) stay in ``shared.realtime.sockets``.

Why not a subclass of ``socketio.Server``: Flask-SocketIO builds the server itself, so a
subclass would mean replacing Flask-SocketIO's construction; the serializer option and
the message handler are the two seams python-socketio offers for exactly this.
"""

from __future__ import annotations

import json
import logging
import re
import socket
from typing import Any
from urllib.parse import parse_qs

import socketio
from socketio import packet as sio_packet

from shared.core.limits import TokenBucket

log = logging.getLogger(__name__)

#: deeper than any intent payload Plandag defines (they are at most 3 deep)
MAX_DEPTH = 16
#: values in one packet (a signature image is one long string; a shortlist a few ids)
MAX_VALUES = 5_000
#: digits in one integer (python-engineio's own bound; a 5,000-digit number is refused)
MAX_INT_DIGITS = 100
#: namespace CONNECT packets on one Engine.IO connection (a browser sends one, and one
#: more after joining; each refused phone connect also spends the guess budget)
MAX_CONNECTS = 8
EVENT_NAME = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
#: names the Socket.IO protocol reserves; a client cannot emit them
RESERVED_EVENTS = frozenset(
    {"connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"}
)
#: packet types a client may send: CONNECT, DISCONNECT, EVENT, ACK
CLIENT_TYPES = frozenset("0123")
#: environ key naming one HTTP request (a websocket connection) across environ copies
CONNECTION_MARK = "plandag.connection"


class PacketRefused(ValueError):
    """A packet Plandag's clients never send; ``reason`` goes to the log, never the
    packet's contents."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_INT_DIGITS:
        raise PacketRefused("number too long")
    return int(digits)


def _constant(name: str) -> Any:
    raise PacketRefused(f"not JSON ({name[:10]})")


def check_shape(value: Any) -> None:
    """Bounded depth and number of values, walked without recursion."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    seen = 0
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        if depth > MAX_DEPTH:
            raise PacketRefused("nested too deep")
        seen += len(children)
        if seen > MAX_VALUES:
            raise PacketRefused("too many values")
        stack.extend((c, depth + 1) for c in children if isinstance(c, dict | list))


class StrictJSON:
    """The JSON the guarded packets decode with: standard JSON only, bounded."""

    dumps = staticmethod(json.dumps)

    @staticmethod
    def loads(text: str | bytes, **_kwargs: Any) -> Any:
        try:
            value = json.loads(text, parse_int=_int, parse_constant=_constant)
        except PacketRefused:
            raise
        except RecursionError:
            raise PacketRefused("nested too deep") from None
        except ValueError:
            raise PacketRefused("broken JSON") from None
        if isinstance(value, dict | list):
            check_shape(value)
        return value


class GuardedPacket(sio_packet.Packet):  # type: ignore[misc]
    """Socket.IO's packet, decoding only what Plandag's clients send."""

    json = StrictJSON

    def decode(self, encoded_packet: Any) -> int:
        if isinstance(encoded_packet, bytes | bytearray):
            raise PacketRefused("binary frame")
        if not isinstance(encoded_packet, str):  # Engine.IO parsed it as JSON already
            raise PacketRefused("malformed packet")
        kind = encoded_packet[:1]
        if kind not in CLIENT_TYPES:
            raise PacketRefused("binary packet" if kind in ("5", "6") else "unknown packet type")
        try:
            attachments = super().decode(encoded_packet)
        except PacketRefused:
            raise
        except (ValueError, TypeError, IndexError, RecursionError):
            raise PacketRefused("malformed packet") from None
        if attachments:
            raise PacketRefused("binary packet")
        if self.namespace not in (None, "/"):
            raise PacketRefused("unknown namespace")
        data = self.data
        if self.packet_type == sio_packet.EVENT:
            if not isinstance(data, list) or not data or not isinstance(data[0], str):
                raise PacketRefused("event without a name")
            if not EVENT_NAME.match(data[0]) or data[0] in RESERVED_EVENTS:
                raise PacketRefused("event name not allowed")
        elif self.packet_type == sio_packet.ACK:
            if not isinstance(data, list):
                raise PacketRefused("malformed ack")
        elif self.packet_type == sio_packet.CONNECT:
            if data is not None and not isinstance(data, dict):
                raise PacketRefused("malformed connect")
        elif data is not None:  # DISCONNECT carries nothing
            raise PacketRefused("malformed disconnect")
        return 0


class SocketGuard:
    """Counts and vets the packets of every Engine.IO connection; closes a connection
    whose client misbehaves, logging one line for it."""

    def __init__(self, server: socketio.Server, *, rate: float, burst: float) -> None:
        self.server = server
        self.rate, self.burst = rate, burst
        self._dispatch = server._handle_eio_message
        self._disconnected = server._handle_eio_disconnect
        self._buckets: dict[str, TokenBucket] = {}
        #: Engine.IO sid -> environ of the websocket request it upgraded to (python-
        #: socketio keeps only the environ of the connection's first request)
        self.websockets: dict[str, dict[str, Any]] = {}
        self._connects: dict[str, int] = {}
        #: marks of requests whose connection was refused (and logged) here
        self.refused_marks: set[object] = set()
        #: connections closed here (a number, for tests and the log)
        self.closed = 0
        server.eio.on("message", self.on_message)
        server.eio.on("disconnect", self.on_disconnect)

    def on_message(self, eio_sid: str, data: Any) -> None:
        sock = self.server.eio.sockets.get(eio_sid)
        if sock is None or sock.closed or sock.closing:
            return  # frames still arriving on a connection closed here: dropped unread
        try:
            bucket = self._buckets.get(eio_sid)
            if bucket is None:
                bucket = self._buckets[eio_sid] = TokenBucket(self.rate, self.burst)
            if not bucket.take():
                raise PacketRefused("too many packets")
            if isinstance(data, str) and data[:1] == "0":
                connects = self._connects[eio_sid] = self._connects.get(eio_sid, 0) + 1
                if connects > MAX_CONNECTS:
                    raise PacketRefused("too many namespace connects")
            self._dispatch(eio_sid, data)
        except PacketRefused as refused:
            self.refuse(eio_sid, refused.reason)
        except Exception as exc:
            # A packet that passed the checks and still broke python-socketio: one line,
            # no traceback (the packet may be an attacker's), and the connection goes.
            self.refuse(eio_sid, f"unexpected {type(exc).__name__}: {str(exc)[:120]!r}")

    def on_disconnect(self, eio_sid: str, reason: Any = None) -> None:
        self._buckets.pop(eio_sid, None)
        self._connects.pop(eio_sid, None)
        self._disconnected(eio_sid, reason)

    def close_broken(self, environ: dict[str, Any]) -> None:
        """The connection of this request died inside python-engineio: close its
        Engine.IO socket now (its Socket.IO disconnect runs) instead of waiting for the
        ping timeout."""
        mark = environ.get(CONNECTION_MARK)
        sids = [sid for sid, known in self.websockets.items() if known is environ]
        sids += [
            sid
            for sid, known in list(self.server.environ.items())
            if mark is not None and known.get(CONNECTION_MARK) is mark
        ]
        for eio_sid in sids:
            sock = self.server.eio.sockets.pop(eio_sid, None)
            if sock is not None:
                sock.close(wait=False, abort=True)

    def refuse(self, eio_sid: str, reason: str) -> None:
        environ = self.server.environ.get(eio_sid) or {}
        log.warning(
            "closed a socket from %s: %s", environ.get("REMOTE_ADDR", "an unknown address"), reason
        )
        self.closed += 1
        # (python-socketio forgets the environ when the socket closes: take it first)
        websocket = self.websockets.get(eio_sid) or environ
        # Whatever else breaks on this connection was said in this line.
        self.refused_marks.update(
            e[CONNECTION_MARK] for e in (environ, websocket) if CONNECTION_MARK in e
        )
        sock = self.server.eio.sockets.get(eio_sid)
        if sock is not None:
            # Without waiting for the queue to drain: this runs in the connection's own
            # reader, and a client that floods without reading would hold it.
            sock.close(wait=False, reason=self.server.eio.reason.SERVER_DISCONNECT)
        self._hang_up(websocket)

    def _hang_up(self, environ: dict[str, Any]) -> None:
        """End the TCP connection of a refused websocket too. gevent-websocket does so
        when python-engineio closes the socket; eventlet's websocket keeps reading (and
        the client keeps sending megabyte frames) until the peer goes. Only websocket
        requests: a polling request's connection may be a proxy's, shared by others."""
        if str(environ.get("HTTP_UPGRADE", "")).lower() != "websocket":
            return
        connection = environ.get("eventlet.input")
        if connection is None:
            return
        try:
            connection.get_socket().shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class QuietSocketErrors:
    """WSGI middleware for the Socket.IO path. An Engine.IO frame python-engineio cannot
    even parse (``x``, an empty frame, JSON nested 100,000 deep) ends that connection
    inside python-engineio; under gevent the exception would reach the WSGI server,
    which writes a traceback. Here it becomes the same one log line."""

    def __init__(self, app: Any, guard: SocketGuard, path: str = "/socket.io") -> None:
        self.app, self.guard, self.path = app, guard, path

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if not str(environ.get("PATH_INFO", "")).startswith(self.path):
            return self.app(environ, start_response)
        # Flask-SocketIO hands python-engineio a copy of the environ: a mark finds it.
        environ[CONNECTION_MARK] = object()
        upgrade = None
        if str(environ.get("HTTP_UPGRADE", "")).lower() == "websocket":
            upgrade = parse_qs(str(environ.get("QUERY_STRING", ""))).get("sid", [None])[0]
        if upgrade:
            self.guard.websockets[upgrade] = environ
        try:
            return self._call(environ, start_response)
        finally:
            self.guard.refused_marks.discard(environ[CONNECTION_MARK])
            if upgrade and self.guard.websockets.get(upgrade) is environ:
                del self.guard.websockets[upgrade]

    def _call(self, environ: dict[str, Any], start_response: Any) -> Any:
        started = False

        def start(status: str, headers: Any, exc_info: Any = None) -> Any:
            nonlocal started
            started = True
            return start_response(status, headers, exc_info)

        try:
            return self.app(environ, start)
        except Exception as exc:
            if environ[CONNECTION_MARK] not in self.guard.refused_marks:
                log.warning(
                    "closed a socket from %s: unreadable frame (%s)",
                    environ.get("REMOTE_ADDR", "an unknown address"),
                    type(exc).__name__,
                )
            self.guard.close_broken(environ)
            if "eventlet.input" in environ:
                # eventlet's server closes the connection on an exception, quietly (its
                # log is off); an answer would keep it open and read the client's next
                # frames as an HTTP request.
                raise
            if not started:
                start_response("400 BAD REQUEST", [("Content-Type", "text/plain")])
                return [b"bad request"]
            return []


def xor_mask(data: bytes | bytearray, mask: bytes | bytearray) -> bytes:
    """The websocket (un)masking of RFC 6455 section 5.3, as one big-integer XOR."""
    n = len(data)
    if n == 0:
        return b""
    key = (bytes(mask) * (n // 4 + 1))[:n]
    return (int.from_bytes(data, "little") ^ int.from_bytes(key, "little")).to_bytes(n, "little")


def fast_unmasking(async_mode: str) -> bool:
    """Every byte a client sends over a websocket is unmasked before anything can look
    at it. gevent-websocket and eventlet do that in a Python loop per byte: about 24 ms
    (gevent) and 125 ms (eventlet) of the event loop per 256 kB frame, paid before the
    guard can refuse it. The same XOR on whole integers takes about 2 ms. Replaced here,
    once per process, only where the function has the shape this was written for."""
    if async_mode == "gevent":
        try:
            from geventwebsocket.websocket import Header
        except ImportError:  # simple-websocket instead: its own (C-speed) unmasking
            return False
        if getattr(Header.mask_payload, "__name__", "") != "mask_payload":
            return False

        def mask_payload(self: Any, payload: bytes | bytearray) -> bytearray:
            return bytearray(xor_mask(bytes(payload[: self.length]), self.mask))

        mask_payload.__name__ = "fast_mask_payload"
        Header.mask_payload = Header.unmask_payload = mask_payload
        return True
    if async_mode == "eventlet":
        from eventlet.websocket import RFC6455WebSocket

        if getattr(RFC6455WebSocket._apply_mask, "__name__", "") != "_apply_mask":
            return False

        def apply_mask(
            data: bytes | bytearray, mask: Any, length: int | None = None, offset: int = 0
        ) -> bytes:
            length = len(data) if length is None else length
            key = bytes(mask[(offset + i) % 4] for i in range(4))
            return xor_mask(bytes(data[:length]), key)

        apply_mask.__name__ = "fast_apply_mask"
        RFC6455WebSocket._apply_mask = staticmethod(apply_mask)
        return True
    return False


def install(server: socketio.Server, *, rate: float, burst: float) -> SocketGuard:
    return SocketGuard(server, rate=rate, burst=burst)

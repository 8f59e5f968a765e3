"""The small guards, without a server: trusted proxies, the packet check, budgets that
only failures spend."""

from __future__ import annotations

from typing import Any

import pytest

from shared.config import Settings
from shared.core.limits import Limiter, TokenBucket
from shared.realtime.guard import GuardedPacket, PacketRefused
from shared.web import ProxyHeaders


def seen_by_app(trusted: str, peer: str, **headers: str) -> dict[str, Any]:
    """What the app behind ProxyHeaders sees of one request, and its Set-Cookie."""
    seen: dict[str, Any] = {}

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        seen.update(environ)
        start_response("200 OK", [("Set-Cookie", "session=x; HttpOnly; Path=/")])
        return [b""]

    sent: list[Any] = []
    environ = {
        "REMOTE_ADDR": peer,
        "wsgi.url_scheme": "http",
        "HTTP_HOST": "plandag.local",
        "SERVER_NAME": "plandag.local",
        "SERVER_PORT": "80",
        **{f"HTTP_{k.upper()}": v for k, v in headers.items()},
    }
    trust = Settings.from_env({"PLANDAG_TRUSTED_PROXIES": trusted}).proxy_trust()
    ProxyHeaders(app, trust)(environ, lambda status, h, exc=None: sent.extend(h))
    seen["set_cookie"] = dict(sent)["Set-Cookie"]
    return seen


def test_without_configured_proxies_forwarded_headers_are_removed():
    seen = seen_by_app(
        "",
        "203.0.113.9",
        x_forwarded_for="10.0.0.1",
        x_forwarded_proto="https",
        x_forwarded_host="evil.example",
        forwarded="for=10.0.0.2",
    )
    assert seen["REMOTE_ADDR"] == "203.0.113.9" and seen["wsgi.url_scheme"] == "http"
    assert not [k for k in seen if "FORWARDED" in k]
    assert "Secure" not in seen["set_cookie"]


def test_a_counted_proxy_gives_the_client_address_and_https():
    seen = seen_by_app("1", "127.0.0.1", x_forwarded_for="198.51.100.7", x_forwarded_proto="https")
    assert seen["REMOTE_ADDR"] == "198.51.100.7" and seen["wsgi.url_scheme"] == "https"
    assert seen["set_cookie"].endswith("; Secure")


def test_two_counted_proxies_take_the_address_the_outer_one_saw():
    seen = seen_by_app("2", "127.0.0.1", x_forwarded_for="6.6.6.6, 198.51.100.7, 10.0.0.5")
    assert seen["REMOTE_ADDR"] == "198.51.100.7"  # 6.6.6.6 is what the client claimed


def test_listed_proxies_are_believed_only_when_they_are_the_peer():
    trusted = "127.0.0.1, 10.0.0.0/8"
    assert seen_by_app(trusted, "127.0.0.1", x_forwarded_for="198.51.100.7")["REMOTE_ADDR"] == (
        "198.51.100.7"
    )
    stranger = seen_by_app(
        trusted, "198.51.100.7", x_forwarded_for="1.2.3.4", x_forwarded_proto="https"
    )
    assert stranger["REMOTE_ADDR"] == "198.51.100.7" and stranger["wsgi.url_scheme"] == "http"
    # A chain through two listed proxies: the first address that is no proxy is the client.
    chained = seen_by_app(trusted, "127.0.0.1", x_forwarded_for="6.6.6.6, 198.51.100.7, 10.1.2.3")
    assert chained["REMOTE_ADDR"] == "198.51.100.7"


@pytest.mark.parametrize("value", ["lots", "11", "10.0.0.0/33", "127.0.0.1, nope"])
def test_a_malformed_proxy_setting_is_refused_at_start(value: str):
    with pytest.raises(ValueError, match="PLANDAG_TRUSTED_PROXIES"):
        Settings.from_env({"PLANDAG_TRUSTED_PROXIES": value})


def test_the_new_settings_come_from_the_environment():
    settings = Settings.from_env(
        {
            "PLANDAG_LOGIN_LIMIT": "5",
            "PLANDAG_INTENT_RATE": "2.5",
            "PLANDAG_TRUSTED_PROXIES": "10.0.0.1",
        }
    )
    assert (settings.login_limit, settings.intent_rate) == (5, 2.5)
    assert settings.proxy_trust().is_proxy("10.0.0.1")
    assert settings.proxy_trust().is_proxy("::ffff:10.0.0.1")
    assert not settings.proxy_trust().is_proxy("10.0.0.2")
    with pytest.raises(ValueError, match="PLANDAG_INTENT_RATE"):
        Settings.from_env({"PLANDAG_INTENT_RATE": "0"})


def decode(text: Any) -> GuardedPacket:
    return GuardedPacket(encoded_packet=text)


@pytest.mark.parametrize(
    ("packet", "reason"),
    [
        (b"\x00\x01", "binary frame"),
        ('51-["x",{"_placeholder":true,"num":0}]', "binary packet"),
        ('61-[{"_placeholder":true,"num":0}]', "binary packet"),
        ('21-["x"]', "binary packet"),
        ("4", "unknown packet type"),
        ("2" + "[" * 1000 + "]" * 1000, "nested too deep"),
        ('2["x",' + "[" * 20 + "]" * 20 + "]", "nested too deep"),
        ('2["x",' + ",".join(["0"] * 6000) + "]", "too many values"),
        ('2["x",' + "9" * 5000 + "]", "number too long"),
        ('2["x",{', "broken JSON"),
        ('2["x",NaN]', "not JSON (NaN)"),
        ('2["x",Infinity]', "not JSON (Infinity)"),
        ("2[]", "event without a name"),
        ("2{}", "event without a name"),
        ("2[7]", "event without a name"),
        ('2["connect"]', "event name not allowed"),
        ('2["a b"]', "event name not allowed"),
        ('2["' + "x" * 65 + '"]', "event name not allowed"),
        ('2/admin,["x"]', "unknown namespace"),
        ("0[1]", "malformed connect"),
        ('1{"a":1}', "malformed disconnect"),
        ("3{}", "malformed ack"),
        ("2" + "1" * 101 + '["x"]', "malformed packet"),
    ],
)
def test_packets_no_plandag_client_sends_are_refused(packet: Any, reason: str):
    with pytest.raises(PacketRefused) as refused:
        decode(packet)
    assert refused.value.reason == reason


def test_what_plandag_clients_send_decodes():
    event = decode('212["phase.advance",{"client_id":"abc-123","from":"sharing"}]')
    assert (event.packet_type, event.id) == (2, 12)
    assert event.data == ["phase.advance", {"client_id": "abc-123", "from": "sharing"}]
    connect = decode('0{"audience":"phone","code":"ABC123"}')
    assert connect.packet_type == 0 and connect.data["audience"] == "phone"
    assert decode("0").data is None and decode("1").packet_type == 1
    assert decode('3["ok"]').data == ["ok"]
    # the largest intent: a drawn signature, one long string
    assert len(decode('2["signature.sign",{"image":"' + "A" * 210_000 + '"}]').data[1]["image"])
    # Encoding is untouched.
    assert GuardedPacket(2, data=["update", {"a": 1}]).encode() == '2["update",{"a":1}]'


def test_a_failure_budget_is_checked_before_and_spent_after():
    limiter = Limiter(2, window=60)
    assert not limiter.exceeded("a")
    limiter.hit("a")
    limiter.hit("a")
    assert limiter.exceeded("a") and not limiter.exceeded("b")
    limiter.reset("a")
    assert not limiter.exceeded("a")
    assert not Limiter(0).exceeded("a")  # 0: no limit


def test_a_token_bucket_allows_a_burst_then_the_rate():
    bucket = TokenBucket(rate=1000.0, burst=3)
    assert [bucket.take() for _ in range(3)] == [True] * 3
    slow = TokenBucket(rate=0.001, burst=2)
    assert [slow.take() for _ in range(3)] == [True, True, False]


def test_fast_unmasking_gives_the_same_bytes_as_the_libraries(monkeypatch: pytest.MonkeyPatch):
    import warnings

    from geventwebsocket.websocket import Header

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # eventlet announces its deprecation on import
        from eventlet.websocket import RFC6455WebSocket

    from shared.realtime.guard import fast_unmasking

    monkeypatch.setattr(Header, "mask_payload", Header.mask_payload)
    monkeypatch.setattr(Header, "unmask_payload", Header.unmask_payload)
    monkeypatch.setattr(RFC6455WebSocket, "_apply_mask", RFC6455WebSocket._apply_mask)
    data = bytes(range(256)) * 40 + b"tail"
    header = Header(length=len(data))
    header.mask = b"\x01\x80\xfe\x33"
    gevent_before = header.mask_payload(data)
    mask = (1, 128, 254, 51)
    eventlet_before = [
        RFC6455WebSocket._apply_mask(data, mask),
        RFC6455WebSocket._apply_mask(data[5:], mask, length=77, offset=5),
        RFC6455WebSocket._apply_mask(b"", mask),
    ]
    assert fast_unmasking("gevent") and fast_unmasking("eventlet")
    assert not fast_unmasking("gevent")  # once
    assert header.mask_payload(data) == gevent_before
    assert [
        RFC6455WebSocket._apply_mask(data, mask),
        RFC6455WebSocket._apply_mask(data[5:], mask, length=77, offset=5),
        RFC6455WebSocket._apply_mask(b"", mask),
    ] == eventlet_before
    assert fast_unmasking("threading") is False

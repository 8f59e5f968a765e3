"""Settings from ``PLANDAG_*`` environment variables (documented in the README)."""

from __future__ import annotations

import ipaddress
import os
import secrets
import socket
import struct
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

ASYNC_MODES = ("gevent", "eventlet", "threading")
REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    #: folder for the SQLite file, the generated secret key and other local state
    instance_dir: Path
    #: SQLAlchemy URL; default SQLite (WAL) in the instance folder
    database_url: str
    secret_key: str
    #: base of the join URL in the QR code; None: this machine's LAN address and port
    public_url: str | None = None
    #: Redis URL for Flask-SocketIO's message queue when several workers share a meeting
    redis_url: str | None = None
    #: gevent (default) or eventlet; threading only for in-process tests
    async_mode: str = "gevent"
    #: at most one coalesced update per audience per this many milliseconds
    coalesce_ms: int = 250
    #: seconds between the server's pings, and how long a pong may take before the
    #: socket counts as gone (Socket.IO's own defaults: a busy server or a phone on bad
    #: wifi is not dropped; a phone that really left is seen within 45 s)
    ping_interval: int = 25
    ping_timeout: int = 20
    #: seconds between a worker's heartbeats; a worker silent for three of them counts
    #: as dead and its sockets as gone (cleared by the next heartbeat of another)
    heartbeat_seconds: float = 2.0
    #: largest Socket.IO message the server accepts before dropping the connection (the
    #: largest intent, a drawn signature, is 220 kB; eventlet's websocket spends about
    #: 30 bytes of memory per byte of a frame while it unmasks it)
    max_message_bytes: int = 262_144
    #: largest payload a handler accepts; larger ones get payload.too_large
    max_payload_bytes: int = 32_000
    #: new participants one IP address may create per minute (0: no limit)
    join_limit: int = 200
    #: failed logins and unknown join codes one IP address may try per minute
    guess_limit: int = 20
    #: failed logins per account per 10 minutes, whatever address they come from
    login_limit: int = 10
    #: intents one socket may send per second (bursts of three times as many)
    intent_rate: float = 10.0
    #: reverse proxies whose X-Forwarded-For/-Proto headers are believed: "" (none,
    #: the default), a number of proxies in front of Plandag, or a comma-separated
    #: list of proxy addresses or networks
    trusted_proxies: str = ""
    host: str = "0.0.0.0"  # noqa: S104 - phones on the venue wifi must reach the laptop
    port: int = 5000
    testing: bool = False
    #: an organisation's own certificate (PKCS#12) for signing the PDF, and its passphrase
    pdf_pkcs12: str | None = None
    pdf_pkcs12_password: str | None = None
    extra: dict[str, object] = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        env = os.environ if env is None else env
        instance = Path(env.get("PLANDAG_INSTANCE_DIR", str(REPO_ROOT / "instance"))).resolve()
        values: dict[str, object] = {
            "instance_dir": instance,
            "database_url": env.get("PLANDAG_DATABASE_URL")
            or f"sqlite:///{instance / 'plandag.db'}",
            "secret_key": env.get("PLANDAG_SECRET_KEY") or "",
            "public_url": (env.get("PLANDAG_PUBLIC_URL") or "").rstrip("/") or None,
            "redis_url": env.get("PLANDAG_REDIS_URL") or None,
            "async_mode": env.get("PLANDAG_ASYNC_MODE", "gevent"),
            "coalesce_ms": int(env.get("PLANDAG_COALESCE_MS", "250")),
            "join_limit": int(env.get("PLANDAG_JOIN_LIMIT", "200")),
            "ping_interval": int(env.get("PLANDAG_PING_INTERVAL", "25")),
            "ping_timeout": int(env.get("PLANDAG_PING_TIMEOUT", "20")),
            "heartbeat_seconds": float(env.get("PLANDAG_HEARTBEAT_SECONDS", "2")),
            "guess_limit": int(env.get("PLANDAG_GUESS_LIMIT", "20")),
            "login_limit": int(env.get("PLANDAG_LOGIN_LIMIT", "10")),
            "intent_rate": float(env.get("PLANDAG_INTENT_RATE", "10")),
            "trusted_proxies": env.get("PLANDAG_TRUSTED_PROXIES", "").strip(),
            "pdf_pkcs12": env.get("PLANDAG_PDF_PKCS12") or None,
            "pdf_pkcs12_password": env.get("PLANDAG_PDF_PKCS12_PASSWORD") or None,
            "host": env.get("HOST", "0.0.0.0"),  # noqa: S104
            "port": int(env.get("PORT", "5000")),
        }
        values.update(overrides)
        settings = cls(**values)  # type: ignore[arg-type]
        if settings.async_mode not in ASYNC_MODES:
            raise ValueError(
                f"PLANDAG_ASYNC_MODE must be one of {', '.join(ASYNC_MODES)}, "
                f"not {settings.async_mode!r}"
            )
        settings.proxy_trust()  # refuse a malformed value at start-up, not per request
        if not settings.intent_rate > 0:
            raise ValueError("PLANDAG_INTENT_RATE must be a number above 0")
        if not 0.1 <= settings.heartbeat_seconds <= 60:
            raise ValueError("PLANDAG_HEARTBEAT_SECONDS must be between 0.1 and 60")
        return settings

    def proxy_trust(self) -> ProxyTrust:
        """PLANDAG_TRUSTED_PROXIES, parsed."""
        value = self.trusted_proxies.strip()
        if not value:
            return ProxyTrust()
        if value.isdigit():
            hops = int(value)
            if not 0 <= hops <= 10:
                raise ValueError("PLANDAG_TRUSTED_PROXIES: between 0 and 10 proxies")
            return ProxyTrust(hops=hops)
        networks = []
        for item in value.split(","):
            try:
                networks.append(ipaddress.ip_network(item.strip(), strict=False))
            except ValueError:
                raise ValueError(
                    "PLANDAG_TRUSTED_PROXIES must be a number of proxies or a comma-separated "
                    f"list of addresses or networks, not {item.strip()!r}"
                ) from None
        return ProxyTrust(networks=tuple(networks))

    def ensure_secret_key(self) -> str:
        """The configured key, or one generated on first start and kept in the instance
        folder so sessions and links survive a restart."""
        if self.secret_key:
            return self.secret_key
        self.instance_dir.mkdir(parents=True, exist_ok=True)
        path = self.instance_dir / "secret_key"
        if not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(48))
        return path.read_text().strip()

    def pkcs12(self) -> tuple[str, str | None] | None:
        """The organisation's certificate for PDF signatures, when configured."""
        if not self.pdf_pkcs12:
            return None
        return self.pdf_pkcs12, self.pdf_pkcs12_password

    def base_url(self) -> str:
        """Where phones reach this server: never localhost unless nothing else exists."""
        if self.public_url:
            return self.public_url
        host = self.host
        if host in ("0.0.0.0", "::", ""):  # noqa: S104
            host = lan_address() or "127.0.0.1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"


@dataclass(frozen=True)
class ProxyTrust:
    """Which peers may speak for a client through X-Forwarded-* headers."""

    #: this many proxies always stand in front of Plandag
    hops: int = 0
    #: or: peers in these networks are proxies (checked hop by hop)
    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()

    @property
    def enabled(self) -> bool:
        return self.hops > 0 or bool(self.networks)

    def is_proxy(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address.strip())
        except ValueError:
            return False
        if ip.version == 6 and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        return any(ip in net for net in self.networks)


def lan_address() -> str | None:
    """This machine's address on the local network, read from its interfaces (no packet
    is sent). Private IPv4 ranges first, 192.168/16 before 10/8 before 172.16/12."""
    candidates = _interface_addresses() or _hostname_addresses()
    private = [a for a in candidates if ipaddress.ip_address(a).is_private]
    usable = [a for a in private if not ipaddress.ip_address(a).is_loopback]
    if not usable:
        return None

    def rank(address: str) -> int:
        for i, net in enumerate(("192.168.0.0/16", "10.0.0.0/8", "172.16.0.0/12")):
            if ipaddress.ip_address(address) in ipaddress.ip_network(net):
                return i
        return 9

    return sorted(usable, key=rank)[0]


def _interface_addresses() -> list[str]:
    try:
        import fcntl
    except ImportError:  # not Linux/Unix
        return []
    found: list[str] = []
    siocgifaddr = 0x8915
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for _index, name in socket.if_nameindex():
            if name == "lo" or name.startswith(("docker", "br-", "veth", "virbr")):
                continue
            try:
                packed = fcntl.ioctl(
                    sock.fileno(), siocgifaddr, struct.pack("256s", name.encode()[:15])
                )
            except OSError:
                continue
            found.append(socket.inet_ntoa(packed[20:24]))
    return found


def _hostname_addresses() -> list[str]:
    try:
        return socket.gethostbyname_ex(socket.gethostname())[2]
    except OSError:
        return []

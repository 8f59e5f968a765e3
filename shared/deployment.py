"""Is this deployment consistent? What ``plandag check`` reports, and the fingerprint each
worker records so the check can compare workers it cannot see.

Several workers must share one database, one Redis, one secret (a session or a form
made on one worker is checked on another) and one seal key (a plan sealed by one is
verified by another). A worker records digests of its secret and of its seal key's
public half in its row of ``workers``; the check compares its own configuration with
every live worker's.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select, text

from shared.config import Settings
from shared.core.db import Database
from shared.core.models import Worker, utcnow
from shared.plandoc.seal import KEY_FILE, load_or_create_key


@dataclass(frozen=True)
class Finding:
    ok: bool
    what: str
    detail: str


def fingerprint(settings: Settings, *, create: bool = True) -> str:
    """``secret:<digest> seal:<key id>``: names no secret, tells two configurations apart.
    ``create``: a worker's first start makes the secret; the check only reads it."""
    if create:
        key = settings.ensure_secret_key()
    else:
        path = Path(settings.instance_dir) / "secret_key"
        key = settings.secret_key or (path.read_text().strip() if path.exists() else "")
    secret = hashlib.sha256(key.encode()).hexdigest()[:16]
    return f"secret:{secret} seal:{load_or_create_key(settings.instance_dir).key_id}"


def check(settings: Settings, *, beat: float | None = None) -> list[Finding]:
    found: list[Finding] = []
    secret_from = "PLANDAG_SECRET_KEY" if settings.secret_key else "the instance folder"
    found.append(Finding(True, "secret", f"from {secret_from}"))
    key_path = Path(settings.instance_dir) / KEY_FILE
    if key_path.exists():
        key_id = load_or_create_key(settings.instance_dir).key_id
        found.append(Finding(True, "seal key", f"{key_path} (key {key_id})"))
    else:
        found.append(Finding(True, "seal key", f"{key_path}: made when the first worker starts"))
    db = Database(settings.database_url)
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        found.append(Finding(True, "database", _safe_url(settings.database_url)))
    except Exception as error:
        found.append(Finding(False, "database", f"not reachable: {type(error).__name__}"))
        return found
    migrations = _migrations(db, settings.database_url)
    found += [migrations, _redis(settings)]
    if migrations.ok:
        found += _workers(db, settings, beat or settings.heartbeat_seconds, key_path.exists())
    db.dispose()
    return found


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _migrations(db: Database, url: str) -> Finding:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from shared.migrate import alembic_config

    heads = set(ScriptDirectory.from_config(alembic_config(url)).get_heads())
    with db.engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    if current == heads:
        return Finding(True, "migrations", f"current ({', '.join(sorted(heads))})")
    return Finding(
        False,
        "migrations",
        f"at {', '.join(sorted(current)) or 'none'}, not {', '.join(sorted(heads))}: "
        "run `plandag db upgrade`",
    )


def _redis(settings: Settings) -> Finding:
    if not settings.redis_url:
        return Finding(True, "redis", "not configured: one worker (the embedded server)")
    try:
        import redis

        redis.Redis.from_url(settings.redis_url, socket_timeout=3).ping()
    except Exception as error:
        return Finding(False, "redis", f"not reachable: {type(error).__name__}")
    return Finding(True, "redis", _safe_url(settings.redis_url))


def _workers(db: Database, settings: Settings, beat: float, has_key: bool) -> list[Finding]:
    from datetime import timedelta

    from shared.realtime.presence import MISSED_BEATS

    cutoff = utcnow() - timedelta(seconds=MISSED_BEATS * beat)
    with db.read() as session:
        live = list(
            session.execute(
                select(Worker.id, Worker.fingerprint).where(Worker.heartbeat_at >= cutoff)
            )
        )
    if not live:
        return [Finding(True, "workers", "none running")]
    if not has_key:
        return [
            Finding(
                False,
                "workers",
                f"{len(live)} running, but this instance folder has no seal key: "
                "they use another one (PLANDAG_INSTANCE_DIR)",
            )
        ]
    mine = fingerprint(settings, create=False)
    out = []
    for worker_id, theirs in live:
        if theirs == mine:
            out.append(Finding(True, f"worker {worker_id}", "same secret and seal key"))
            continue
        differs = [
            name
            for name, a, b in zip(
                ("secret", "seal key"), (theirs or "").split(), mine.split(), strict=False
            )
            if a != b
        ] or ["configuration"]
        out.append(
            Finding(False, f"worker {worker_id}", f"another {' and '.join(differs)} than this one")
        )
    return out

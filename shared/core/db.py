"""Engine and sessions.

SQLite (the embedded default) runs with ONE serialized connection. Under green threads
two writers on two connections make SQLite's busy handler sleep in C, which never
yields: the whole process stalls for seconds. With one connection, a greenlet that
wants the database waits on the pool's (monkey-patched, cooperative) queue instead,
and every transaction is short. WAL lets a second process (the CLI) read meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar, cast

from sqlalchemy import Engine, Table, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

T = TypeVar("T")

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA busy_timeout=5000",
    "PRAGMA foreign_keys=ON",
)


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            url,
            poolclass=QueuePool,
            pool_size=1,
            max_overflow=0,
            pool_timeout=60,
            connect_args={"check_same_thread": False},
        )

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            for pragma in SQLITE_PRAGMAS:
                cursor.execute(pragma)
            cursor.close()
            # pysqlite's own transaction handling breaks savepoints (a batch of intents
            # gives each its own): SQLAlchemy's documented recipe begins explicitly.
            dbapi_conn.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN")

        return engine
    if parsed.drivername in ("postgresql", "postgres"):
        # The URL object itself: str() of a URL masks its password ("***").
        parsed = parsed.set(drivername="postgresql+psycopg")
    return create_engine(parsed, pool_size=10, max_overflow=10, pool_pre_ping=True)


class Upsert:
    """An ``INSERT ... ON CONFLICT (keys) DO UPDATE`` of one table, built once per
    dialect (SQLite and PostgreSQL spell it alike, but SQLAlchemy builds it per dialect):
    a row replaced by its writer in one statement, with no read first."""

    def __init__(self, table: Any, keys: tuple[str, ...], replace: tuple[str, ...]) -> None:
        self._statements: dict[str, Any] = {}
        for name, make in (("sqlite", sqlite.insert), ("postgresql", postgresql.insert)):
            statement = make(cast(Table, table))
            self._statements[name] = statement.on_conflict_do_update(
                index_elements=list(keys),
                set_={column: statement.excluded[column] for column in replace},
            )

    def __call__(self, session: Session) -> Any:
        return self._statements[session.get_bind().dialect.name]


#: reads made once per transaction, per table they read (`read_once`)
READS = "plandag.reads"


def read_once(session: Session, table: str, key: Hashable, load: Callable[[], T]) -> T:
    """What ``load`` reads from ``table``, read once per transaction and shared by what
    follows in it: the intents of a batch, the views of one flush. A write to that table
    in the transaction forgets it (`forget_reads`, called by `shared.core.intents` for
    any statement that writes it, any flush of its objects, its rows written later and
    a refused intent's rollback). The value is shared: do not change it."""
    reads: dict[str, dict[Hashable, Any]] = session.info.setdefault(READS, {})
    held = reads.setdefault(table, {})
    if key not in held:
        held[key] = load()
    return cast(T, held[key])


def forget_reads(session: Session, table: str | None) -> None:
    """``table`` was written (None: something was, not known what)."""
    reads = session.info.get(READS)
    if reads:
        if table is None:
            reads.clear()
        else:
            reads.pop(table, None)


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One short unit of work: commits on success, rolls back on any error."""
        with self.sessions() as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self.sessions() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()

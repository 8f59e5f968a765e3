"""Command line: ``plandag run``, ``plandag db upgrade``, ``plandag user add``,
``plandag verify FILE``, ``plandag check``, ``plandag purge --before DATE``."""

from __future__ import annotations

import gc
import logging
import os
import resource
import signal
import sys
import time
from collections.abc import Callable
from typing import Any

import click

from shared.config import ASYNC_MODES, Settings


@click.group()
def cli() -> None:
    """Plandag: a real-time room server for facilitated large-group meetings."""


@cli.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply all migrations (creates the SQLite file on first use)."""
    from shared.migrate import upgrade

    settings = Settings.from_env()
    if settings.database_url.startswith("sqlite:///"):
        settings.instance_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.database_url)
    click.echo("database is up to date")


@cli.group()
def user() -> None:
    """Facilitator accounts."""


@user.command("add")
@click.argument("email")
@click.option("--name", prompt=True, help="Name shown to co-facilitators.")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    envvar="PLANDAG_NEW_PASSWORD",
    help="Prompted when not given (or set PLANDAG_NEW_PASSWORD).",
)
def user_add(email: str, name: str, password: str) -> None:
    """Add a facilitator account."""
    from shared.accounts.service import add_user
    from shared.core.db import Database
    from shared.domain import DomainError

    database = Database(Settings.from_env().database_url)
    try:
        created = add_user(database, email, name, password)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"added facilitator {created.email}")


@cli.command("purge")
@click.option(
    "--before",
    "before",
    required=True,
    help="Purge every process whose chosen purge date lies before this day (YYYY-MM-DD).",
)
def purge_command(before: str) -> None:
    """Purge the preparation of processes past their retention date: everything but the
    sealed plan (people, conversation notes, drafts, contributions, objection texts).
    Irreversible; each purge is logged in its process. Meetings that are running are
    skipped."""
    import datetime as dt

    from sqlalchemy.exc import OperationalError

    from shared.core.db import Database
    from shared.domain import DomainError
    from shared.process.service import due_for_purge, purge

    try:
        day = dt.date.fromisoformat(before)
    except ValueError:
        raise click.ClickException("--before takes a date as YYYY-MM-DD") from None
    database = Database(Settings.from_env().database_url)
    purged = skipped = 0
    for process_id, title in due_for_purge(database, day):
        for attempt in range(40):
            try:
                purge(database, user_id=None, process_id=process_id, typed_title=title)
            except OperationalError:
                # SQLite beside a running server, whose write came first: again, shortly.
                if attempt == 39:
                    raise
                time.sleep(0.25)
                continue
            except DomainError as exc:  # e.g. the meeting started meanwhile
                click.echo(f"skipped process {process_id}: {title}: {exc.message}")
                skipped += 1
            else:
                click.echo(f"purged process {process_id}: {title}")
                purged += 1
            break
    click.echo(f"{purged} process(es) purged" + (f", {skipped} skipped" if skipped else ""))


@cli.command("verify")
@click.argument("path", type=click.Path(dir_okay=False, path_type=str))
@click.option(
    "--public-key",
    help="The server's public key (base64, shown on its /verify page). Default: this "
    "installation's own key.",
)
def verify(path: str, public_key: str | None) -> None:
    """Check a plan document (.docx or .pdf) offline: valid, or what differs."""
    from pathlib import Path

    from shared import plandoc
    from shared.plandoc.sandbox import verify_isolated

    # what goes wrong inside the check is the verdict, not a traceback on the terminal
    logging.getLogger("shared.plandoc").addHandler(logging.NullHandler())
    logging.getLogger("shared.plandoc").propagate = False
    settings = Settings.from_env()
    certificate = None
    own_urls: list[str] = []
    if public_key is None:
        key = plandoc.load_or_create_key(settings.instance_dir)
        public_key, certificate = key.public_key_b64, key.certificate
        own_urls = [f"{settings.base_url()}/verify"]
    try:
        with Path(path).open("rb") as handle:
            data = handle.read(20 * 1024 * 1024 + 1)
    except OSError as exc:
        click.echo(f"not valid: cannot read {path}: {exc.strerror}", err=True)
        sys.exit(2)
    result = verify_isolated(data, public_key, certificate, own_urls)
    if result.error:
        click.echo(f"not valid: {result.error}")
        sys.exit(1)
    if result.valid:
        click.echo(
            f"valid: {result.meeting_title} ({result.meeting_date or 'no date'}), "
            f"{result.signatures} signatures"
        )
        return
    click.echo("not valid:")
    shown: set[str] = set()
    for difference in result.differences:
        if difference not in shown:
            shown.add(difference)
            click.echo(f"  - {difference}")
    sys.exit(1)


def _raise_open_file_limit() -> int:
    """Every phone is a socket: lift the soft limit on open files to the hard one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        target = hard if hard != resource.RLIM_INFINITY else 65536
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    return soft


@cli.command("check")
def check_command() -> None:
    """Is this deployment consistent? Configuration, seal key, database, migrations,
    Redis, and whether every running worker has the same secret and seal key."""
    from shared.deployment import check

    findings = check(Settings.from_env())
    for finding in findings:
        click.echo(f"{'ok  ' if finding.ok else 'FAIL'}  {finding.what}: {finding.detail}")
    if not all(f.ok for f in findings):
        raise SystemExit(1)


@cli.command("run")
@click.option("--host", default=lambda: os.environ.get("HOST", "0.0.0.0"), show_default="0.0.0.0")  # noqa: S104
@click.option(
    "--port", default=lambda: int(os.environ.get("PORT", "5000")), type=int, show_default="5000"
)
@click.option(
    "--async-mode",
    type=click.Choice(ASYNC_MODES[:2]),
    default=lambda: os.environ.get("PLANDAG_ASYNC_MODE", "gevent"),
    show_default="gevent",
)
def run(host: str, port: int, async_mode: str) -> None:
    """Start the server (run through the `plandag` script so monkey-patching comes first)."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    from sqlalchemy import inspect

    from shared.accounts.service import issue_first_account_link
    from shared.app import create_app
    from shared.extensions import socketio

    settings = Settings.from_env(host=host, port=port, async_mode=async_mode)
    files = _raise_open_file_limit()
    app = create_app(settings)
    plandag = app.extensions["plandag"]
    if "alembic_version" not in inspect(plandag.db.engine).get_table_names():
        raise click.ClickException("the database has no schema yet: run `plandag db upgrade`")
    base = settings.base_url()
    click.echo(f"Plandag ({async_mode}) on {host}:{port}; open files: {files}")
    click.echo(f"  console: {base}/")
    from shared.realtime.presence import other_workers

    beat = settings.heartbeat_seconds
    others = other_workers(plandag.db, plandag.worker_id, beat=beat)
    token = issue_first_account_link(plandag.db, keep_earlier=others > 0)
    if token is not None:
        click.echo("  no facilitator account yet; this one-time link creates the first one:")
        click.echo(f"  {base}/setup/{token}")
    sys.stdout.flush()
    socketio.start_background_task(_heartbeat, app)
    access_log = bool(os.environ.get("PLANDAG_ACCESS_LOG"))
    if not access_log:
        # A hall of phones polling makes the access log unreadable; opt in to it.
        logging.getLogger("geventwebsocket.handler").setLevel(logging.WARNING)
    options: dict[str, object] = {"log_output": access_log}
    if async_mode == "gevent":
        # Without SERVER_NAME gevent's server asks DNS for this host's name at start-up,
        # which on a venue network without DNS hangs for seconds.
        options["environ"] = {"SERVER_NAME": host}
    if async_mode == "eventlet":
        # eventlet.wsgi caps concurrent connections at 1024 by default: a full hall
        # of phones plus reconnects needs more.
        options["max_size"] = max(1024, files - 64)
    # What start-up loaded (modules, the app, its views) lives as long as the process:
    # out of the collector's reach, a full collection in the middle of a round walks
    # only what the meeting itself made (it halved that collection's time with a
    # thousand phones; bench/README.md).
    gc.freeze()
    _on_sigterm(async_mode, lambda: socketio.start_background_task(_stop, plandag))
    try:
        socketio.run(app, host=host, port=port, **options)
    finally:
        if not plandag.draining:  # Ctrl-C: the same cleanup, without the wait
            from shared.realtime.presence import unregister_worker

            unregister_worker(plandag.db, plandag.worker_id)


def _on_sigterm(async_mode: str, handler: Callable[[], object]) -> None:
    """SIGTERM (systemd's stop, a deploy) runs ``handler`` on the event loop."""
    if async_mode == "gevent":
        import gevent

        gevent.signal_handler(signal.SIGTERM, handler)
    else:
        signal.signal(signal.SIGTERM, lambda _signum, _frame: handler())


def _stop(plandag: Any) -> None:
    """A graceful stop: refuse new sockets (their clients reconnect to another worker),
    let the intents in flight commit and be acknowledged, clear this worker's presence
    rows and send that to the rooms, then exit. The sockets close with the process, so
    their clients reconnect by themselves (a socket the server closes on purpose would
    not)."""
    from shared.core.intents import committer
    from shared.extensions import socketio
    from shared.realtime.presence import unregister_worker

    log = logging.getLogger("plandag.stop")
    if plandag.draining:
        return
    plandag.draining = True
    log.info("SIGTERM: finishing the intents in flight, then stopping")
    server = getattr(socketio, "wsgi_server", None)
    if server is not None and hasattr(server, "stop_accepting"):
        server.stop_accepting()  # gevent: a proxy sends new connections to another worker
    deadline = time.monotonic() + 10
    group = committer(plandag.db)
    while group.batches.busy() and time.monotonic() < deadline:
        socketio.sleep(0.02)
    socketio.sleep(0.05)  # the acks of the last batch leave
    try:
        for change in unregister_worker(plandag.db, plandag.worker_id):
            plandag.hub.changed(change)
        plandag.hub.drain(timeout=max(deadline - time.monotonic(), 1.0))
    except Exception:
        log.exception("cleanup on SIGTERM failed; the other workers' heartbeat will clear it")
    log.info("stopped")
    logging.shutdown()
    sys.stdout.flush()
    os._exit(0)


def _heartbeat(app: object) -> None:
    from shared.deployment import fingerprint
    from shared.extensions import socketio
    from shared.realtime.presence import heartbeat, sweep_dead_workers
    from shared.realtime.sockets import record_live_sockets

    plandag = app.extensions["plandag"]  # type: ignore[attr-defined]
    beat = plandag.settings.heartbeat_seconds
    mine = fingerprint(plandag.settings)
    log = logging.getLogger("plandag.heartbeat")
    while not plandag.draining:
        socketio.sleep(beat)
        if plandag.draining:  # stopping: its row is gone and must stay gone
            return
        try:
            if heartbeat(plandag.db, plandag.worker_id, mine):
                # Stalled for longer than three beats: the others took this worker for
                # dead and cleared its sockets. They are alive: record them again.
                for change in record_live_sockets(plandag):
                    plandag.hub.changed(change)
            for change in sweep_dead_workers(plandag.db, beat=beat):
                plandag.hub.changed(change)
            plandag.hub.adopt()  # meetings whose flusher died
        except Exception:
            log.exception("heartbeat failed")

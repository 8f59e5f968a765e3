"""Several workers on PostgreSQL and Redis behind nginx, as docs/deploy.md sets them up.

The engines come from the environment (`.ci/run` installs and starts them):
``PLANDAG_TEST_POSTGRES_URL`` (a role that may create databases) and
``PLANDAG_TEST_REDIS_URL``. Each test module gets a fresh database. Without them the
tests are skipped on a developer's machine and fail in CI, which must run them.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from tests.support import Server, free_port

REPO = Path(__file__).resolve().parents[2]
NGINX_SITE = REPO / "deploy" / "nginx" / "plandag.conf"


def engines() -> tuple[str, str]:
    pg, rd = os.environ.get("PLANDAG_TEST_POSTGRES_URL"), os.environ.get("PLANDAG_TEST_REDIS_URL")
    if not (pg and rd):
        message = "set PLANDAG_TEST_POSTGRES_URL and PLANDAG_TEST_REDIS_URL (.ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(f"CI runs the scale-out tests: {message}")
        pytest.skip(f"no PostgreSQL and Redis: {message}")
    return pg, rd


def fresh_database(admin_url: str) -> str:
    """A new, empty database; its URL."""
    import psycopg
    from sqlalchemy.engine import make_url

    name = f"plandag_t_{secrets.token_hex(4)}"
    url = make_url(admin_url)
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False)


@dataclass
class Nginx:
    """nginx from Debian, with the site file from deploy/ as it is, pointed at the
    workers' ports, this checkout's static files and a free port."""

    ports: list[int]
    home: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def site(self) -> str:
        text = NGINX_SITE.read_text()
        servers = "".join(
            f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=10s;\n" for port in self.ports
        )
        text, n = re.subn(r"(    server 127\.0\.0\.1:\d+ [^\n]*\n)+", servers, text)
        assert n == 1, "the upstream's server lines"
        text = text.replace("listen 80;", f"listen 127.0.0.1:{self.port};")
        text = text.replace("listen [::]:80;\n", "")
        text = text.replace("alias /opt/plandag/static/;", f"alias {REPO / 'static'}/;")
        return text

    def start(self) -> Nginx:
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        self.home.mkdir(parents=True, exist_ok=True)
        (self.home / "plandag.conf").write_text(self.site())
        user = "user root;\n" if os.geteuid() == 0 else ""
        temp = "".join(
            f"    {kind}_temp_path {self.home / kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        (self.home / "nginx.conf").write_text(
            f"{user}daemon off;\nworker_processes 1;\npid {self.home / 'nginx.pid'};\n"
            f"error_log {self.home / 'error.log'} warn;\n"
            "events { worker_connections 4096; }\n"
            "http {\n    access_log off;\n    include /etc/nginx/mime.types;\n"
            f"{temp}    include {self.home / 'plandag.conf'};\n}}\n"
        )
        with open(self.home / "stderr.log", "wb") as stderr:
            self.proc = subprocess.Popen(
                [binary, "-p", str(self.home), "-c", str(self.home / "nginx.conf")],
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError((self.home / "stderr.log").read_text())
            try:
                requests.get(f"{self.url}/healthz", timeout=1)
                return self
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError("nginx did not start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


@dataclass
class Front(Server):
    """nginx, as a `Server` for the protocol tests' helpers: its address, the workers'
    environment (the CLI reaches their database), alive while every worker is."""

    workers: list[Server] = field(default_factory=list)

    def alive(self) -> bool:
        return all(worker.alive() for worker in self.workers)


@dataclass
class Cluster:
    """Workers that share one database, one Redis, one secret and one instance folder
    (the seal key), and nginx in front of them."""

    workers: list[Server]
    nginx: Nginx

    @property
    def front(self) -> Server:
        """The address phones use (nginx), as a `Server` for the test helpers."""
        first = self.workers[0]
        return Front(
            instance=first.instance,
            port=self.nginx.port,
            env_extra=first.env_extra,
            workers=self.workers,
        )

    def revive(self) -> None:
        """Start the workers a test stopped or killed again (on their own ports)."""
        for worker in self.workers:
            if not worker.alive():
                worker.start()

    def stop(self) -> None:
        self.nginx.stop()
        for worker in self.workers:
            worker.stop()


def start_cluster(home: Path, n: int = 2, *, beat: str = "1") -> Cluster:
    pg, rd = engines()
    database = fresh_database(pg)
    instance = home / "instance"
    ports = [free_port() for _ in range(n)]
    nginx = Nginx(ports, home / "nginx")
    env = {
        "PLANDAG_DATABASE_URL": database,
        "PLANDAG_REDIS_URL": rd,
        "PLANDAG_SECRET_KEY": secrets.token_urlsafe(32),
        "PLANDAG_TRUSTED_PROXIES": "1",
        "PLANDAG_HEARTBEAT_SECONDS": beat,
        "PLANDAG_PUBLIC_URL": nginx.url,
    }
    workers = [
        Server(instance=instance, port=port, env_extra=env, log_name=f"worker{i + 1}.log")
        for i, port in enumerate(ports)
    ]
    for worker in workers:
        worker.start()
    nginx.start()
    return Cluster(workers, nginx)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    made = start_cluster(Path(tmp_path_factory.mktemp("cluster")))
    made.workers[0].add_user("anna@example.org", "Anna de Vries")
    yield made
    made.stop()

"""`plandag check` on the embedded default (SQLite, one process, no Redis)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PLANDAG = str(Path(sys.executable).with_name("plandag"))


def _run(instance: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANDAG_")}
    env["PLANDAG_INSTANCE_DIR"] = str(instance)
    return subprocess.run(
        [PLANDAG, *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_check_says_what_is_missing_and_then_that_all_is_well(tmp_path: Path):
    before = _run(tmp_path, "check")
    assert before.returncode == 1
    assert "FAIL  migrations" in before.stdout and "plandag db upgrade" in before.stdout
    assert _run(tmp_path, "db", "upgrade").returncode == 0
    after = _run(tmp_path, "check")
    assert after.returncode == 0, after.stdout
    assert "ok    migrations: current" in after.stdout
    assert "ok    redis: not configured" in after.stdout
    assert "made when the first worker starts" in after.stdout

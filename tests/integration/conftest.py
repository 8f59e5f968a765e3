from __future__ import annotations

from pathlib import Path

import pytest

from shared.core.db import Database
from shared.migrate import upgrade


@pytest.fixture
def db(tmp_path: Path) -> Database:
    url = f"sqlite:///{tmp_path / 'plandag.db'}"
    upgrade(url)
    database = Database(url)
    yield database
    database.dispose()

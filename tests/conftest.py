from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import Server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(instance=Path(tmp_path_factory.mktemp("plandag")))
    srv.start()
    srv.add_user("anna@example.org", "Anna de Vries")
    srv.add_user("bram@example.org", "Bram Jansen")
    yield srv
    srv.stop()

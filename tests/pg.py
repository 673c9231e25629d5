"""A real PostgreSQL server with pgvector for the tests, started from the pgserver package in a temporary folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def pg_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The address of a PostgreSQL server of this test session's own (stopped at its end), with pgvector loaded."""
    folder: Path = tmp_path_factory.mktemp("postgres")
    os.environ.setdefault("XDG_RUNTIME_DIR", str(folder))  # pgserver asks for one on import; the session's will do
    import pgserver

    server = pgserver.get_server(folder / "data", cleanup_mode="stop")
    server.psql("CREATE EXTENSION IF NOT EXISTS vector;")
    yield server.get_uri()
    server.cleanup()

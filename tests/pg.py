"""A real PostgreSQL server with pgvector for the tests, started from the pgserver package in a temporary folder."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from uuid import uuid4

import asyncpg
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


@pytest.fixture
async def pg_database(pg_url: str) -> AsyncIterator[str]:
    """The address of a new, empty database of its own on the session's server, dropped after the test."""
    name = f"t_{uuid4().hex[:12]}"
    server = await asyncpg.connect(pg_url)
    try:
        await server.execute(f"CREATE DATABASE {name}")
        yield urlunsplit(urlsplit(pg_url)._replace(path=f"/{name}"))
        await server.execute(f"DROP DATABASE {name} WITH (FORCE)")
    finally:
        await server.close()

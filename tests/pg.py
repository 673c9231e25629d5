"""A real PostgreSQL server with pgvector for the tests, started from the pgserver package in a temporary folder."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from uuid import uuid4

import asyncpg
import pytest

from bot.state import MIGRATIONS, STATE_NAME
from index import open_side_database
from index.settings import StoreSettings
from index.store.postgres.migrations import migrate, prepare
from index.store.postgres.schema import LIBRARY_MIGRATIONS

# A database with both components migrated, copied for each test that wants one (much faster than migrating).
TEMPLATE = "newsbot_template"


def database_url(server_url: str, name: str) -> str:
    """The address of another database on the same server."""
    return urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))


@pytest.fixture(scope="session")
def pg_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The address of a PostgreSQL server of this test session's own (stopped at its end), with pgvector loaded."""
    folder: Path = tmp_path_factory.mktemp("postgres")
    os.environ.setdefault("XDG_RUNTIME_DIR", str(folder))  # pgserver asks for one on import; the session's will do
    import pgserver

    server = pgserver.get_server(folder / "data", cleanup_mode="stop")
    server.psql("CREATE EXTENSION IF NOT EXISTS vector;")
    asyncio.run(_make_template(server.get_uri()))
    yield server.get_uri()
    server.cleanup()


async def _make_template(server_url: str) -> None:
    """Create the migrated template database."""
    server = await asyncpg.connect(server_url)
    try:
        await server.execute(f"CREATE DATABASE {TEMPLATE}")
    finally:
        await server.close()
    connection = await asyncpg.connect(database_url(server_url, TEMPLATE))
    try:
        await prepare(connection)
        await migrate(connection, "library", LIBRARY_MIGRATIONS)
    finally:
        await connection.close()
    # The bot's schema as the bot makes it: through its side database.
    bot = await open_side_database(Path(), database_url(server_url, TEMPLATE), STATE_NAME, MIGRATIONS)
    await bot.close()


def _new_database(pg_url: str, template: str | None) -> Iterator[str]:
    """A new database on the session's server (a copy of `template`, or empty), dropped after the test."""
    name = f"t_{uuid4().hex[:12]}"
    asyncio.run(_server_command(pg_url, f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else "")))
    yield database_url(pg_url, name)
    asyncio.run(_server_command(pg_url, f"DROP DATABASE {name} WITH (FORCE)"))


async def _server_command(pg_url: str, sql: str) -> None:
    """Run one statement on the server's own database."""
    server = await asyncpg.connect(pg_url)
    try:
        await server.execute(sql)
    finally:
        await server.close()


@pytest.fixture
def pg_database(pg_url: str) -> Iterator[str]:
    """The address of a new, empty database of its own on the session's server, dropped after the test."""
    yield from _new_database(pg_url, None)


@pytest.fixture
def pg_library(pg_url: str) -> Iterator[str]:
    """The address of a new database with the library's and the bot's schema, dropped after the test."""
    yield from _new_database(pg_url, TEMPLATE)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def store_settings(request: pytest.FixtureRequest) -> StoreSettings:
    """Each backend in turn: SQLite and FAISS in the test's data directory, then a PostgreSQL database of its own."""
    if request.param == "sqlite":
        return StoreSettings()
    return StoreSettings(url=request.getfixturevalue("pg_library"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def store_url(request: pytest.FixtureRequest) -> str:
    """Each backend in turn, as the store's url names it: "" (files in the data folder) or a pg_library database."""
    return str(request.getfixturevalue("pg_library")) if request.param == "postgresql" else ""

"""The store's feeds on either backend, for tests that must give the same results on both."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from index.store.postgres.database import Database
from index.store.postgres.feeds import FeedStore
from index.store.protocols import FeedsPart
from index.store.sqlite.store import Store
from tests.pg import pg_library, pg_url

__all__ = ["feeds", "library_at", "open_feeds", "pg_library", "pg_url"]  # fixtures, used by name

# Opens the store's feeds once more on the test's library, over a connection (or pool) of its own.
Opener = Callable[[], Awaitable[FeedsPart]]


@pytest.fixture(params=["sqlite", "postgres"])
def library_at(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    """The backend and where the test's library is: a SQLite file, or a PostgreSQL database with the schema."""
    if request.param == "sqlite":
        return "sqlite", str(tmp_path / "newsbot.db")
    return "postgres", request.getfixturevalue("pg_library")


@pytest.fixture
async def open_feeds(library_at: tuple[str, str]) -> AsyncIterator[Opener]:
    """Opens the feeds of the test's library as often as asked, each over its own connection; all closed after."""
    closers: list[Callable[[], Awaitable[None]]] = []
    backend, where = library_at

    async def opener() -> FeedsPart:
        if backend == "sqlite":
            store = await Store.open(Path(where))
            closers.append(store.close)
            return store.feeds
        database = await Database.connect(where, "test", 3)
        closers.append(database.close)
        return FeedStore(database)

    yield opener
    for close in closers:
        await close()


@pytest.fixture
async def feeds(open_feeds: Opener) -> FeedsPart:
    """The feeds of the test's library, on each backend in turn."""
    return await open_feeds()

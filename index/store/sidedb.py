"""A front end's own tables beside the library (a SQLite file, or a PostgreSQL schema), SQL written once with `?`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any, Protocol

from index.store.errors import StoreError
from index.store.sqlite.sidedb import SqliteSideDatabase


class SideDatabase(Protocol):
    """Statements over a front end's tables; each write outside `transaction()` is its own transaction."""

    async def one(self, sql: str, params: Sequence[object] = ()) -> tuple[Any, ...] | None:
        """Fetch one row, or None when there is none."""
        ...

    async def all(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        """Fetch all rows."""
        ...

    async def execute(self, sql: str, params: Sequence[object] = ()) -> int:
        """Run one statement; how many rows it inserted, updated or deleted."""
        ...

    async def executemany(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        """Run one statement for each row, all or none."""
        ...

    def transaction(self) -> AbstractAsyncContextManager[None]:
        """All or nothing: the statements the task runs inside join it."""
        ...

    async def close(self) -> None:
        """Close the connections."""
        ...


async def open_side_database(data_dir: Path, url: str, name: str,
                             migrations: Mapping[str, Sequence[str]]) -> SideDatabase:
    """Open and migrate the tables `name`: data_dir/<name>.db without a url, else the schema `name` at the url."""
    # `migrations` holds each dialect's ("sqlite", "postgresql") numbered migrations, the same number in both.
    if not url:
        return await SqliteSideDatabase.open(side_file(data_dir, name), migrations["sqlite"])
    if url.startswith(("postgresql://", "postgres://")):
        # Imported here: a bot on SQLite files does not load the PostgreSQL driver.
        from index.store.postgres.sidedb import PgSideDatabase

        return await PgSideDatabase.open(url, name, migrations["postgresql"])
    scheme = url.split(":", 1)[0]
    raise StoreError(f"the store's url starts with {scheme!r}: give a postgresql:// address, or none for files in "
                     "the data folder")


def side_file(data_dir: Path, name: str) -> Path:
    """Where the side database `name` is kept without a url: <name>.db in the data folder."""
    return data_dir / f"{name}.db"

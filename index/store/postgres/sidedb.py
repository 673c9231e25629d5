"""A front end's own tables in a schema of the shared PostgreSQL database (the bot's, schema "bot"), over a pool."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

import asyncpg

from index.store.postgres.database import Database, Queries, changed
from index.store.postgres.faults import database_faults, describe
from index.store.postgres.migrations import migrate

# Connections a front end's few statements need at once: its tasks rarely overlap.
_CONNECTIONS = 4
# A schema name used unquoted in SQL: lowercase letters, digits and underscores.
_NAME = re.compile(r"[a-z_][a-z0-9_]*")
# What a `?` may sit inside without being a placeholder: a string literal, a quoted name, a comment.
_PLACES = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|\?")


def numbered(sql: str) -> str:
    """SQL with `?` placeholders rewritten as PostgreSQL's $1, $2 ... (a `?` in a literal or comment is kept)."""
    numbers = itertools.count(1)
    return _PLACES.sub(lambda found: f"${next(numbers)}" if found.group() == "?" else found.group(), sql)


class PgSideDatabase(Queries):
    """The side database on PostgreSQL: its connections see only its schema, so its SQL names its tables bare."""

    @classmethod
    async def open(cls, url: str, name: str, migrations: Sequence[str]) -> PgSideDatabase:
        """Connect to the database at `url`, with the schema `name` made and migrated if needed."""
        if not _NAME.fullmatch(name):
            raise ValueError(f"a side database's name is a lowercase SQL name, not {name!r}")
        where = describe(url)
        with database_faults(where):
            connection = await asyncpg.connect(url)
            try:
                await migrate(connection, name, migrations, schema=name)
            finally:
                await connection.close()
            pool = await asyncpg.create_pool(url, min_size=1, max_size=_CONNECTIONS, command_timeout=None,
                                             server_settings={"search_path": name})
        return cls(Database(pool, where))

    @property
    def database(self) -> Database:
        """Its pool (a copy fills its tables through it)."""
        return self._db

    async def one(self, sql: str, params: Sequence[object] = ()) -> tuple[Any, ...] | None:
        """Fetch one row, or None when there is none."""
        row = await self._one(numbered(sql), *params)
        return tuple(row) if row is not None else None

    async def all(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        """Fetch all rows."""
        return [tuple(row) for row in await self._all(numbered(sql), *params)]

    async def execute(self, sql: str, params: Sequence[object] = ()) -> int:
        """Run one statement; how many rows it changed."""
        return changed(await self._execute(numbered(sql), *params))

    async def executemany(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        """Run one statement for each row, in one transaction."""
        rows = list(rows)
        if rows:
            async with self._transaction():
                await self._executemany(numbered(sql), rows)

    def transaction(self) -> AbstractAsyncContextManager[None]:
        """All or nothing; joined when the task is already in one."""
        return self._transaction()

    async def close(self) -> None:
        """Close every connection."""
        await self._db.close()

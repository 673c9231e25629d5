"""The library's one SQLite connection as the store's parts share it: fetching rows, one write at a time."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Any, cast

import aiosqlite

from index.store.sqlite.faults import database_faults
from index.store.writing import finish


def placeholders(count: int) -> str:
    """Return "?,?,?" for an IN clause of `count` values."""
    return ",".join("?" * count)


def id_ranges(ids: Sequence[int]) -> list[tuple[int, int]]:
    """The ids as (first, last) ranges of consecutive ids, in order."""
    ranges: list[tuple[int, int]] = []
    for row_id in sorted(set(ids)):
        if ranges and row_id == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], row_id)
        else:
            ranges.append((row_id, row_id))
    return ranges


def parse_day(value: str | None) -> date | None:
    """Read a stored ISO date."""
    return date.fromisoformat(value) if value else None


def inserted_id(cursor: aiosqlite.Cursor) -> int:
    """The rowid of the row an INSERT just made."""
    assert cursor.lastrowid is not None
    return cursor.lastrowid


class Queries:
    """A part of the store: reads and writes over the shared connection, a full disk or a damaged page as a
    StoreError naming the file (index/store/sqlite/faults.py)."""

    def __init__(self, db: aiosqlite.Connection, write_lock: asyncio.Lock, path: Path) -> None:
        self._db = db
        self._write_lock = write_lock
        self._path = path

    # No row_factory is set, so sqlite3 returns plain tuples; aiosqlite's stubs say sqlite3.Row, hence the casts.
    async def _one(self, sql: str, params: Sequence[object] = ()) -> tuple[Any, ...] | None:
        """Fetch one row, or None when there is none."""
        with database_faults(self._path):
            async with self._db.execute(sql, params) as cursor:
                return cast("tuple[Any, ...] | None", await cursor.fetchone())

    async def _row(self, sql: str, params: Sequence[object] = ()) -> tuple[Any, ...]:
        """Fetch a row that is always there: an aggregate's (count, min, ...), a PRAGMA's, one just written."""
        row = await self._one(sql, params)
        assert row is not None, sql
        return row

    async def _all(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        """Fetch all rows."""
        with database_faults(self._path):
            async with self._db.execute(sql, params) as cursor:
                return cast("list[tuple[Any, ...]]", list(await cursor.fetchall()))

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[None]:
        """All or nothing; the lock because on one shared connection another task's writes would join it."""
        async with self._write_lock:
            try:
                with database_faults(self._path):
                    # To its end even when the task is cancelled meanwhile (a timer stopped), so that the transaction
                    # it opens is rolled back below, not left open on the shared connection.
                    await finish(self._db.execute("BEGIN IMMEDIATE"))
                    yield
                    await finish(self._db.execute("COMMIT"))
            except BaseException:
                # SQLite has already rolled back after some errors (a full disk); a failed rollback changes nothing.
                if self._db.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        await self._db.execute("ROLLBACK")
                raise

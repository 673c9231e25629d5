"""A front end's own tables in a SQLite file of the data folder (the bot's bot.db), over one connection."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import aiosqlite

from index.store.sqlite.database import Queries
from index.store.sqlite.faults import database_faults
from index.store.sqlite.migrations import apply_migrations


class SqliteSideDatabase(Queries):
    """The side database on SQLite: reads as they come, writes one transaction at a time."""

    def __init__(self, db: aiosqlite.Connection, path: Path) -> None:
        super().__init__(db, asyncio.Lock(), path)
        # Whether the current task is inside transaction(): its statements join it instead of waiting for the lock.
        self._inside: ContextVar[bool] = ContextVar(f"newsbot_side_{id(self)}", default=False)

    @classmethod
    async def open(cls, path: Path, migrations: Sequence[str]) -> SqliteSideDatabase:
        """Open (creating if needed) the file, in WAL mode, with every migration applied."""
        path.parent.mkdir(parents=True, exist_ok=True)
        with database_faults(path):
            db = await aiosqlite.connect(path, isolation_level=None)
        try:
            with database_faults(path):
                await db.execute("PRAGMA journal_mode=WAL")
            await apply_migrations(db, migrations, path)
        except BaseException:  # a file from a newer newsbot: refused, and its connection's thread ended
            await db.close()
            raise
        return cls(db, path)

    async def one(self, sql: str, params: Sequence[object] = ()) -> tuple[Any, ...] | None:
        """Fetch one row, or None when there is none."""
        return await self._one(sql, params)

    async def all(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        """Fetch all rows."""
        return await self._all(sql, params)

    async def execute(self, sql: str, params: Sequence[object] = ()) -> int:
        """Run one statement; how many rows it changed."""
        async with self.transaction():
            cursor = await self._db.execute(sql, params)
        return max(cursor.rowcount, 0)  # -1: a statement that changes no rows

    async def executemany(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        """Run one statement for each row, in one transaction."""
        rows = list(rows)
        if rows:
            async with self.transaction():
                await self._db.executemany(sql, rows)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """All or nothing; joined when the task is already in one."""
        if self._inside.get():
            yield
            return
        token = self._inside.set(True)
        try:
            async with self._transaction():
                yield
        finally:
            self._inside.reset(token)

    async def close(self) -> None:
        """Close the file."""
        await self._db.close()

"""The library's PostgreSQL connections as the store's parts share them: a pool, and one transaction per task."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import asyncpg

from index.store.postgres.faults import database_faults
from index.store.postgres.vectors import register_vectors
from index.store.writing import finish


class Database:
    """A pool of connections to one database; a part's queries join the transaction its task has open."""

    def __init__(self, pool: Any, where: str) -> None:
        self.pool = pool
        self.where = where  # the database as messages name it: host and name, no password
        # The connection of the transaction the current task is in: the parts' writes inside Store.write_articles
        # (copies, deletes, inserts) must be one transaction, as on SQLite's one connection.
        self._current: ContextVar[Any | None] = ContextVar(f"newsbot_tx_{id(self)}", default=None)

    @classmethod
    async def connect(cls, url: str, where: str, size: int) -> Database:
        """A pool of up to `size` connections to the database at `url`, each reading `vector` as numpy."""
        with database_faults(where):
            pool = await asyncpg.create_pool(url, min_size=1, max_size=size, init=register_vectors,
                                             command_timeout=None)
        return cls(pool, where)

    async def close(self) -> None:
        """Close every connection of the pool."""
        await self.pool.close()

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[Any]:
        """The task's transaction's connection, or one from the pool for a single statement."""
        current = self._current.get()
        if current is not None:
            yield current
            return
        connection = await self._acquire()
        try:
            yield connection
        finally:
            await self.pool.release(connection)

    @asynccontextmanager
    async def transaction(self, read_only: bool = False) -> AsyncIterator[Any]:
        """All or nothing on one connection (joined when the task is already in one); reads that must agree with
        each other see one snapshot (`read_only`: REPEATABLE READ)."""
        if self._current.get() is not None:
            yield self._current.get()
            return
        isolation = "repeatable_read" if read_only else "read_committed"
        connection = await self._acquire()
        token = self._current.set(connection)
        try:
            transaction = connection.transaction(isolation=isolation, readonly=read_only)
            with database_faults(self.where):
                await transaction.start()
            try:
                yield connection
            except BaseException:
                # The body's own error is the one to tell; a connection already gone has nothing to roll back.
                with contextlib.suppress(asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
                    await finish(transaction.rollback())
                raise
            with database_faults(self.where):
                await finish(transaction.commit())
        finally:
            self._current.reset(token)
            await self.pool.release(connection)

    async def _acquire(self) -> Any:
        """A connection from the pool, or a StoreError saying why the server cannot give one."""
        with database_faults(self.where):
            return await self.pool.acquire()


class Queries:
    """A part of the store: statements over the shared pool, server faults as a StoreError naming the database."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def _one(self, sql: str, *params: object) -> Any | None:
        """Fetch one row, or None when there is none."""
        async with self._db.connection() as connection, _faults(self._db):
            return await connection.fetchrow(sql, *params)

    async def _value(self, sql: str, *params: object) -> Any:
        """Fetch the first column of the first row (None when there is none)."""
        async with self._db.connection() as connection, _faults(self._db):
            return await connection.fetchval(sql, *params)

    async def _all(self, sql: str, *params: object) -> list[Any]:
        """Fetch all rows."""
        async with self._db.connection() as connection, _faults(self._db):
            return list(await connection.fetch(sql, *params))

    async def _execute(self, sql: str, *params: object) -> str:
        """Run one statement; PostgreSQL's status line ("UPDATE 3") tells how many rows it changed."""
        async with self._db.connection() as connection, _faults(self._db):
            return str(await connection.execute(sql, *params))

    async def _executemany(self, sql: str, rows: Sequence[Sequence[object]]) -> None:
        """Run one statement for each row, as one round trip."""
        if rows:
            async with self._db.connection() as connection, _faults(self._db):
                await connection.executemany(sql, rows)

    def _transaction(self, read_only: bool = False) -> Any:
        """All or nothing (a part's statements inside join it)."""
        return self._db.transaction(read_only)


def moment(stamp: str | None) -> datetime | None:
    """A stored timestamp (index/store/clock.py's ISO text) as the datetime a timestamptz column takes."""
    return datetime.fromisoformat(stamp) if stamp else None


def stamp(value: datetime | None) -> str | None:
    """A timestamptz as the store's other backend gives it: UTC ISO 8601 to the second."""
    return value.astimezone(UTC).isoformat(timespec="seconds") if value else None


def changed(status: str) -> int:
    """How many rows a statement's status line ("DELETE 2", "INSERT 0 1") says it changed."""
    return int(status.rsplit(" ", 1)[-1]) if status and status[-1].isdigit() else 0


@asynccontextmanager
async def _faults(db: Database) -> AsyncIterator[None]:
    """Server faults as StoreErrors, inside an async with."""
    with database_faults(db.where):
        yield

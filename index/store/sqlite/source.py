"""A SQLite file (the library's, or a front end's side database) as a copy reads it: read-only, one snapshot, every
table a batch at a time."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, cast

import aiosqlite

from index.store.errors import StoreError
from index.store.sqlite.connection import connect_read_only
from index.store.sqlite.faults import database_faults
from index.store.sqlite.schema import MIGRATIONS

# Columns a table lends another that has none of its own: PostgreSQL keeps a passage's scope beside its vector.
LIBRARY_BORROWED = {"chunks": {"scope": "(SELECT a.scope FROM articles a WHERE a.id = chunks.article_id)"}}


class SqliteSource:
    """A SQLite file opened for reading only, inside one read transaction, so a copy sees it as it was at one moment
    even while a newsbot writes to it."""

    def __init__(self, db: aiosqlite.Connection, path: Path, borrowed: Mapping[str, Mapping[str, str]]) -> None:
        self._db = db
        self.path = path
        self._borrowed = borrowed  # per table, columns read from another table, by the subquery giving them

    @classmethod
    async def open(cls, path: Path, migrations: Sequence[str] = MIGRATIONS,
                   borrowed: Mapping[str, Mapping[str, str]] = LIBRARY_BORROWED) -> SqliteSource:
        """Open the file at `path` (by default the library's) without changing it; refuse one whose schema is not
        the `migrations` this newsbot has."""
        with database_faults(path):
            db = await connect_read_only(path)
        source = cls(db, path, borrowed)
        try:
            version = (await source._all("PRAGMA user_version"))[0][0]
            if version > len(migrations):
                raise StoreError(f"{path}: made by a newer newsbot (schema {version}); upgrade newsbot")
            if version < len(migrations):  # its ids and columns are not yet what the copy knows
                raise StoreError(f"{path}: made by an older newsbot (schema {version}); open it once with this "
                                 "newsbot, which upgrades it, then copy it")
            await source._all("BEGIN")
            await source._all("SELECT count(*) FROM sqlite_master")  # the snapshot starts at the first read
        except BaseException:
            await db.close()
            raise
        return source

    async def close(self) -> None:
        """End the read and close the file."""
        await self._db.close()

    async def _all(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        """Fetch all rows."""
        with database_faults(self.path):
            async with self._db.execute(sql, params) as cursor:
                return cast("list[tuple[Any, ...]]", list(await cursor.fetchall()))

    async def tables(self) -> list[str]:
        """The file's own tables, in the order they were made (SQLite's bookkeeping left out)."""
        rows = await self._all("SELECT name FROM sqlite_master WHERE type = 'table'"
                               " AND name NOT LIKE 'sqlite!_%' ESCAPE '!' ORDER BY rowid")
        return [row[0] for row in rows]

    async def columns(self, table: str) -> list[str]:
        """The table's columns (with those it borrows), in their order."""
        rows = await self._all(f"PRAGMA table_info({table})")
        return [row[1] for row in rows] + list(self._borrowed.get(table, {}))

    async def count(self, table: str) -> int:
        """How many rows the table holds."""
        return int((await self._all(f"SELECT count(*) FROM {table}"))[0][0])

    async def meta(self) -> dict[str, str]:
        """The library-wide settings (model, dimension, ...)."""
        return {key: value for key, value in await self._all("SELECT key, value FROM meta")}

    async def sequences(self) -> dict[str, int]:
        """The highest id each AUTOINCREMENT table ever gave, deleted rows' included: such ids are never reused."""
        if not await self._all("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'"):
            return {}  # a file without such a table has none to tell
        return {name: int(seq) for name, seq in await self._all("SELECT name, seq FROM sqlite_sequence")}

    async def rows(self, table: str, columns: Sequence[str], after: int, limit: int) -> list[tuple[Any, ...]]:
        """Up to `limit` rows after rowid `after`, in rowid (for an id column: id) order, each led by its rowid."""
        return await self._all(f"SELECT rowid, {self._select(table, columns)} FROM {table} WHERE rowid > ?"
                               " ORDER BY rowid LIMIT ?", (after, limit))

    async def rows_by_article(self, table: str, columns: Sequence[str], after: str,
                              articles: int) -> list[tuple[Any, ...]]:
        """The rows of the next `articles` articles after id `after`, every row of each, each led by its article id
        (for a table without a key, which a copy replaces an article at a time)."""
        return await self._all(
            f"SELECT article_id, {self._select(table, columns)} FROM {table} WHERE article_id IN"
            f" (SELECT DISTINCT article_id FROM {table} WHERE article_id > ? ORDER BY article_id LIMIT ?)"
            " ORDER BY article_id, rowid", (after, articles))

    def _select(self, table: str, columns: Sequence[str]) -> str:
        """The select list for these columns, borrowed ones as their subquery."""
        borrowed = self._borrowed.get(table, {})
        return ", ".join(f"{borrowed[name]} AS {name}" if name in borrowed else f'"{name}"' for name in columns)

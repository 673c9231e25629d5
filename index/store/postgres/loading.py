"""A PostgreSQL database as a copy of SQLite files fills it: migrated first, written a batch per transaction with
the ids kept, the library's vector column typed and indexed once the rows are in, ids continued after the copied."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from index.store.errors import StoreError
from index.store.postgres.conversion import DERIVED, Column, Row, converted, value_sql
from index.store.postgres.database import Database, Queries
from index.store.postgres.sidedb import PgSideDatabase
from index.store.postgres.store import Store
from index.store.postgres.vectorstore import PgVectors

_COLUMNS = """
SELECT column_name, CASE WHEN data_type = 'USER-DEFINED' THEN udt_name ELSE data_type END, is_identity = 'YES'
FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position
"""
_TABLES = """
SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
ORDER BY table_name
"""
_PRIMARY_KEY = """
SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
WHERE i.indrelid = $1::regclass AND i.indisprimary
"""


class PgTables(Queries):
    """The tables of a database's schema (its connections' search path) as a copy fills them, whatever they hold."""

    def __init__(self, database: Database) -> None:
        super().__init__(database)
        self._columns: dict[str, list[Column]] = {}

    @classmethod
    async def side(cls, url: str, name: str, migrations: Sequence[str]) -> PgTables:
        """The schema `name` of the database at `url`, made and migrated as the front end's side database makes it."""
        return cls((await PgSideDatabase.open(url, name, migrations)).database)

    @property
    def where(self) -> str:
        """The database as messages name it (no password)."""
        return self._db.where

    async def close(self) -> None:
        """Close its connections."""
        await self._db.close()

    async def tables(self) -> list[str]:
        """The schema's tables, by name."""
        return [row[0] for row in await self._all(_TABLES)]

    async def tables_with_rows(self, tables: Sequence[str]) -> list[str]:
        """Those of the tables that hold any row."""
        return [table for table in tables if await self._value(f"SELECT EXISTS (SELECT 1 FROM {table})")]

    async def columns(self, table: str) -> list[Column]:
        """The table's columns, in their order."""
        if table not in self._columns:
            self._columns[table] = [Column(*row) for row in await self._all(_COLUMNS, table)]
        return self._columns[table]

    async def written(self, table: str, source_columns: Sequence[str]) -> list[Column]:
        """The columns a copy writes: those SQLite has too; the rest keep their default."""
        return [column for column in await self.columns(table) if column.name in source_columns]

    async def write(self, table: str, columns: Sequence[Column], rows: Sequence[Row], dimension: int,
                    resume: bool) -> None:
        """Insert a batch of rows in one transaction, those already there (a resumed copy) left as they are."""
        async with self._transaction():
            if resume:
                rows = await self._unseen(table, rows)
            await self._insert(table, columns, rows, dimension)

    async def _unseen(self, table: str, rows: Sequence[Row]) -> Sequence[Row]:
        """The rows whose key the table does not hold yet (all of them for a table without a one-column key)."""
        key = [row[0] for row in await self._all(_PRIMARY_KEY, table)]
        if len(key) != 1 or not rows:
            return rows
        present = {row[0] for row in await self._all(f"SELECT {key[0]} FROM {table} WHERE {key[0]} = ANY($1)",
                                                     [row[key[0]] for row in rows])}
        return [row for row in rows if row[key[0]] not in present]

    async def _insert(self, table: str, columns: Sequence[Column], rows: Sequence[Row], dimension: int) -> None:
        """Insert rows with their own ids; one already there (same key) is left as it is."""
        if not rows:
            return
        names = ", ".join(f'"{column.name}"' for column in columns)
        values = ", ".join(value_sql(column, n) for n, column in enumerate(columns, start=1))
        overriding = " OVERRIDING SYSTEM VALUE" if any(column.identity for column in columns) else ""
        try:
            await self._executemany(f"INSERT INTO {table} ({names}){overriding} VALUES ({values})"
                                    " ON CONFLICT DO NOTHING", converted(table, columns, rows, dimension))
        except asyncpg.IntegrityConstraintViolationError as error:  # a row SQLite let through, say a dangling id
            raise StoreError(f"{self.where}: {table}: a row of the SQLite file is refused ({error}); nothing of "
                             "this batch was written") from None

    async def count(self, table: str) -> int:
        """How many rows the table holds."""
        return int(await self._value(f"SELECT count(*) FROM {table}"))

    async def continue_ids(self, table: str, used: int) -> None:
        """Make the table's next id follow every id it holds and every one SQLite ever gave (`used`), so no id of a
        deleted row, which the question log may quote, is given again."""
        if not any(column.identity for column in await self.columns(table)):
            return
        top = max(used, int(await self._value(f"SELECT coalesce(max(id), 0) FROM {table}")))
        await self._value("SELECT setval(pg_get_serial_sequence($1, 'id'), $2, $3)", table, max(top, 1), top > 0)


class PgTarget(PgTables):
    """The database a library is copied into: its tables, and the vector index built once they are filled."""

    def __init__(self, store: Store) -> None:
        super().__init__(store.database)
        self._store = store

    @classmethod
    async def open(cls, url: str) -> PgTarget:
        """Connect to the database at `url` and give it the library's schema, or raise a one-line StoreError."""
        return cls(await Store.open(url, pool_size=2))

    async def close(self) -> None:
        """Close its connections."""
        await self._store.close()

    async def library(self) -> tuple[str | None, int]:
        """The embedding model and dimension of the library the database holds (None, 0: none yet)."""
        rows = dict(await self._all("SELECT key, value FROM meta WHERE key IN ('embedding_model', 'dimension')"))
        return rows.get("embedding_model"), int(rows.get("dimension") or 0)

    async def written(self, table: str, source_columns: Sequence[str]) -> list[Column]:
        """The columns a copy writes: those SQLite has too, and those made from them; the rest stay NULL."""
        return [column for column in await self.columns(table)
                if column.name in source_columns or column.name in DERIVED]

    async def replace_articles(self, table: str, columns: Sequence[Column], article_ids: Sequence[str],
                               rows: Sequence[Row], dimension: int) -> None:
        """Replace a keyless table's rows of these articles in one transaction, so a resumed copy adds none twice."""
        async with self._transaction():
            await self._execute(f"DELETE FROM {table} WHERE article_id = ANY($1::text[])", list(article_ids))
            await self._insert(table, columns, rows, dimension)

    async def index_vectors(self, model: str, dimension: int) -> None:
        """Type the vector column, build its index over every copied passage at once, and record the model."""
        await PgVectors(self._store).start(model, dimension)

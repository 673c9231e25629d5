"""A SQLite library copied into a PostgreSQL database with its ids, so a library moves to a database many processes
share without ingesting anything again (the FAISS files are not read: vectors come from the passages' blobs)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from index.ingest.duplicates import PERMUTATIONS, ROWS_PER_BAND
from index.store.backends import DATABASE_FILE, POSTGRES_SCHEMES
from index.store.errors import StoreError

if TYPE_CHECKING:
    from index.store.postgres.loading import PgTables, PgTarget
    from index.store.sqlite.source import SqliteSource

# Rows per transaction: an interrupted copy keeps what it committed, and a resumed one skips it.
BATCH = 5000
# Every table of the library, in the order foreign keys need (an article before its sentences, a question before
# its votes). The full-text indexes are not copied: PostgreSQL's are built from the rows.
TABLES = ("meta", "articles", "sentences", "chunks", "signatures", "signature_bands", "copies", "questions",
          "feedback", "feeds", "feed_items", "follows", "alerts")
# Tables without a key, so that ON CONFLICT cannot tell a row copied before: copied an article at a time, the
# article's rows replaced. An article has a row per LSH band.
_BY_ARTICLE = {"signature_bands": PERMUTATIONS // ROWS_PER_BAND}
# Meta rows the vector index writes once it is built (after every row is in): copied through it.
_INDEXED = ("embedding_model", "dimension")


@dataclass(frozen=True)
class CopyProgress:
    """How far the copy of one table has got: rows read from SQLite and written (or found already there)."""

    table: str  # a side database's as <schema>.<table>
    copied: int
    rows: int  # in the SQLite table


@dataclass(frozen=True)
class TableCopy:
    """One table's rows in the SQLite file and, after the copy, in the database."""

    table: str  # a side database's as <schema>.<table>
    sqlite: int
    postgresql: int
    left_out: tuple[str, ...] = ()  # SQLite columns the database has no place for


@dataclass(frozen=True)
class CopyReport:
    """A finished copy of a SQLite file: where from and to, and every table's counts on both sides."""

    source: Path
    target: str  # the database as messages name it, without a password
    tables: tuple[TableCopy, ...]
    dimension: int  # of the vectors indexed (0: none, as in a library without any yet or a side database)

    @property
    def equal(self) -> bool:
        """Whether every table holds as many rows in the database as in the SQLite file."""
        return all(table.sqlite == table.postgresql for table in self.tables)


Progress = Callable[[CopyProgress], None]
Row = Mapping[str, Any]


async def copy_library(data_dir: Path, url: str, resume: bool = False, progress: Progress | None = None,
                       batch: int = BATCH) -> CopyReport:
    """Copy the library in `data_dir` into the PostgreSQL database at `url` (given the library's schema); refuse a
    database already holding rows unless resuming an interrupted copy. Bad input is a one-line StoreError."""
    require_postgres(url)
    path = data_dir / DATABASE_FILE
    if not path.is_file():
        raise StoreError(f"no library in {data_dir}: nothing to copy (check --data-dir, NEWSBOT_DATA_DIR and data_dir "
                         "in the config)")
    from index.store.postgres.loading import PgTarget  # the driver, imported only by those who copy
    from index.store.sqlite.source import SqliteSource

    source = await SqliteSource.open(path)
    try:
        target = await PgTarget.open(url)
        try:
            return await _copy(source, target, resume, progress or (lambda _: None), max(1, batch))
        finally:
            await target.close()
    finally:
        await source.close()


async def _copy(source: SqliteSource, target: PgTarget, resume: bool, progress: Progress, batch: int) -> CopyReport:
    """Check the database can take the library, copy every table, index the vectors, continue the ids, count."""
    meta = await source.meta()
    model, dimension = meta.get("embedding_model", ""), int(meta.get("dimension") or 0)
    holding = await target.tables_with_rows(TABLES)
    if holding and not resume:
        raise StoreError(f"{target.where} already holds rows ({listed(holding)}): copy into an empty database, or add "
                         "--resume to finish a copy that was interrupted")
    stored_model, stored_dimension = await target.library()
    if stored_dimension and (stored_model, stored_dimension) != (model, dimension):
        raise StoreError(f"{target.where} holds a library of {stored_model} ({stored_dimension} dimensions), not of "
                         f"{model or 'no model'} ({dimension}): copy into an empty database")
    left_out = {table: await _copy_table(source, target, table, resume, progress, batch, dimension)
                for table in TABLES}
    if dimension:
        await target.index_vectors(model, dimension)
    used = await source.sequences()
    for table in TABLES:
        await target.continue_ids(table, used.get(table, 0))
    counts = [TableCopy(table, await source.count(table), await target.count(table), left_out[table])
              for table in TABLES]
    return CopyReport(source.path, target.where, tuple(counts), dimension)


def require_postgres(url: str) -> None:
    """Refuse, in one line, an address that is not a PostgreSQL database's."""
    if not url.startswith(POSTGRES_SCHEMES):
        raise StoreError(f"newsbot copies into a PostgreSQL database: give a postgresql:// address, "
                         f"not {url.split(':')[0]!r}")


def listed(tables: Sequence[str]) -> str:
    """The first few tables' names, for a one-line message."""
    return ", ".join(tables[:3]) + (", ..." if len(tables) > 3 else "")


async def _copy_table(source: SqliteSource, target: PgTarget, table: str, resume: bool, progress: Progress,
                      batch: int, dimension: int) -> tuple[str, ...]:
    """Copy one library table a batch per transaction; return the SQLite columns the database has no place for."""
    if table == "meta" and dimension:  # the rows the vector index writes are left to it
        return await copy_rows(source, target, table, resume, progress, batch, dimension,
                               keep=lambda row: row["key"] not in _INDEXED)
    if table not in _BY_ARTICLE:
        return await copy_rows(source, target, table, resume, progress, batch, dimension)
    source_columns = await source.columns(table)
    columns = await target.written(table, source_columns)
    names = [column.name for column in columns if column.name in source_columns]
    rows, copied, after = await source.count(table), 0, ""
    progress(CopyProgress(table, 0, rows))
    while found := await source.rows_by_article(table, names, after, max(1, batch // _BY_ARTICLE[table])):
        after = found[-1][0]
        await target.replace_articles(table, columns, sorted({row[0] for row in found}),
                                      [dict(zip(names, row[1:], strict=True)) for row in found], dimension)
        copied += len(found)
        progress(CopyProgress(table, copied, rows))
    return await _left_out(target, table, source_columns)


async def copy_rows(source: SqliteSource, target: PgTables, table: str, resume: bool, progress: Progress, batch: int,
                    dimension: int = 0, keep: Callable[[Row], bool] = lambda row: True,
                    label: str = "") -> tuple[str, ...]:
    """Copy a table's rows that `keep` takes, a batch per transaction in rowid order, its progress told under `label`
    (default: the table's name); return the SQLite columns the database has no place for."""
    source_columns = await source.columns(table)
    columns = await target.written(table, source_columns)
    names = [column.name for column in columns if column.name in source_columns]
    label, rows, copied, last = label or table, await source.count(table), 0, 0
    progress(CopyProgress(label, 0, rows))
    while found := await source.rows(table, names, last, batch):
        last = found[-1][0]
        chosen = [row for row in (dict(zip(names, row[1:], strict=True)) for row in found) if keep(row)]
        await target.write(table, columns, chosen, dimension, resume)
        copied += len(found)
        progress(CopyProgress(label, copied, rows))
    return await _left_out(target, table, source_columns)


async def _left_out(target: PgTables, table: str, source_columns: Sequence[str]) -> tuple[str, ...]:
    """The SQLite columns the database's table has no place for."""
    known = {column.name for column in await target.columns(table)}
    return tuple(name for name in source_columns if name not in known)

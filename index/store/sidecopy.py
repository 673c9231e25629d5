"""A front end's side database (the bot's bot.db) copied from its SQLite file into its schema of a PostgreSQL
database: every table and column read from the file itself, so the engine needs to know none of them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from index.store.copy import BATCH, CopyReport, Progress, TableCopy, copy_rows, listed, require_postgres
from index.store.errors import StoreError
from index.store.sidedb import side_file

if TYPE_CHECKING:
    from index.store.postgres.loading import PgTables
    from index.store.sqlite.source import SqliteSource


async def copy_side_database(data_dir: Path, url: str, name: str, migrations: Mapping[str, Sequence[str]],
                             resume: bool = False, progress: Progress | None = None,
                             batch: int = BATCH) -> CopyReport | None:
    """Copy the side database `name` from data_dir/<name>.db into the schema `name` of the PostgreSQL database at
    `url`, made and migrated with `migrations` as open_side_database makes it; None when there is no such file. A
    schema already holding rows is refused unless resuming an interrupted copy. Bad input is a one-line StoreError."""
    require_postgres(url)
    path = side_file(data_dir, name)
    if not path.is_file():
        return None
    from index.store.postgres.loading import PgTables  # the driver, imported only by those who copy
    from index.store.sqlite.source import SqliteSource

    source = await SqliteSource.open(path, migrations["sqlite"], borrowed={})
    try:
        target = await PgTables.side(url, name, migrations["postgresql"])
        try:
            return await _copy(source, target, name, resume, progress or (lambda _: None), max(1, batch))
        finally:
            await target.close()
    finally:
        await source.close()


async def _copy(source: SqliteSource, target: PgTables, name: str, resume: bool, progress: Progress,
                batch: int) -> CopyReport:
    """Check the schema can take the file's tables, copy each (rows already there kept), continue the ids, count."""
    tables, places = await source.tables(), await target.tables()
    homeless = [table for table in tables if table not in places]
    if homeless:
        raise StoreError(f"{source.path}: schema {name} of {target.where} has no table {listed(homeless)}: the file "
                         "holds tables this newsbot does not make; nothing was copied")
    holding = await target.tables_with_rows(places)
    if holding and not resume:
        # Rows a front end wrote there itself (say a salt it made) must not be mixed with the file's unasked.
        raise StoreError(f"{target.where} already holds rows in schema {name} ({listed(holding)}): copy into a "
                         f"database whose schema {name} is empty, or add --resume to finish a copy that was "
                         "interrupted")
    left_out = {table: await copy_rows(source, target, table, resume, progress, batch, label=f"{name}.{table}")
                for table in tables}
    used = await source.sequences()
    for table in tables:
        await target.continue_ids(table, used.get(table, 0))
    counts = [TableCopy(f"{name}.{table}", await source.count(table), await target.count(table), left_out[table])
              for table in tables]
    return CopyReport(source.path, target.where, tuple(counts), 0)

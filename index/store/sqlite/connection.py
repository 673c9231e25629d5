"""Opening the library's SQLite file: read-write, or read-only where the disk or the folder cannot be written."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Mapping
from pathlib import Path

import aiosqlite

from index.store.sqlite.faults import file_fault, read_only


async def connect(path: Path) -> tuple[aiosqlite.Connection, bool]:
    """A connection to the database at `path` (its folder made if missing), and whether it is read-only."""
    writable = _writable(path)
    if writable:
        return await aiosqlite.connect(path, isolation_level=None), False
    return await connect_read_only(path), True


async def configure(db: aiosqlite.Connection, read_only: bool, functions: Mapping[str, Callable]) -> None:
    """Set a connection up: WAL (unless read-only), durability, foreign keys, caches, and SQL functions."""
    if not read_only:
        await db.execute("PRAGMA journal_mode=WAL")
    await db.execute("PRAGMA synchronous=NORMAL")
    await db.execute("PRAGMA foreign_keys=ON")
    # The FTS5 indexes are read on every question: keep their pages in memory rather than re-read them.
    await db.execute("PRAGMA cache_size=-65536")
    await db.execute("PRAGMA mmap_size=268435456")
    for name, function in functions.items():
        await db.create_function(name, 1, function, deterministic=True)


def _writable(path: Path) -> bool:
    """Whether the library's folder (made if missing) and database file can be written; an error if neither is
    there to read."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise file_fault(error, path) from error
    writable = os.access(path.parent, os.W_OK) and (not path.exists() or os.access(path, os.W_OK))
    if not writable and not path.exists():
        raise read_only(path.parent, "no library can be made there")
    return writable


async def connect_read_only(path: Path) -> aiosqlite.Connection:
    """A read-only connection: through the write-ahead log if its files are there, else to the file as it stands."""
    uri = path.resolve().as_uri()
    db = await aiosqlite.connect(f"{uri}?mode=ro", uri=True, isolation_level=None)
    try:
        await db.execute("PRAGMA user_version")  # connecting is lazy: the first read tells whether it works
        return db
    except sqlite3.OperationalError:  # the log's shared-memory file cannot be made in a read-only folder
        await db.close()
    return await aiosqlite.connect(f"{uri}?immutable=1", uri=True, isolation_level=None)

"""Numbered migrations applied to a SQLite file, PRAGMA user_version counting those it has had."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import aiosqlite

from index.store.sqlite.faults import ReadOnlyError, StoreError, database_faults


async def apply_migrations(db: aiosqlite.Connection, migrations: Sequence[str], path: Path,
                           read_only: bool = False) -> None:
    """Apply the migrations a database has not had yet, each in its own transaction; refuse one from a newer newsbot."""
    async with db.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    version = row[0] if row else 0
    if version > len(migrations):
        raise StoreError(f"{path}: made by a newer newsbot (schema {version}); upgrade newsbot")
    if version < len(migrations) and read_only:
        raise ReadOnlyError(f"{path}: made by an older newsbot, and read-only: open it once where it can "
                            "be written, so it can be upgraded")
    for number, script in enumerate(migrations[version:], start=version + 1):
        with database_faults(path):
            await db.executescript(f"BEGIN IMMEDIATE; {script}; PRAGMA user_version={number}; COMMIT;")

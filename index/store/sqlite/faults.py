"""What a failing disk or SQLite database means to the user: its errors as the one-line store errors."""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from index.store.errors import BusyError, CorruptDatabaseError, DiskFullError, ReadOnlyError, StoreError


def disk_full(folder: Path) -> DiskFullError:
    """The one line for a full disk."""
    return DiskFullError(f"{folder}: the disk is full; free some space and run the command again "
                         "(what was stored before is kept)")


def read_only(folder: Path, reason: str) -> ReadOnlyError:
    """The one line for a library that cannot be written."""
    return ReadOnlyError(f"{folder}: the library is read-only ({reason}); commands that only read "
                         "(ask, articles, stats, summary) still work")


def database_fault(error: sqlite3.Error, path: Path) -> StoreError | None:
    """The StoreError a SQLite error stands for (None: not a fault of the disk or the file, a bug to show)."""
    code = (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF  # the primary code of an extended one
    if code == sqlite3.SQLITE_FULL:
        return disk_full(path.parent)
    if code == sqlite3.SQLITE_READONLY:
        return read_only(path.parent, str(error))
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return CorruptDatabaseError(f'{path}: the database is damaged ({error}); restore it from a backup, or see '
                                    f'what is damaged with: sqlite3 {path} "PRAGMA integrity_check"')
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return BusyError(f"{path}: busy: another newsbot is writing to it ({error}); try again when it is done")
    if code in (sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM):
        return StoreError(f"{path}: cannot read or write the database ({error})")
    return None


def file_fault(error: OSError, path: Path) -> StoreError:
    """The StoreError for a file of the library that could not be written."""
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return disk_full(path.parent)
    if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return read_only(path.parent, error.strerror or str(error))
    return StoreError(f"{path}: cannot write ({error.strerror or error})")


@contextmanager
def database_faults(path: Path) -> Iterator[None]:
    """Turn SQLite errors that are faults of the disk or the file into their StoreError."""
    try:
        yield
    except sqlite3.Error as error:
        fault = database_fault(error, path)
        if fault is None:
            raise
        raise fault from error

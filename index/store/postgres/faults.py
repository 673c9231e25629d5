"""What a failing PostgreSQL server means to the user: asyncpg's errors as the one-line store errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import asyncpg

from index.store.errors import BusyError, CorruptDatabaseError, DiskFullError, ReadOnlyError, StoreError

# Errors that mean the server cannot be reached, or will not let this user in.
_UNREACHABLE = (OSError, asyncpg.ConnectionDoesNotExistError, asyncpg.CannotConnectNowError,
                asyncpg.InvalidPasswordError, asyncpg.InvalidCatalogNameError,
                asyncpg.InvalidAuthorizationSpecificationError, asyncpg.TooManyConnectionsError)


def describe(url: str) -> str:
    """The database a URL names, as messages show it: host and name, never the password."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    if host.startswith("/") or not parts.hostname:
        host = "localhost"
    name = parts.path.lstrip("/") or parts.username or "postgres"
    return f"postgresql://{host}/{name}"


def database_fault(error: BaseException, where: str) -> StoreError | None:
    """The StoreError a driver error stands for (None: not a fault of the server, a bug to show)."""
    if isinstance(error, asyncpg.DiskFullError):
        return DiskFullError(f"{where}: the database server's disk is full; free some space and run the command "
                             "again (what was stored before is kept)")
    if isinstance(error, (asyncpg.ReadOnlySQLTransactionError, asyncpg.InsufficientPrivilegeError)):
        return ReadOnlyError(f"{where}: the library is read-only for this user ({error}); commands that only read "
                             "(ask, articles, stats, summary) still work")
    if isinstance(error, (asyncpg.LockNotAvailableError, asyncpg.QueryCanceledError,
                          asyncpg.DeadlockDetectedError, asyncpg.SerializationError)):
        return BusyError(f"{where}: busy: another newsbot is writing to it ({error}); try again when it is done")
    if isinstance(error, (asyncpg.DataCorruptedError, asyncpg.IndexCorruptedError)):
        return CorruptDatabaseError(f"{where}: the database is damaged ({error}); restore it from a backup")
    if isinstance(error, _UNREACHABLE):
        reason = getattr(error, "strerror", None) or str(error) or type(error).__name__
        return StoreError(f"{where}: cannot reach the database ({reason}); check that the server runs and that the "
                          "store's url (NEWSBOT_STORE_URL, or [store] url) names it")
    return None


@contextmanager
def database_faults(where: str) -> Iterator[None]:
    """Turn driver errors that are faults of the server or the connection into their StoreError."""
    try:
        yield
    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as error:
        fault = database_fault(error, where)
        if fault is None:
            raise
        raise fault from error

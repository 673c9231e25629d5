"""The store's errors, whichever backend holds the library: each is one line the user can act on (pure)."""

from __future__ import annotations

from index.errors import EngineError


class StoreError(EngineError):
    """The database cannot be used as it is (made by a newer newsbot, corrupt, ...)."""


class DiskFullError(StoreError):
    """The disk holding the library is full: nothing more can be written until space is freed."""


class ReadOnlyError(StoreError):
    """The library's files cannot be written (a read-only mount or permissions): only reading works."""


class CorruptDatabaseError(StoreError):
    """Some page of the database is damaged."""


class BusyError(StoreError):
    """Another process held the database's write lock for longer than the busy timeout."""

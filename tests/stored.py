"""What a library's database holds, read with plain SQL whichever backend keeps it (for tests that look inside)."""

from __future__ import annotations

import itertools
import json
import re

from index import Library
from index.store.postgres.store import Store as PostgresStore


async def stored_rows(library: Library, sql: str, *params: object) -> list[tuple]:
    """Rows of one query (`?` parameters) on the library's own database, SQLite or PostgreSQL."""
    store = library._store
    if isinstance(store, PostgresStore):
        numbers = itertools.count(1)
        return [tuple(row) for row in await store._all(re.sub(r"\?", lambda _: f"${next(numbers)}", sql), *params)]
    return [tuple(row) for row in await store._all(sql, params)]  # type: ignore[attr-defined]


def id_list(value: str | list[int]) -> list[int]:
    """A stored list of ids: JSON text in SQLite, an array in PostgreSQL."""
    return json.loads(value) if isinstance(value, str) else list(value)

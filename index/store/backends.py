"""The one place a backend is chosen: SQLite and FAISS in the data directory, or a PostgreSQL database."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from index.settings import EngineSettings
from index.store.errors import StoreError
from index.store.protocols import StorePart, VectorsPart

DATABASE_FILE = "newsbot.db"
VECTORS_FILE = "vectors.faiss"
POSTGRES_SCHEMES = ("postgresql://", "postgres://")


@dataclass
class Backend:
    """A library's store and the owner of its passage vectors, over one backend."""

    store: StorePart
    vectors: VectorsPart
    kind: str  # "sqlite" or "postgresql"


def store_url_problem(url: str) -> str | None:
    """What is wrong with a [store] url, in one line (None: it can be used)."""
    if url and not url.startswith(POSTGRES_SCHEMES):
        return f"[store] url must be empty (the data directory) or a postgresql:// address, not {url.split(':')[0]!r}"
    return None


async def open_backend(data_dir: Path, settings: EngineSettings) -> Backend:
    """Open the library's storage as the settings say, migrating it as needed."""
    url = settings.store.url
    if problem := store_url_problem(url):
        raise StoreError(problem)
    if url:
        return await _open_postgres(settings)
    from index.store.sqlite.store import Store
    from index.store.sqlite.vectorstore import VectorStore

    store = await Store.open(data_dir / DATABASE_FILE)
    return Backend(store, VectorStore(data_dir / VECTORS_FILE, store, settings.exact_up_to), "sqlite")


async def _open_postgres(settings: EngineSettings) -> Backend:
    """The library in a PostgreSQL database (its driver imported only for those who use one)."""
    from index.store.postgres.store import Store
    from index.store.postgres.vectorstore import PgVectors

    store = await Store.open(settings.store.url, settings.store.pool_size)
    return Backend(store, PgVectors(store, settings.store.ef_search), "postgresql")


def stored_here(data_dir: Path, settings: EngineSettings) -> bool:
    """Whether a library is there to open: a database is asked when opened; a data directory holds the file."""
    return bool(settings.store.url) or (data_dir / DATABASE_FILE).is_file()

"""The FAISS file beside the database: loaded, or rebuilt from the embeddings SQLite keeps, and saved when changed."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from pathlib import Path

import numpy as np

from index.store.faults import StoreError, file_fault
from index.store.store import Store
from index.store.vectors import VectorIndex, VectorIndexError

logger = logging.getLogger(__name__)


class VectorFile:
    """Where the library's vector index is kept, and whether the copy in memory has changed since."""

    def __init__(self, path: Path, store: Store, lock: threading.Lock) -> None:
        self.path = path
        self._store = store
        self._lock = lock  # the library's: FAISS is not thread-safe
        self.changed = False
        self.last_save = time.monotonic()

    async def load(self) -> VectorIndex | None:
        """The saved index, or one rebuilt from SQLite when it is missing, unreadable or out of step (None: empty)."""
        dimension = await self._store.get_meta("dimension")
        if dimension is None:
            return None
        stored_ids = await self._store.chunk_ids()
        vectors = await asyncio.to_thread(self._read, int(dimension))
        if vectors is None or not np.array_equal(vectors.ids(), stored_ids):
            ids, matrix = await self._store.chunk_embeddings(int(dimension))
            vectors = await asyncio.to_thread(VectorIndex.build, int(dimension), ids, matrix)
            self.changed = True
            try:
                await self.save(vectors)
            except StoreError as error:  # a command that only reads still works: the index is rebuilt next time
                self.changed = False
                logger.warning("vector index rebuilt but not saved: %s", error)
        return vectors

    def _read(self, dimension: int) -> VectorIndex | None:
        """The saved index; None when there is none or it cannot be read (SQLite is the source of truth)."""
        if not self.path.exists():
            return None
        try:
            return VectorIndex.load(self.path, dimension)
        except VectorIndexError:
            return None

    async def save(self, vectors: VectorIndex | None) -> None:
        """Write the index atomically if it changed (never in a read-only library); a full disk is a StoreError."""
        if vectors is None or not self.changed or self._store.read_only:
            return
        try:
            await asyncio.to_thread(self._save, vectors)
        except OSError as error:
            raise file_fault(error, self.path) from error
        self.changed = False
        self.last_save = time.monotonic()

    def _save(self, vectors: VectorIndex) -> None:
        """Write under the lock, in a worker thread."""
        with self._lock:
            vectors.save(self.path)

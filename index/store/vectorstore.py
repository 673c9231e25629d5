"""The library's FAISS index: loaded or rebuilt from SQLite, searched, kept in step with writers, saved when changed."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from index.store.faults import StoreError, file_fault
from index.store.store import Store
from index.store.vectors import VectorIndex, VectorIndexError

logger = logging.getLogger(__name__)


class VectorStore:
    """The one owner of the vector index: every search, change and save of FAISS goes through it.

    `writing` is the library's write lock: held while a batch is diffed against SQLite and written, so two
    writers (an ingest, a removal, catching up with another process) never interleave.
    """

    def __init__(self, path: Path, store: Store) -> None:
        self.path = path
        self._store = store
        self._index: VectorIndex | None = None
        # FAISS is not thread-safe, and searches and changes run in worker threads.
        self._faiss_lock = threading.Lock()
        self.writing = asyncio.Lock()
        self._changed = False
        self._last_save = time.monotonic()
        self._data_version: int | None = None

    def __len__(self) -> int:
        """Vectors in the index (0 before the first article)."""
        return len(self._index) if self._index is not None else 0

    async def load(self) -> None:
        """The saved index, or one rebuilt from SQLite when it is missing, unreadable or out of step."""
        dimension = await self._store.get_meta("dimension")
        if dimension is None:
            return
        stored_ids = await self._store.chunk_ids()
        self._index = await asyncio.to_thread(self._read, int(dimension))
        if self._index is None or not np.array_equal(self._index.ids(), stored_ids):
            ids, matrix = await self._store.chunk_embeddings(int(dimension))
            self._index = await asyncio.to_thread(VectorIndex.build, int(dimension), ids, matrix)
            self._changed = True
            try:
                await self.save()
            except StoreError as error:  # a command that only reads still works: the index is rebuilt next time
                self._changed = False
                logger.warning("vector index rebuilt but not saved: %s", error)

    def _read(self, dimension: int) -> VectorIndex | None:
        """The saved index; None when there is none or it cannot be read (SQLite is the source of truth)."""
        if not self.path.exists():
            return None
        try:
            return VectorIndex.load(self.path, dimension)
        except VectorIndexError:
            return None

    async def search(self, query_vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        """The k passages of the whole library nearest the query, best first, by FAISS in a worker thread."""
        if self._index is None:
            return []
        return await asyncio.to_thread(self._search, self._index, query_vector, k)

    def _search(self, index: VectorIndex, query_vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        """FAISS's search under the FAISS lock."""
        with self._faiss_lock:
            return index.search(query_vector, k)

    async def start(self, model: str, dimension: int) -> None:
        """Before the first write: record the model and dimension, and make an empty index (call under `writing`)."""
        if self._index is not None:
            return
        await self._store.set_meta("embedding_model", model)
        await self._store.set_meta("dimension", str(dimension))
        self._index = VectorIndex(dimension)

    async def apply(self, removed: Sequence[int], added: Sequence[int], matrix: np.ndarray | None = None) -> None:
        """Drop the removed passages and add the new ones (one matrix row each) after SQLite committed them."""
        if self._index is None or not (removed or added):
            return
        rows = matrix if matrix is not None else np.zeros((0, self._index.dimension), dtype=np.float32)
        await asyncio.to_thread(self._update, self._index, removed, added, rows)
        self._changed = True  # only this process's own writes: another writer saves what it wrote

    def _update(self, index: VectorIndex, removed: Sequence[int], added: Sequence[int], matrix: np.ndarray) -> None:
        """Remove and add under the FAISS lock."""
        with self._faiss_lock:
            if removed:
                index.remove(np.array(removed, dtype=np.int64))
            if added:
                index.add(np.array(added, dtype=np.int64), matrix)

    async def follow(self) -> None:
        """Bring FAISS in step with what another process committed (an ingest beside a running bot)."""
        version = await self._store.data_version()
        if version == self._data_version:
            return
        # Under the write lock: our own ingest must not add the same chunks between the diff and the update.
        async with self.writing:
            self._data_version = version
            if self._index is None:
                await self.load()
                return
            stored = await self._store.chunk_ids()
            ids = self._index.ids()
            missing, stale = np.setdiff1d(stored, ids), np.setdiff1d(ids, stored)
            if missing.size or stale.size:
                found, matrix = await self._store.chunk_embeddings(self._index.dimension, missing.tolist())
                await asyncio.to_thread(self._update, self._index, stale.tolist(), found.tolist(), matrix)

    async def save_if_due(self, every_seconds: float) -> None:
        """Save when the last save is older than `every_seconds`, so a crash loses at most that much rebuilding."""
        if time.monotonic() - self._last_save > every_seconds:
            await self.save()

    async def save(self) -> None:
        """Write the index atomically if it changed (never in a read-only library); a full disk is a StoreError."""
        if self._index is None or not self._changed or self._store.read_only:
            return
        try:
            await asyncio.to_thread(self._save, self._index)
        except OSError as error:
            raise file_fault(error, self.path) from error
        self._changed = False
        self._last_save = time.monotonic()

    def _save(self, index: VectorIndex) -> None:
        """Write under the FAISS lock, in a worker thread."""
        with self._faiss_lock:
            index.save(self.path)

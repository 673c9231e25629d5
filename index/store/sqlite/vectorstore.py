"""The library's FAISS indexes, one per scope: loaded or rebuilt from SQLite, searched, kept in step, saved."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from index.store.blobs import as_stored
from index.store.sqlite.compaction import FLOAT16
from index.store.sqlite.faults import StoreError, file_fault
from index.store.sqlite.store import Store
from index.store.sqlite.vectors import VectorIndex, VectorIndexError

logger = logging.getLogger(__name__)

Hits = list[tuple[int, float]]


class VectorStore:
    """The one owner of the vector indexes: every search, change and save of FAISS goes through it.

    The operator's library (scope None) and each Discord server's own articles have an index of their own, so a
    search looks only where the asking scope may: the global index (less the articles the scope holds its own copy
    of) and the scope's own. No other scope's passage is ever a candidate, however many there are.
    Catching up with another process happens under the store's write lock (`Store.writing`), as every write does.
    """

    def __init__(self, path: Path, store: Store, exact_up_to: int) -> None:
        self.path = path
        self._store = store
        self._exact_up_to = exact_up_to
        self._indexes: dict[str | None, VectorIndex] = {}
        self._dimension = 0
        # FAISS is not thread-safe, and searches and changes run in worker threads.
        self._faiss_lock = threading.Lock()
        self._changed: set[str | None] = set()
        self._shadowed: dict[str, np.ndarray] = {}  # per scope, until the next change
        self._last_save = time.monotonic()
        self._data_version: int | None = None

    async def count(self) -> int:
        """Vectors in every index (0 before the first article)."""
        return sum(len(index) for index in self._indexes.values())

    async def empty(self) -> bool:
        """Whether no passage has a vector yet (the library has no articles)."""
        return not await self.count()

    async def stored_bytes(self) -> int:
        """The size of the library's own index file (0 before it is first saved)."""
        return self.path.stat().st_size if self.path.exists() else 0

    def file(self, scope: str | None) -> Path:
        """Where a scope's index is saved: the library's own file, or one beside it named by the scope's bytes."""
        return self.path if scope is None else self.path.with_name(f"{self.path.stem}-{scope.encode().hex()}.faiss")

    async def load(self) -> None:
        """Each scope's saved index, or one rebuilt from SQLite when it is missing, unreadable or out of step."""
        self._dimension = self._store.dimension
        if not self._dimension:
            return
        for scope, stored_ids in (await self._store.chunk_ids()).items():
            saved = await asyncio.to_thread(self._read, scope, stored_ids)
            self._indexes[scope] = saved if saved is not None else await self._rebuilt(scope)
        try:
            await self.save()
        except StoreError as error:  # a command that only reads still works: the index is rebuilt next time
            self._changed.clear()
            logger.warning("vector index rebuilt but not saved: %s", error)

    def _read(self, scope: str | None, stored_ids: np.ndarray) -> VectorIndex | None:
        """A scope's saved index; None when there is none, it cannot be read, or it is out of step with SQLite (the
        source of truth) or of the wrong kind for its size."""
        path = self.file(scope)
        if not path.exists():
            return None
        try:
            index = VectorIndex.load(path, self._dimension)
        except VectorIndexError:
            return None
        return index if index.fits(self._exact_up_to) and np.array_equal(index.ids(), stored_ids) else None

    async def _rebuilt(self, scope: str | None) -> VectorIndex:
        """A scope's index made afresh from its stored chunks, of the kind that suits their number."""
        ids, matrix = await self._store.chunk_embeddings(scope)
        self._changed.add(scope)
        return await asyncio.to_thread(VectorIndex.build, self._dimension, ids, matrix, self._exact_up_to)

    async def search(self, query_vector: np.ndarray, k: int, scope: str | None = None) -> Hits:
        """The k passages nearest the query among those the scope sees, best first, by FAISS in a worker thread."""
        exclude = await self._shadowed_chunks(scope) if scope is not None else None
        return await asyncio.to_thread(self._search, query_vector, k, scope, exclude)

    def _search(self, query_vector: np.ndarray, k: int, scope: str | None, exclude: np.ndarray | None) -> Hits:
        """The best k of the global index and the scope's own, under the FAISS lock."""
        with self._faiss_lock:
            hits = self._indexes[None].search(query_vector, k, exclude) if None in self._indexes else []
            if scope is not None and scope in self._indexes:
                hits += self._indexes[scope].search(query_vector, k)
        return sorted(hits, key=lambda hit: -hit[1])[:k]

    async def _shadowed_chunks(self, scope: str) -> np.ndarray | None:
        """The global passages this scope does not see (it holds its own copy of their article); None for none."""
        if scope not in self._shadowed:
            self._shadowed[scope] = await self._store.shadowed_chunks(scope)
        shadowed = self._shadowed[scope]
        return shadowed if shadowed.size else None

    async def start(self, model: str, dimension: int) -> None:
        """Before the first write: record the model and dimension (call under `writing`)."""
        if self._dimension:
            return
        await self._store.set_meta("embedding_model", model)
        await self._store.set_meta("dimension", str(dimension))
        await self._store.set_meta("embedding_format", FLOAT16)
        self._dimension = dimension

    async def apply(self, scope: str | None, removed: Sequence[int], added: Sequence[int],
                    matrix: np.ndarray | None = None) -> None:
        """Drop one scope's removed passages and add its new ones (a matrix row each) after SQLite committed them."""
        if not self._dimension or not (removed or added):
            return
        # Rounded as SQLite keeps them, so the index is the same as one rebuilt from SQLite.
        rows = as_stored(matrix) if matrix is not None else np.zeros((0, self._dimension), dtype=np.float32)
        await self._update(scope, np.array(removed, dtype=np.int64), np.array(added, dtype=np.int64), rows)

    async def _update(self, scope: str | None, removed: np.ndarray, added: np.ndarray, matrix: np.ndarray) -> None:
        """Change one scope's index, rebuilding it from SQLite when its size calls for another kind of index."""
        index = self._indexes.setdefault(scope, VectorIndex(self._dimension))
        await asyncio.to_thread(self._change, index, removed, added, matrix)
        self._changed.add(scope)  # only this process's own writes: another writer saves what it wrote
        self._shadowed.clear()
        if not index.fits(self._exact_up_to):
            rebuilt = await self._rebuilt(scope)
            with self._faiss_lock:  # searches go on with the old index until this moment
                self._indexes[scope] = rebuilt

    def _change(self, index: VectorIndex, removed: np.ndarray, added: np.ndarray, matrix: np.ndarray) -> None:
        """Remove and add under the FAISS lock."""
        with self._faiss_lock:
            if removed.size:
                index.remove(removed)
            if added.size:
                index.add(added, matrix)

    async def follow(self) -> None:
        """Bring FAISS in step with what another process committed (an ingest beside a running bot)."""
        version = await self._store.data_version()
        if version == self._data_version:
            return
        # Under the write lock: our own ingest must not add the same chunks between the diff and the update.
        async with self._store.writing(None):
            self._data_version = version
            if not self._dimension:
                await self.load()
                return
            # Listing and comparing a large index's ids takes tens of ms: off the event loop.
            differences = await asyncio.to_thread(self._differences, await self._store.chunk_ids())
            for scope, (missing, stale) in differences.items():
                found, matrix = await self._store.chunk_embeddings(scope, missing.tolist())
                await self._update(scope, stale, found, matrix)

    def _differences(self, stored: dict[str | None, np.ndarray]) -> dict[str | None, tuple[np.ndarray, np.ndarray]]:
        """For each scope out of step with SQLite: the chunk ids its index lacks, and those it holds no longer."""
        none = np.zeros(0, dtype=np.int64)
        differences = {}
        with self._faiss_lock:
            for scope in set(stored) | set(self._indexes):
                have = self._indexes[scope].ids() if scope in self._indexes else none
                want = stored.get(scope, none)
                missing, stale = np.setdiff1d(want, have), np.setdiff1d(have, want)
                if missing.size or stale.size:
                    differences[scope] = (missing, stale)
        return differences

    async def save_if_due(self, every_seconds: float) -> None:
        """Save when the last save is older than `every_seconds`, so a crash loses at most that much rebuilding."""
        if time.monotonic() - self._last_save > every_seconds:
            await self.save()

    async def save(self) -> None:
        """Write each changed index atomically (never in a read-only library); a full disk is a StoreError."""
        if self._store.read_only:
            return
        for scope in list(self._changed):
            try:
                await asyncio.to_thread(self._save, scope)
            except OSError as error:
                raise file_fault(error, self.file(scope)) from error
            self._changed.discard(scope)
        self._last_save = time.monotonic()

    def _save(self, scope: str | None) -> None:
        """Write one scope's index under the FAISS lock, in a worker thread; an emptied server's file goes."""
        with self._faiss_lock:
            index = self._indexes.get(scope)
            if index is None or (scope is not None and len(index) == 0):
                self._indexes.pop(scope, None)
                self.file(scope).unlink(missing_ok=True)
                return
            index.save(self.file(scope))

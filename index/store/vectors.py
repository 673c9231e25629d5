"""A FAISS inner-product index whose ids are SQLite passage (chunk) row ids."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

import faiss
import numpy as np

_FAISS_LOCATION = re.compile(r"^Error in .*? at \S+:\d+: (Error: )?")


class VectorIndexError(RuntimeError):
    """A saved index could not be read or does not fit the configured embedder."""


class VectorIndex:
    """Exact inner-product search over unit vectors, keyed by int64 row ids.

    Not thread-safe: FAISS releases the GIL, so callers run it in worker threads
    (never on the event loop) and serialise writes against reads themselves.
    """

    def __init__(self, dimension: int) -> None:
        if dimension < 1:
            raise ValueError(f"dimension must be positive, got {dimension}")
        # Exact flat search rather than IVF: approximate search lost answers in
        # our measurements, and a news corpus is small enough to scan.
        self._index = faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))
        # FAISS itself would silently accept a duplicate id; a set makes the check O(batch).
        self._ids: set[int] = set()

    @property
    def dimension(self) -> int:
        """Length of the vectors this index holds."""
        return int(self._index.d)

    def __len__(self) -> int:
        """Number of vectors in the index."""
        return int(self._index.ntotal)

    def add(self, ids: Sequence[int] | np.ndarray, vectors: np.ndarray) -> None:
        """Add one vector per id; raises ValueError on bad shapes or an id already present."""
        id_array = _as_ids(ids)
        matrix = np.asarray(vectors)
        if matrix.ndim != 2 or matrix.shape != (len(id_array), self.dimension):
            raise ValueError(
                f"expected vectors of shape ({len(id_array)}, {self.dimension}), got {matrix.shape}"
            )
        if not np.issubdtype(matrix.dtype, np.floating):
            raise ValueError(f"expected floating-point vectors, got {matrix.dtype}")
        if not np.isfinite(matrix).all():
            raise ValueError("vectors contain NaN or infinity")
        new_ids = id_array.tolist()
        if len(set(new_ids)) != len(new_ids):
            raise ValueError("ids repeat within the batch")
        present = self._ids.intersection(new_ids)
        if present:
            raise ValueError(f"ids already in the index: {sorted(present)[:10]}")
        self._index.add_with_ids(np.ascontiguousarray(matrix, dtype=np.float32), id_array)
        self._ids.update(new_ids)

    def remove(self, ids: Sequence[int] | np.ndarray) -> int:
        """Remove the given ids (absent ones are ignored); return how many were removed."""
        id_array = _as_ids(ids)
        if len(id_array) == 0:
            return 0
        removed = int(self._index.remove_ids(faiss.IDSelectorBatch(id_array)))
        self._ids.difference_update(id_array.tolist())
        return removed

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        """Return up to k (id, score) pairs for one 1-D query vector, best first."""
        vector = np.asarray(query)
        if vector.shape != (self.dimension,):
            raise ValueError(f"expected a query of shape ({self.dimension},), got {vector.shape}")
        if k < 1:
            raise ValueError(f"k must be positive, got {k}")
        k = min(k, len(self))
        if k == 0:
            return []
        batch = np.ascontiguousarray(vector.reshape(1, -1), dtype=np.float32)
        scores, found = self._index.search(batch, k)
        return [
            (int(row_id), float(score))
            for row_id, score in zip(found[0], scores[0], strict=True)
            if row_id != -1
        ]

    def ids(self) -> np.ndarray:
        """Return the ids present, sorted, as int64."""
        return np.sort(faiss.vector_to_array(self._index.id_map).astype(np.int64, copy=False))

    def save(self, path: Path) -> None:
        """Write the index atomically: a temp file in the same directory, fsync, rename."""
        path = Path(path)
        fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        os.close(fd)
        try:
            # Through Python's file, not FAISS's own: FAISS only prints a failed write (a full disk) and carries on,
            # which left an empty index file in place of the good one.
            with open(temp_name, "wb") as written:
                # faiss's __init__.pyi omits PyCallbackIOWriter, which the module has.
                writer = faiss.PyCallbackIOWriter(written.write)  # type: ignore[attr-defined]
                faiss.write_index(self._index, writer)
                written.flush()
                os.fsync(written.fileno())
            os.replace(temp_name, path)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
        _fsync_directory(path.parent)

    @classmethod
    def load(cls, path: Path, dimension: int) -> VectorIndex:
        """Read an index saved by save(); raise VectorIndexError if unreadable or the wrong dimension."""
        try:
            index = faiss.read_index(str(path))
        except (RuntimeError, MemoryError) as exc:
            # FAISS raises RuntimeError, or MemoryError when a corrupt header
            # claims a huge size; users need the reason, not the C++ location.
            reason = _FAISS_LOCATION.sub("", str(exc).strip()) or type(exc).__name__
            raise VectorIndexError(f"cannot read vector index {path}: {reason}") from exc
        if not isinstance(index, faiss.IndexIDMap2) or index.metric_type != faiss.METRIC_INNER_PRODUCT:
            raise VectorIndexError(f"{path} is not an inner-product IndexIDMap2")
        if index.d != dimension:
            raise VectorIndexError(
                f"{path} holds {index.d}-dimensional vectors but the embedder makes {dimension}"
            )
        loaded = cls(dimension)
        loaded._index = index
        loaded._ids = set(faiss.vector_to_array(index.id_map).tolist())
        return loaded

    @classmethod
    def build(
        cls, dimension: int, ids: Sequence[int] | np.ndarray, vectors: np.ndarray
    ) -> VectorIndex:
        """Create an index and add the given vectors to it."""
        index = cls(dimension)
        index.add(ids, vectors)
        return index


def _as_ids(ids: Sequence[int] | np.ndarray) -> np.ndarray:
    """Validate ids as a 1-D integer array and return them as contiguous int64."""
    id_array = np.asarray(ids)
    if id_array.size == 0:
        return np.zeros(0, dtype=np.int64)
    if id_array.ndim != 1 or not np.issubdtype(id_array.dtype, np.integer):
        raise ValueError(f"expected a 1-D sequence of integer ids, got {id_array.dtype} {id_array.shape}")
    if (id_array < 0).any():
        # FAISS marks "no result" with -1, and SQLite row ids are positive anyway.
        raise ValueError("ids must not be negative")
    return np.ascontiguousarray(id_array, dtype=np.int64)


def _fsync_directory(directory: Path) -> None:
    """Make a rename inside directory durable (POSIX only; Windows cannot open directories)."""
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

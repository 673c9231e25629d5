"""One FAISS inner-product index, exact while small and approximate (IVF) above a size; ids are chunk row ids."""

from __future__ import annotations

import math
import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

import faiss
import numpy as np

_FAISS_LOCATION = re.compile(r"^Error in .*? at \S+:\d+: (Error: )?")

# An approximate index searches the fewest of its lists that find this share of the exact best 50 for queries made
# from its own passages, chosen when it is built: how many that takes depends on the embedder (word-hashing vectors,
# which barely cluster, take far more lists than MiniLM's). A point above the 0.98 asked for questions, which lie
# further from the passages: on the 25,564 MiniLM passages of 100k sentences, 0.99 here kept 98.7% for real
# questions, 0.98 here only 97.3% (benchmarks/scale.md).
CALIBRATION_RECALL = 0.99
_PROBE_SHARES = (0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.6, 0.8, 1.0)
_CALIBRATION_QUERIES = 200
_CALIBRATION_DEPTH = 50

# k-means learns from at most this many vectors per list, and needs at least the fewest (FAISS warns below 39).
_TRAINING_PER_LIST = 64
_FEWEST_PER_LIST = 39


class VectorIndexError(RuntimeError):
    """A saved index could not be read or does not fit the configured embedder."""


def list_count(size: int) -> int:
    """The IVF lists for `size` vectors: three times the square root, so a list and the lists to compare grow alike."""
    return max(1, min(round(3 * math.sqrt(size)), size // _FEWEST_PER_LIST))


class VectorIndex:
    """Inner-product search over unit vectors keyed by int64 row ids: exact (flat), or IVF over float16 vectors.

    Not thread-safe: FAISS releases the GIL, so callers run it in worker threads
    (never on the event loop) and serialise writes against reads themselves.
    """

    def __init__(self, dimension: int, index: faiss.IndexIDMap2 | faiss.IndexIVFScalarQuantizer | None = None) -> None:
        if dimension < 1:
            raise ValueError(f"dimension must be positive, got {dimension}")
        self._index = index if index is not None else faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))

    @property
    def dimension(self) -> int:
        """Length of the vectors this index holds."""
        return int(self._index.d)

    @property
    def exact(self) -> bool:
        """Whether a search compares the query with every vector (else with the nearest lists' only)."""
        return isinstance(self._index, faiss.IndexIDMap2)

    def __len__(self) -> int:
        """Number of vectors in the index."""
        return int(self._index.ntotal)

    def fits(self, exact_up_to: int) -> bool:
        """Whether this kind of index still suits its size, or it should be rebuilt (with hysteresis both ways)."""
        size = len(self)
        if isinstance(self._index, faiss.IndexIDMap2):
            return size <= exact_up_to
        lists = int(self._index.nlist)
        return size > exact_up_to // 2 and lists / 2 <= list_count(size) <= lists * 2

    def add(self, ids: Sequence[int] | np.ndarray, vectors: np.ndarray) -> None:
        """Add one vector per id; raises ValueError on bad shapes or an id already present."""
        id_array = _as_ids(ids)
        matrix = _checked_matrix(vectors, len(id_array), self.dimension)
        if len(np.unique(id_array)) != len(id_array):
            raise ValueError("ids repeat within the batch")
        present = np.intersect1d(self.ids(), id_array)
        if present.size:
            raise ValueError(f"ids already in the index: {present[:10].tolist()}")
        self._index.add_with_ids(matrix, id_array)

    def remove(self, ids: Sequence[int] | np.ndarray) -> int:
        """Remove the given ids (absent ones are ignored); return how many were removed."""
        id_array = _as_ids(ids)
        if len(id_array) == 0:
            return 0
        return int(self._index.remove_ids(faiss.IDSelectorBatch(id_array)))

    def search(self, query: np.ndarray, k: int, exclude: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Up to k (id, score) pairs for one 1-D query vector, best first, never an id in `exclude`."""
        vector = np.asarray(query)
        if vector.shape != (self.dimension,):
            raise ValueError(f"expected a query of shape ({self.dimension},), got {vector.shape}")
        if k < 1:
            raise ValueError(f"k must be positive, got {k}")
        k = min(k, len(self))
        if k == 0:
            return []
        # The selector is applied inside the search, so excluded ids never take a place among the k.
        selector = faiss.IDSelectorNot(faiss.IDSelectorBatch(_as_ids(exclude))) if exclude is not None else None
        batch = np.ascontiguousarray(vector.reshape(1, -1), dtype=np.float32)
        scores, found = self._index.search(batch, k, params=self._parameters(selector))
        return [(int(row_id), float(score)) for row_id, score in zip(found[0], scores[0], strict=True)
                if row_id != -1]

    def _parameters(self, selector: faiss.IDSelector | None) -> faiss.SearchParameters:
        """Search parameters: how many lists an IVF index searches, and the selector if any."""
        if isinstance(self._index, faiss.IndexIDMap2):
            parameters = faiss.SearchParameters()
        else:
            parameters = faiss.SearchParametersIVF()
            parameters.nprobe = self._index.nprobe
        parameters.sel = selector
        return parameters

    def ids(self) -> np.ndarray:
        """Return the ids present, sorted, as int64."""
        if isinstance(self._index, faiss.IndexIDMap2):
            found = faiss.vector_to_array(self._index.id_map)
        else:
            lists = self._index.invlists
            assert lists is not None  # an IVF index always has its lists
            parts = [faiss.rev_swig_ptr(lists.get_ids(n), lists.list_size(n)).copy()
                     for n in range(self._index.nlist) if lists.list_size(n)]
            found = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        return np.sort(found.astype(np.int64, copy=False))

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
        if not isinstance(index, faiss.IndexIDMap2 | faiss.IndexIVFScalarQuantizer) \
                or index.metric_type != faiss.METRIC_INNER_PRODUCT:
            raise VectorIndexError(f"{path} is not an inner-product index this newsbot makes")
        if index.d != dimension:
            raise VectorIndexError(
                f"{path} holds {index.d}-dimensional vectors but the embedder makes {dimension}"
            )
        return cls(dimension, index)

    @classmethod
    def build(cls, dimension: int, ids: Sequence[int] | np.ndarray, vectors: np.ndarray,
              exact_up_to: int) -> VectorIndex:
        """An index of the kind that suits this many vectors (exact up to `exact_up_to`), holding them."""
        id_array = _as_ids(ids)
        if len(id_array) <= exact_up_to:
            index = cls(dimension)
        else:
            index = cls(dimension, _trained_ivf(_checked_matrix(vectors, len(id_array), dimension)))
        index.add(id_array, vectors)
        if not index.exact:
            index._calibrate(id_array, _checked_matrix(vectors, len(id_array), dimension))
        return index

    def _calibrate(self, ids: np.ndarray, matrix: np.ndarray) -> None:
        """Search the fewest lists that find CALIBRATION_RECALL of the exact best matches of queries made of rows."""
        assert isinstance(self._index, faiss.IndexIVFScalarQuantizer)
        queries = _calibration_queries(matrix)
        # Straight over the matrix: an exact index would hold a second copy of every vector while this runs.
        _, positions = faiss.knn(queries, matrix, _CALIBRATION_DEPTH, metric=faiss.METRIC_INNER_PRODUCT)
        truth = [set(ids[row[row >= 0]].tolist()) for row in positions]
        for share in _PROBE_SHARES:
            self._index.nprobe = max(1, math.ceil(self._index.nlist * share))
            _, found = self._index.search(queries, _CALIBRATION_DEPTH)
            kept = [len(want & set(row.tolist())) / len(want) for want, row in zip(truth, found, strict=True)]
            if np.mean(kept) >= CALIBRATION_RECALL:
                return


def _calibration_queries(matrix: np.ndarray) -> np.ndarray:
    """Queries like questions, which lie between passages rather than on one: the normalised sums of pairs of rows."""
    rows = matrix[:: max(1, len(matrix) // (2 * _CALIBRATION_QUERIES))][: 2 * _CALIBRATION_QUERIES]
    pairs = rows[: len(rows) // 2] + rows[len(rows) // 2: 2 * (len(rows) // 2)]
    norms = np.linalg.norm(pairs, axis=1, keepdims=True)
    return np.ascontiguousarray(pairs / np.where(norms > 0, norms, 1.0), dtype=np.float32)


def _trained_ivf(matrix: np.ndarray) -> faiss.IndexIVFScalarQuantizer:
    """An empty IVF index over float16 vectors, its lists learnt from evenly spaced rows of `matrix`."""
    lists = list_count(len(matrix))
    # float16, not 8-bit codes: those clip every value outside the ranges seen in training, so a new topic's passages
    # (or a hashing embedder's unused dimensions) were lost; float16 is what SQLite stores, at half of float32's size.
    index = faiss.IndexIVFScalarQuantizer(faiss.IndexFlatIP(matrix.shape[1]), matrix.shape[1], lists,
                                          faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT)
    step = max(1, len(matrix) // (lists * _TRAINING_PER_LIST))
    index.cp.seed = 1234  # the same library always trains the same lists
    index.train(matrix[::step])
    return index


def _checked_matrix(vectors: np.ndarray, rows: int, dimension: int) -> np.ndarray:
    """The vectors as a contiguous float32 matrix; ValueError on a bad shape, type or value."""
    matrix = np.asarray(vectors)
    if matrix.ndim != 2 or matrix.shape != (rows, dimension):
        raise ValueError(f"expected vectors of shape ({rows}, {dimension}), got {matrix.shape}")
    if not np.issubdtype(matrix.dtype, np.floating):
        raise ValueError(f"expected floating-point vectors, got {matrix.dtype}")
    if not np.isfinite(matrix).all():
        raise ValueError("vectors contain NaN or infinity")
    return np.ascontiguousarray(matrix, dtype=np.float32)


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

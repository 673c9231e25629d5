"""Tests for index.store.sqlite.vectors.VectorIndex."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np
import pytest

from index.store.blobs import as_stored, from_blob, matrix_from_blobs, to_blob
from index.store.sqlite.vectors import VectorIndex, VectorIndexError

DIM = 8


def unit_rows(count: int, seed: int = 0) -> np.ndarray:
    """Random unit vectors, one per row."""
    rows = np.random.default_rng(seed).normal(size=(count, DIM))
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


@pytest.fixture
def filled() -> tuple[VectorIndex, np.ndarray, np.ndarray]:
    """An index of 50 random unit vectors with sparse ids."""
    ids = np.arange(50, dtype=np.int64) * 7 + 3
    vectors = unit_rows(50)
    return VectorIndex.build(DIM, ids, vectors, exact_up_to=1000), ids, vectors


def test_search_returns_best_first(filled: tuple[VectorIndex, np.ndarray, np.ndarray]) -> None:
    index, ids, vectors = filled
    results = index.search(vectors[10], 5)
    assert len(results) == 5
    assert results[0][0] == ids[10]
    assert results[0][1] == pytest.approx(1.0, abs=1e-5)
    scores = [score for _, score in results]
    assert scores == sorted(scores, reverse=True)
    expected = ids[np.argsort(-(vectors @ vectors[10]))[:5]]
    assert [row_id for row_id, _ in results] == expected.tolist()


def test_search_types_and_large_k(filled: tuple[VectorIndex, np.ndarray, np.ndarray]) -> None:
    index, ids, vectors = filled
    results = index.search(vectors[0].astype(np.float64), 1000)
    assert len(results) == len(ids)
    assert all(type(row_id) is int and type(score) is float for row_id, score in results)


def test_search_small_index_skips_missing() -> None:
    index = VectorIndex.build(DIM, [5, 9], unit_rows(2), exact_up_to=1000)
    assert {row_id for row_id, _ in index.search(unit_rows(1, seed=3)[0], 10)} == {5, 9}


def test_empty_index() -> None:
    index = VectorIndex(DIM)
    assert len(index) == 0
    assert index.dimension == DIM
    assert index.search(unit_rows(1)[0], 5) == []
    assert index.ids().dtype == np.int64
    assert index.ids().size == 0


def test_search_validates_query(filled: tuple[VectorIndex, np.ndarray, np.ndarray]) -> None:
    index, _, vectors = filled
    with pytest.raises(ValueError):
        index.search(vectors[:2], 3)
    with pytest.raises(ValueError):
        index.search(vectors[0][:4], 3)
    with pytest.raises(ValueError):
        index.search(vectors[0], 0)


def test_ids_roundtrip(filled: tuple[VectorIndex, np.ndarray, np.ndarray]) -> None:
    index, ids, _ = filled
    shuffled = VectorIndex.build(DIM, ids[::-1].copy(), unit_rows(50), exact_up_to=1000)
    for candidate in (index, shuffled):
        assert candidate.ids().dtype == np.int64
        np.testing.assert_array_equal(candidate.ids(), ids)
    assert len(index) == 50


def test_remove(filled: tuple[VectorIndex, np.ndarray, np.ndarray]) -> None:
    index, ids, vectors = filled
    assert index.remove([int(ids[10]), int(ids[11]), 999_999]) == 2
    assert len(index) == 48
    assert ids[10] not in index.ids()
    assert all(row_id not in (ids[10], ids[11]) for row_id, _ in index.search(vectors[10], 50))
    assert index.remove([]) == 0
    # A removed id may be added again.
    index.add([int(ids[10])], vectors[10:11])
    assert index.search(vectors[10], 1)[0][0] == ids[10]


def test_duplicate_add_rejected(filled: tuple[VectorIndex, np.ndarray, np.ndarray]) -> None:
    index, ids, _ = filled
    with pytest.raises(ValueError, match="already"):
        index.add([int(ids[3]), 100_000], unit_rows(2, seed=1))
    with pytest.raises(ValueError, match="repeat"):
        index.add([100_000, 100_000], unit_rows(2, seed=1))
    assert len(index) == 50


@pytest.mark.parametrize(
    ("ids", "vectors"),
    [
        ([1, 2], np.zeros((3, DIM), dtype=np.float32)),
        ([1, 2], np.zeros((2, DIM + 1), dtype=np.float32)),
        ([1, 2], np.zeros((2, DIM), dtype=np.int32)),
        ([1.5, 2.5], np.zeros((2, DIM), dtype=np.float32)),
        ([-1, 2], np.zeros((2, DIM), dtype=np.float32)),
        ([1, 2], np.full((2, DIM), np.nan, dtype=np.float32)),
    ],
)
def test_add_validates(ids: list[float], vectors: np.ndarray) -> None:
    index = VectorIndex(DIM)
    with pytest.raises(ValueError):
        index.add(ids, vectors)
    assert len(index) == 0


def test_add_casts_float64_and_noncontiguous() -> None:
    vectors = np.asfortranarray(unit_rows(4).astype(np.float64))
    index = VectorIndex.build(DIM, np.array([1, 2, 3, 4], dtype=np.int32), vectors, exact_up_to=1000)
    assert index.search(vectors[2], 1)[0][0] == 3


def test_save_load_roundtrip(
    tmp_path: Path, filled: tuple[VectorIndex, np.ndarray, np.ndarray]
) -> None:
    index, ids, vectors = filled
    path = tmp_path / "sentences.faiss"
    index.save(path)
    loaded = VectorIndex.load(path, DIM)
    assert len(loaded) == len(index)
    np.testing.assert_array_equal(loaded.ids(), index.ids())
    for row in (0, 17, 49):
        assert loaded.search(vectors[row], 10) == index.search(vectors[row], 10)
    # The duplicate check survives the roundtrip.
    with pytest.raises(ValueError):
        loaded.add([int(ids[0])], vectors[:1])


def test_save_leaves_no_temp_files(
    tmp_path: Path, filled: tuple[VectorIndex, np.ndarray, np.ndarray]
) -> None:
    index, _, _ = filled
    path = tmp_path / "sentences.faiss"
    index.save(path)
    index.save(path)
    assert [p.name for p in tmp_path.iterdir()] == ["sentences.faiss"]


def test_interrupted_save_keeps_old_file(
    tmp_path: Path,
    filled: tuple[VectorIndex, np.ndarray, np.ndarray],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    index, _, _ = filled
    path = tmp_path / "sentences.faiss"
    VectorIndex.build(DIM, [1, 2], unit_rows(2), exact_up_to=1000).save(path)
    before = path.read_bytes()

    def crash(_index: faiss.Index, writer: faiss.PyCallbackIOWriter) -> None:
        writer.callback(b"half-written")
        raise OSError("disk full")

    monkeypatch.setattr(faiss, "write_index", crash)
    with pytest.raises(OSError, match="disk full"):
        index.save(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["sentences.faiss"]
    np.testing.assert_array_equal(VectorIndex.load(path, DIM).ids(), [1, 2])


@pytest.mark.parametrize("content", [b"", b"not a faiss index at all", b"IxMp" + b"\x00" * 5])
def test_corrupt_file_raises(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "broken.faiss"
    path.write_bytes(content)
    with pytest.raises(VectorIndexError, match="cannot read vector index"):
        VectorIndex.load(path, DIM)


def test_truncated_file_raises(
    tmp_path: Path, filled: tuple[VectorIndex, np.ndarray, np.ndarray]
) -> None:
    index, _, _ = filled
    path = tmp_path / "sentences.faiss"
    index.save(path)
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(VectorIndexError):
        VectorIndex.load(path, DIM)


def test_missing_file_raises(tmp_path: Path) -> None:
    with pytest.raises(VectorIndexError):
        VectorIndex.load(tmp_path / "absent.faiss", DIM)


def test_dimension_mismatch_raises(
    tmp_path: Path, filled: tuple[VectorIndex, np.ndarray, np.ndarray]
) -> None:
    index, _, _ = filled
    path = tmp_path / "sentences.faiss"
    index.save(path)
    with pytest.raises(VectorIndexError, match="8-dimensional"):
        VectorIndex.load(path, DIM * 2)


def test_wrong_index_type_raises(tmp_path: Path) -> None:
    path = tmp_path / "plain.faiss"
    faiss.write_index(faiss.IndexFlatL2(DIM), str(path))
    with pytest.raises(VectorIndexError, match="not an inner-product index"):
        VectorIndex.load(path, DIM)


def clustered_rows(count: int, dimension: int = 32, seed: int = 0) -> np.ndarray:
    """Unit vectors around 40 centres, as sentence embeddings gather around topics."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(40, dimension))
    rows = centres[rng.integers(0, 40, count)] + 0.6 * rng.normal(size=(count, dimension))
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def test_large_index_is_approximate_and_finds_what_exact_search_finds() -> None:
    rows = clustered_rows(6050)  # queries from the same topics as the vectors, but not among them
    vectors, queries = rows[:6000], rows[6000:]
    ids = np.arange(6000, dtype=np.int64) + 1
    approximate = VectorIndex.build(32, ids, vectors, exact_up_to=1000)
    exact = VectorIndex.build(32, ids, vectors, exact_up_to=10_000)
    assert exact.exact and not approximate.exact and len(approximate) == 6000
    recall = np.mean([len({i for i, _ in approximate.search(q, 50)} & {i for i, _ in exact.search(q, 50)}) / 50
                      for q in queries])
    assert recall >= 0.97
    assert approximate._index.nprobe < approximate._index.nlist  # calibrated: fewer lists than all of them
    assert approximate.search(vectors[7], 1)[0][0] == 8
    np.testing.assert_array_equal(approximate.ids(), ids)


def test_approximate_index_removes_saves_and_loads(tmp_path: Path) -> None:
    vectors = clustered_rows(3000)
    index = VectorIndex.build(32, np.arange(3000) + 1, vectors, exact_up_to=1000)
    assert index.remove([1, 2, 99_999]) == 2
    assert all(i not in (1, 2) for i, _ in index.search(vectors[0], 50))
    with pytest.raises(ValueError, match="already"):
        index.add([3], vectors[2:3])
    index.save(tmp_path / "v.faiss")
    loaded = VectorIndex.load(tmp_path / "v.faiss", 32)
    assert not loaded.exact and len(loaded) == 2998
    assert loaded.search(vectors[500], 10) == index.search(vectors[500], 10)


@pytest.mark.parametrize("exact_up_to", [10_000, 1000])
def test_excluded_ids_never_come_back_and_leave_no_gap(exact_up_to: int) -> None:
    vectors = clustered_rows(3000)
    index = VectorIndex.build(32, np.arange(3000) + 1, vectors, exact_up_to=exact_up_to)
    nearest = [i for i, _ in index.search(vectors[0], 20)]
    excluded = np.array(nearest[:10], dtype=np.int64)
    found = index.search(vectors[0], 20, exclude=excluded)
    assert len(found) == 20 and not {i for i, _ in found} & set(nearest[:10])
    assert [i for i, _ in found][:10] == nearest[10:]


def test_an_index_fits_its_size_until_it_should_change_kind() -> None:
    small = VectorIndex.build(32, np.arange(900) + 1, clustered_rows(900), exact_up_to=1000)
    assert small.exact and small.fits(1000) and not small.fits(800)
    large = VectorIndex.build(32, np.arange(4000) + 1, clustered_rows(4000), exact_up_to=1000)
    assert not large.exact and large.fits(1000)
    large.remove(np.arange(3600) + 1)  # below half the limit: exact search is cheap again
    assert not large.fits(1000)
    grown = VectorIndex.build(32, np.arange(2000) + 1, clustered_rows(2000), exact_up_to=1000)
    grown.add(np.arange(2000, 12_000) + 1, clustered_rows(10_000, seed=2))  # 6 times the size it was trained for
    assert not grown.fits(1000)


def test_stored_embeddings_are_float16_and_older_float32_ones_still_read() -> None:
    vector = unit_rows(1)[0]
    blob = to_blob(vector)
    assert len(blob) == 2 * DIM
    np.testing.assert_allclose(from_blob(blob, DIM), vector, atol=1e-3)
    older = vector.astype(np.float32).tobytes()  # as newsbot stored them before
    np.testing.assert_array_equal(from_blob(older, DIM), vector)
    mixed = matrix_from_blobs([blob, older], DIM)
    assert mixed.dtype == np.float32 and mixed.shape == (2, DIM)
    np.testing.assert_array_equal(matrix_from_blobs([blob, blob], DIM), np.stack([as_stored(vector)] * 2))
    with pytest.raises(ValueError, match="not 8-dimensional"):
        from_blob(b"\x00" * 12, DIM)

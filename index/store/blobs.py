"""Embeddings as the store keeps them: float16 bytes (older SQLite libraries: float32), read back as float32."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def to_blob(vector: np.ndarray) -> bytes:
    """An embedding as stored: float16 bytes, half of float32's size (unit vectors lose under 0.001 of a cosine)."""
    return np.asarray(vector, dtype=np.float16).tobytes()


def as_stored(matrix: np.ndarray) -> np.ndarray:
    """Embeddings rounded as to_blob stores them, as float32."""
    return np.asarray(matrix, dtype=np.float16).astype(np.float32)


def from_blob(blob: bytes, dimension: int) -> np.ndarray:
    """A stored embedding as float32, whether written as float16 or (by an older newsbot) float32."""
    dtype = np.float16 if len(blob) == 2 * dimension else np.float32
    vector = np.frombuffer(blob, dtype=dtype)
    if vector.shape != (dimension,):
        raise ValueError(f"a stored embedding of {len(blob)} bytes is not {dimension}-dimensional")
    return vector.astype(np.float32)


def matrix_from_blobs(blobs: Sequence[bytes], dimension: int) -> np.ndarray:
    """Stored embeddings as one float32 matrix, a row each."""
    if blobs and all(len(blob) == 2 * dimension for blob in blobs):  # the usual case, decoded in one step
        return np.frombuffer(b"".join(blobs), dtype=np.float16).reshape(len(blobs), dimension).astype(np.float32)
    matrix = np.zeros((len(blobs), dimension), dtype=np.float32)
    for n, blob in enumerate(blobs):
        matrix[n] = from_blob(blob, dimension)
    return matrix

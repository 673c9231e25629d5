"""pgvector's `vector` type in its binary form, read and written as numpy arrays on every connection."""

from __future__ import annotations

import struct
from typing import Any

import numpy as np

# pgvector's binary layout: the dimension and an unused field as big-endian int16s, then big-endian float32s.
_HEADER = struct.Struct(">HH")


def encode_vector(vector: np.ndarray | list[float]) -> bytes:
    """A vector in pgvector's binary form."""
    values = np.asarray(vector, dtype=">f4").ravel()
    return _HEADER.pack(len(values), 0) + values.tobytes()


def decode_vector(data: bytes) -> np.ndarray:
    """A vector from pgvector's binary form, as float32."""
    dimension, _ = _HEADER.unpack_from(data)
    values = np.frombuffer(data, dtype=">f4", count=dimension, offset=_HEADER.size)
    return values.astype(np.float32)


async def register_vectors(connection: Any) -> None:
    """Let an asyncpg connection send and read `vector` values as numpy arrays (a pool's `init`)."""
    await connection.set_type_codec("vector", schema="public", encoder=encode_vector, decoder=decode_vector,
                                    format="binary")

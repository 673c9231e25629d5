"""pgvector's binary vectors read and written as numpy arrays: alone, and through a real PostgreSQL server."""

from __future__ import annotations

import asyncpg
import numpy as np

from index.store.postgres.vectors import decode_vector, encode_vector, register_vectors
from tests.pg import pg_url

__all__ = ["pg_url"]  # the imported fixture is used by name


def test_a_vector_survives_its_binary_form():
    vector = np.array([0.25, -1.5, 3.0e-7, 42.0], dtype=np.float32)
    data = encode_vector(vector)
    assert data[:4] == b"\x00\x04\x00\x00" and len(data) == 4 + 4 * 4
    decoded = decode_vector(data)
    assert decoded.dtype == np.float32 and np.array_equal(decoded, vector)


async def test_vectors_go_in_and_out_of_postgres_and_rank_by_cosine(pg_url):
    connection = await asyncpg.connect(pg_url)
    try:
        await register_vectors(connection)
        await connection.execute("CREATE TABLE passages (id int PRIMARY KEY, embedding vector(3))")
        rows = [(1, np.array([1, 0, 0], np.float32)), (2, np.array([0.6, 0.8, 0], np.float32)),
                (3, np.array([0, 0, 1], np.float32))]
        await connection.executemany("INSERT INTO passages VALUES ($1, $2)", rows)
        await connection.execute("CREATE INDEX ON passages USING hnsw (embedding vector_cosine_ops)")
        query = np.array([0.8, 0.6, 0], np.float32)
        found = await connection.fetch("SELECT id, embedding, 1 - (embedding <=> $1) AS cosine FROM passages"
                                       " ORDER BY embedding <=> $1 LIMIT 2", query)
        assert [row["id"] for row in found] == [2, 1]
        assert np.array_equal(found[0]["embedding"], rows[1][1])
        assert abs(found[0]["cosine"] - 0.96) < 1e-6
    finally:
        await connection.close()

"""Passage vectors in a pgvector column: an HNSW index over the library's, exact search over a server's own."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from index.settings import StoreSettings
from index.store.blobs import as_stored
from index.store.postgres.database import Queries
from index.store.postgres.store import Store
from index.store.protocols import Hits

# The first key of pg_advisory_xact_lock while the vector column is typed and indexed (migrations use (18, 0)).
_START_LOCK = (18, 1)
# pgvector 0.6 returns at most hnsw.ef_search rows from an HNSW scan, whatever the LIMIT: never ask for fewer.
_MAX_EF_SEARCH = 1000

_SEARCH = """
SELECT id, score FROM (
    SELECT g.id, -(g.embedding <#> $1) AS score
    FROM (SELECT id, article_id, embedding FROM chunks WHERE scope IS NULL ORDER BY embedding <#> $1 LIMIT $4) g
    WHERE $2::text IS NULL OR NOT EXISTS (SELECT 1 FROM articles own WHERE own.id = $2::text || chr(31) || g.article_id)
    UNION ALL
    (SELECT id, -(embedding <#> $1) FROM chunks WHERE scope = $2::text ORDER BY embedding <#> $1 LIMIT $3)
) hits ORDER BY score DESC LIMIT $3
"""


class PgVectors(Queries):
    """The owner of the passage vectors on PostgreSQL: written with their passages, searched by the server."""

    def __init__(self, store: Store, ef_search: int = StoreSettings.ef_search) -> None:
        super().__init__(store.database)
        self._store = store
        self._ef_search = ef_search

    async def load(self) -> None:
        """Nothing to load: the server holds the index."""

    async def follow(self) -> None:
        """Nothing to catch up with: every read sees every committed write, whichever process made it."""

    async def save(self) -> None:
        """Nothing to save: the vectors were committed with their passages."""

    async def save_if_due(self, every_seconds: float) -> None:
        """Nothing to save."""

    async def apply(self, scope: str | None, removed: Sequence[int], added: Sequence[int],
                    matrix: np.ndarray | None = None) -> None:
        """Nothing to apply: the store wrote the vectors in the passages' own transaction."""

    async def count(self) -> int:
        """How many passages have a vector."""
        return int(await self._value("SELECT count(*) FROM chunks"))

    async def empty(self) -> bool:
        """Whether no passage has a vector yet: asked before every question, so it stops at the first row."""
        return not await self._value("SELECT EXISTS (SELECT 1 FROM chunks)")

    async def stored_bytes(self) -> int:
        """The size of the HNSW index (the vectors themselves are in the passages' table, counted with the database)."""
        return int(await self._value("SELECT coalesce(pg_relation_size(to_regclass('chunks_hnsw')), 0)"))

    async def start(self, model: str, dimension: int) -> None:
        """Before the first write: type the vector column, index it, and record the model (call under `writing`)."""
        if self._store.dimension:
            return
        async with self._transaction():
            await self._execute("SELECT pg_advisory_xact_lock($1, $2)", *_START_LOCK)
            if await self._store.get_meta("dimension") is None:  # another process may have started it meanwhile
                # HNSW needs a typed column; the dimension is known only now, from the embedder.
                await self._execute(f"ALTER TABLE chunks ALTER COLUMN embedding TYPE vector({int(dimension)})")
                # Partial on the library's passages, as FAISS keeps an index for them; a server's own few are
                # searched exactly (chunks_scope).
                await self._execute("CREATE INDEX chunks_hnsw ON chunks USING hnsw (embedding vector_ip_ops)"
                                    " WHERE scope IS NULL")
                await self._store.set_meta("embedding_model", model)
                await self._store.set_meta("dimension", str(dimension))
        self._store.dimension = int(await self._store.get_meta("dimension") or dimension)

    async def search(self, query_vector: np.ndarray, k: int, scope: str | None = None) -> Hits:
        """The k passages nearest the query among those the scope sees, best first (inner product)."""
        if not self._store.dimension or k <= 0:
            return []
        vector = as_stored(np.asarray(query_vector, dtype=np.float32).reshape(1, -1))[0]
        ef_search = min(_MAX_EF_SEARCH, max(self._ef_search, 2 * k))
        hits = await self._search(vector, k, scope, ef_search)
        if len(hits) < k and ef_search < _MAX_EF_SEARCH and await self._more_than(len(hits)):
            # Passages the scope does not see took places in the HNSW scan: look further once.
            hits = await self._search(vector, k, scope, min(_MAX_EF_SEARCH, 4 * ef_search))
        return hits

    async def _more_than(self, passages: int) -> bool:
        """Whether the library holds more than this many passages (reads no further than one past them)."""
        return bool(await self._value("SELECT EXISTS (SELECT 1 FROM chunks OFFSET $1)", passages))

    async def _search(self, vector: np.ndarray, k: int, scope: str | None, ef_search: int) -> Hits:
        """One search with the HNSW scan's breadth set for this transaction only."""
        async with self._transaction(read_only=True):
            await self._execute(f"SET LOCAL hnsw.ef_search = {int(ef_search)}")
            rows = await self._all(_SEARCH, vector, scope, k, ef_search)
        return [(int(row[0]), float(row[1])) for row in rows]

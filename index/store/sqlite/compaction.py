"""Embeddings an older newsbot stored as float32, rewritten as float16 once, a batch per transaction."""

from __future__ import annotations

from index.store.blobs import from_blob, to_blob
from index.store.sqlite.database import Queries

# The meta value of "embedding_format" once every stored embedding is float16 (new libraries start so).
FLOAT16 = "float16"

# Rows read and rewritten per transaction: an interrupted run keeps what it committed and resumes after it.
_BATCH = 5000


class Compaction(Queries):
    """Halves an older library's embeddings on disk, so a million sentences take 0.75 GB of vectors, not 1.5."""

    async def needed(self) -> bool:
        """Whether some stored embeddings may still be float32 (a library made before float16)."""
        row = await self._one("SELECT value FROM meta WHERE key = 'embedding_format'")
        return row is None or row[0] != FLOAT16

    async def compact(self, dimension: int) -> int:
        """Rewrite every float32 embedding of sentences and passages as float16; how many were rewritten."""
        rewritten = 0
        for table in ("sentences", "chunks"):
            last = 0
            while rows := await self._all(f"SELECT id, embedding FROM {table} WHERE id > ? ORDER BY id LIMIT ?",
                                          (last, _BATCH)):
                last = rows[-1][0]
                older = [(to_blob(from_blob(blob, dimension)), row_id) for row_id, blob in rows
                         if len(blob) == 4 * dimension]
                if older:
                    async with self._transaction():
                        await self._db.executemany(f"UPDATE {table} SET embedding = ? WHERE id = ?", older)
                rewritten += len(older)
        async with self._transaction():
            await self._db.execute("INSERT INTO meta(key, value) VALUES ('embedding_format', ?)"
                                   " ON CONFLICT(key) DO UPDATE SET value = excluded.value", (FLOAT16,))
        return rewritten

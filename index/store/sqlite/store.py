"""SQLite storage: articles, sentences, chunks (with their embeddings) and FTS5 indexes; writes and retrieval."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import aiosqlite
import numpy as np

from index.models import Article, PreparedArticle
from index.store.blobs import from_blob, matrix_from_blobs, to_blob
from index.store.records import StoredSentence
from index.store.scopes import SAME_ARTICLE, scoped_id, visible, visible_params
from index.store.sqlite.catalog import Catalog
from index.store.sqlite.compaction import Compaction
from index.store.sqlite.connection import configure, connect
from index.store.sqlite.copies import Copies
from index.store.sqlite.database import Queries, id_ranges, inserted_id, parse_day, placeholders
from index.store.sqlite.excerpts import SentenceReader
from index.store.sqlite.faults import StoreError, database_fault
from index.store.sqlite.feeds import FeedStore
from index.store.sqlite.follows import FollowStore
from index.store.sqlite.fts import fts_match
from index.store.sqlite.migrations import apply_migrations
from index.store.sqlite.schema import MIGRATIONS
from index.store.sqlite.usage import UsageLog
from index.store.terms import TermQuery
from index.store.writing import ArticleWrites


def _casefold(value: str | None) -> str:
    """Python's case folding for SQL: SQLite's lower() folds ASCII letters only."""
    return value.casefold() if value else ""


# Ids bound in one IN (...) list.
_IN_LIST = 10_000


class Store(Queries, ArticleWrites):
    """The SQLite side of the library (the source of truth FAISS is rebuilt from): catalog, usage, excerpts."""

    copies: Copies  # the copies part whose links a write applies

    def __init__(self, db: aiosqlite.Connection, path: Path, read_only: bool = False) -> None:
        write_lock = asyncio.Lock()
        super().__init__(db, write_lock, path)
        # Held while a batch is diffed against what is stored and written, so two writers (an ingest, a removal,
        # catching up with another process) never interleave; one for every scope, as SQLite has one writer.
        self._writing = asyncio.Lock()
        self.path = path
        self.read_only = read_only
        self.dimension = 0  # of the stored embeddings; 0 until the first article
        self.catalog = Catalog(db, write_lock, path)
        self.usage = UsageLog(db, write_lock, path)
        self.feeds = FeedStore(db, write_lock, path)
        self.follows = FollowStore(db, write_lock, path)
        self.copies = Copies(db, write_lock, path)
        self.excerpts = SentenceReader(db, write_lock, path)
        self.compaction = Compaction(db, write_lock, path)

    @classmethod
    async def open(cls, path: Path) -> Store:
        """Open (creating and migrating as needed) the database at `path`; read-only where it cannot be written."""
        db, read_only = await connect(path)
        store = cls(db, path, read_only)
        try:
            await configure(db, read_only, {"casefold": _casefold})
            await store._migrate()
            store.dimension = int(await store.get_meta("dimension") or 0)
            if not read_only and store.dimension and await store.compaction.needed():
                await store.compaction.compact(store.dimension)  # once, for a library made before float16
        except (sqlite3.DatabaseError, StoreError) as error:
            await db.close()
            if isinstance(error, StoreError):
                raise
            raise database_fault(error, path) or StoreError(f"{path}: cannot use the database ({error})") from error
        return store

    async def _migrate(self) -> None:
        """Apply the migrations this database has not had yet, each in its own transaction."""
        await apply_migrations(self._db, MIGRATIONS, self.path, self.read_only)

    async def stored_bytes(self) -> int:
        """The size of the database file with its write-ahead log."""
        return sum(part.stat().st_size for part in self.path.parent.glob(self.path.name + "*"))

    async def close(self) -> None:
        """Close the connection, first folding the write-ahead log back into the database when it can be written."""
        # A long ingest's log can grow to the size of the database; a reader in another process keeps it otherwise.
        if not self.read_only:
            with contextlib.suppress(sqlite3.Error):
                await self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        await self._db.close()

    def writing(self, scope: str | None) -> asyncio.Lock:
        """The lock a write to this scope holds from reading what is stored to committing the change."""
        return self._writing

    async def get_meta(self, key: str) -> str | None:
        """Read one library-wide setting (model name, dimension)."""
        row = await self._one("SELECT value FROM meta WHERE key = ?", (key,))
        return row[0] if row else None

    async def set_meta(self, key: str, value: str) -> None:
        """Write one library-wide setting."""
        async with self._transaction():
            await self._db.execute(
                "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )
        if key == "dimension":
            self.dimension = int(value)

    async def existing_hashes(self, articles: Sequence[Article], scope: str | None = None) -> dict[str, str]:
        """Map each article already in this scope (by id, else by url; an original, else a copy) to its content hash."""
        found: dict[str, str] = {}
        for article in articles:
            stored_id = scoped_id(article.id, scope)
            row = await self._one(
                f"SELECT content_hash FROM articles WHERE {SAME_ARTICLE} ORDER BY id = ? DESC LIMIT 1",
                (stored_id, article.url, scope, stored_id),
            )
            stored_hash = row[0] if row else await self.copies.content_hash(stored_id, article.url, scope)
            if stored_hash:
                found[article.id] = stored_hash
        return found

    async def _delete_article(self, stored_id: str, scope: str | None, url: str | None = None) -> list[int]:
        """Delete an article of one scope, and any older version under the same url; return their chunk ids."""
        # Only within the scope: a server's copy never replaces the global one, nor another server's.
        params = (stored_id, url, scope)
        rows = await self._all(
            f"SELECT id FROM chunks WHERE article_id IN (SELECT id FROM articles WHERE {SAME_ARTICLE})", params)
        await self._db.execute(f"DELETE FROM articles WHERE {SAME_ARTICLE}", params)
        return [row[0] for row in rows]

    async def _insert_article(self, item: PreparedArticle, stored_id: str, scope: str | None, now: str) -> list[int]:
        """Insert one prepared article under its stored id; return its new chunk ids in window order."""
        article = item.article
        published = article.published.isoformat() if article.published else None
        await self._db.execute(
            "INSERT INTO articles(id, title, url, source, published, content_hash, origin, ingested_at, scope, author)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (stored_id, article.title, article.url, article.source, published,
             item.content_hash, article.origin, now, scope, article.author),
        )
        await self._db.executemany(
            "INSERT INTO sentences(article_id, position, paragraph, text, embedding) VALUES (?, ?, ?, ?, ?)",
            [(stored_id, n, seg.paragraph, seg.text, to_blob(vector))
             for n, (seg, vector) in enumerate(zip(item.segments, item.sentence_embeddings, strict=True))],
        )
        chunk_ids: list[int] = []
        for (first, last), vector in zip(item.windows, item.chunk_embeddings, strict=True):
            text = " ".join(seg.text for seg in item.segments[first:last])
            cursor = await self._db.execute(
                "INSERT INTO chunks(article_id, first, last, text, embedding) VALUES (?, ?, ?, ?, ?)",
                (stored_id, first, last, text, to_blob(vector)),
            )
            chunk_ids.append(inserted_id(cursor))
        return chunk_ids

    async def remove_article(self, article_id: str, scope: str | None = None) -> list[int] | None:
        """Delete one article of this scope; return its chunk ids, or None when the scope has no such article."""
        stored_id = scoped_id(article_id, scope)
        async with self._transaction():
            if await self._one("SELECT 1 FROM articles WHERE id = ? AND scope IS ?", (stored_id, scope)) is None:
                return None
            return await self._delete_article(stored_id, scope)

    async def chunk_ids(self) -> dict[str | None, np.ndarray]:
        """Sorted ids of every stored chunk, by the scope of its article."""
        rows = await self._all("SELECT c.id, a.scope FROM chunks c JOIN articles a ON a.id = c.article_id"
                               " ORDER BY c.id")
        by_scope: dict[str | None, list[int]] = {}
        for chunk_id, scope in rows:
            by_scope.setdefault(scope, []).append(chunk_id)
        return {scope: np.array(ids, dtype=np.int64) for scope, ids in by_scope.items()}

    async def data_version(self) -> int:
        """A number that changes whenever another connection (another process) commits a write."""
        return (await self._row("PRAGMA data_version"))[0]

    async def chunk_embeddings(self, scope: str | None,
                               ids: Sequence[int] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Chunk ids of one scope with their embeddings (all of them, or those listed), for its vector index."""
        if ids is None:
            rows = await self._all("SELECT c.id, c.embedding FROM chunks c JOIN articles a ON a.id = c.article_id"
                                   " WHERE a.scope IS ? ORDER BY c.id", (scope,))
        else:
            rows = []
            for start in range(0, len(ids), _IN_LIST):  # SQLite limits the parameters of one statement
                part = [int(i) for i in ids[start:start + _IN_LIST]]
                rows += await self._all(f"SELECT id, embedding FROM chunks WHERE id IN ({placeholders(len(part))})"
                                        " ORDER BY id", part)
        found = np.array([r[0] for r in rows], dtype=np.int64)
        return found, matrix_from_blobs([r[1] for r in rows], self.dimension)

    async def shadowed_chunks(self, scope: str) -> np.ndarray:
        """Chunks of the global articles this scope does not see, because it holds its own copy under the same id."""
        rows = await self._all(
            "SELECT c.id FROM articles own JOIN articles g ON g.id = substr(own.id, length(own.scope) + 2)"
            " JOIN chunks c ON c.article_id = g.id WHERE own.scope = ? AND g.scope IS NULL", (scope,))
        return np.array([r[0] for r in rows], dtype=np.int64)

    async def term_matches(self, queries: Sequence[TermQuery], cap: int) -> list[int]:
        """How many sentences match each word search, counting no further than `cap` (cheap: no ranking)."""
        fts_queries = [fts_match(query) for query in queries]
        if not fts_queries:
            return []
        # One statement for all the queries: each statement is a round trip to the connection's thread.
        count = "SELECT count(*) FROM (SELECT 1 FROM sentences_fts WHERE sentences_fts MATCH ? LIMIT ?)"
        rows = await self._all(" UNION ALL ".join(f"SELECT {n}, ({count})" for n in range(len(fts_queries))),
                               [value for query in fts_queries for value in (query, cap)])
        return [matches for _, matches in sorted(rows)]

    async def search_chunks(self, words: TermQuery, limit: int, scope: str | None = None) -> list[tuple[int, float]]:
        """Chunks the scope sees matching a word search, best BM25 first (score: higher is better)."""
        rows = await self._all(
            "SELECT chunks_fts.rowid, bm25(chunks_fts) FROM chunks_fts"
            " JOIN chunks c ON c.id = chunks_fts.rowid JOIN articles a ON a.id = c.article_id"
            f" WHERE chunks_fts MATCH ? AND {visible('a')} ORDER BY rank LIMIT ?",
            (fts_match(words), *visible_params(scope), limit),
        )
        return [(r[0], -r[1]) for r in rows]

    async def search_sentence_chunks(self, words: TermQuery, limit: int,
                                     scope: str | None = None) -> list[tuple[int, float]]:
        """Chunks holding the sentences (of articles the scope sees) that best match a word search, best first."""
        rows = await self._all(
            "WITH hits AS (SELECT sentences_fts.rowid AS id, bm25(sentences_fts) AS score FROM sentences_fts"
            " JOIN sentences s ON s.id = sentences_fts.rowid JOIN articles a ON a.id = s.article_id"
            f" WHERE sentences_fts MATCH ? AND {visible('a')} ORDER BY rank LIMIT ?)"
            " SELECT c.id, -min(h.score) FROM hits h JOIN sentences s ON s.id = h.id"
            " JOIN chunks c ON c.article_id = s.article_id AND s.position >= c.first AND s.position < c.last"
            " GROUP BY c.id ORDER BY min(h.score)",
            (fts_match(words), *visible_params(scope), limit),
        )
        return [(r[0], r[1]) for r in rows]

    async def sentences_in_chunks(self, chunk_ids: Sequence[int]) -> dict[int, list[StoredSentence]]:
        """The sentences of each chunk, in article order."""
        rows = await self._all(
            "SELECT c.id, s.id, s.article_id, s.position, s.paragraph, s.text, s.embedding, a.published FROM chunks c"
            " JOIN sentences s ON s.article_id = c.article_id AND s.position >= c.first AND s.position < c.last"
            " JOIN articles a ON a.id = c.article_id"
            f" WHERE c.id IN ({placeholders(len(chunk_ids))}) ORDER BY c.id, s.position",
            list(chunk_ids),
        )
        found: dict[int, list[StoredSentence]] = {}
        for chunk_id, sentence_id, article_id, position, paragraph, text, blob, published in rows:
            found.setdefault(chunk_id, []).append(StoredSentence(
                sentence_id, article_id, position, paragraph, text, from_blob(blob, self.dimension),
                parse_day(published)))
        return found

    async def sentence_scores(self, words: TermQuery, sentence_ids: Sequence[int]) -> dict[int, float]:
        """BM25 of each listed sentence against a word search (absent: no match)."""
        # FTS5 runs a search per value of "rowid IN (...)", each counting every match of every word again for BM25
        # (16 ms for 40 sentences of a 3,000-sentence library); a range is one search. A passage's sentences have
        # consecutive ids, so a few ranges cover the candidates.
        ranges = id_ranges(sentence_ids)
        search = ("SELECT rowid, bm25(sentences_fts) FROM sentences_fts"
                  " WHERE sentences_fts MATCH ? AND rowid BETWEEN ? AND ?")
        rows = await self._all(" UNION ALL ".join([search] * len(ranges)),
                               [value for first, last in ranges for value in (fts_match(words), first, last)])
        wanted = set(sentence_ids)
        return {r[0]: -r[1] for r in rows if r[0] in wanted}

    async def previous_sentences(self, sentence_ids: Sequence[int]) -> dict[int, str]:
        """The text of the sentence just before each listed one in its article (none for a first sentence)."""
        rows = await self._all(
            "SELECT s.id, p.text FROM sentences s"
            " JOIN sentences p ON p.article_id = s.article_id AND p.position = s.position - 1"
            f" WHERE s.id IN ({placeholders(len(sentence_ids))})",
            list(sentence_ids),
        )
        return {sentence_id: text for sentence_id, text in rows}

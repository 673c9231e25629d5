"""SQLite storage: articles, sentences, chunks (with their embeddings) and FTS5 indexes."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import aiosqlite
import numpy as np

from index.models import Article, ArticleInfo, PreparedArticle
from index.schema import MIGRATIONS


class StoreError(Exception):
    """The database cannot be used as it is (made by a newer newsbot, corrupt, ...)."""


@dataclass(frozen=True)
class StoredSentence:
    """A stored sentence with its place in its article and its embedding."""

    id: int
    article_id: str
    position: int
    paragraph: int
    text: str
    embedding: np.ndarray


def _placeholders(count: int) -> str:
    """Return "?,?,?" for an IN clause of `count` values."""
    return ",".join("?" * count)


def _blob(vector: np.ndarray) -> bytes:
    """An embedding as stored: raw float32 bytes."""
    return np.asarray(vector, dtype=np.float32).tobytes()


def _parse_day(value: str | None) -> date | None:
    """Read a stored ISO date."""
    return date.fromisoformat(value) if value else None


class Store:
    """The SQLite side of the library: the source of truth that FAISS is rebuilt from."""

    def __init__(self, db: aiosqlite.Connection, path: Path) -> None:
        self._db = db
        self.path = path

    @classmethod
    async def open(cls, path: Path) -> Store:
        """Open (creating and migrating as needed) the database at `path`."""
        path.parent.mkdir(parents=True, exist_ok=True)
        db = await aiosqlite.connect(path, isolation_level=None)
        store = cls(db, path)
        try:
            await db.execute("PRAGMA journal_mode=WAL")
            await db.execute("PRAGMA synchronous=NORMAL")
            await db.execute("PRAGMA foreign_keys=ON")
            await store._migrate()
        except (sqlite3.DatabaseError, StoreError) as error:
            await db.close()
            if isinstance(error, StoreError):
                raise
            raise StoreError(f"{path}: cannot use the database ({error})") from error
        return store

    async def _migrate(self) -> None:
        """Apply the migrations this database has not had yet, each in its own transaction."""
        version = (await self._one("PRAGMA user_version"))[0]
        if version > len(MIGRATIONS):
            raise StoreError(f"{self.path}: made by a newer newsbot (schema {version}); upgrade newsbot")
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            await self._db.executescript(f"BEGIN IMMEDIATE; {script}; PRAGMA user_version={number}; COMMIT;")

    async def close(self) -> None:
        """Close the connection."""
        await self._db.close()

    async def _one(self, sql: str, params: Sequence[object] = ()) -> tuple:
        """Fetch one row."""
        async with self._db.execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def _all(self, sql: str, params: Sequence[object] = ()) -> list[tuple]:
        """Fetch all rows."""
        async with self._db.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def get_meta(self, key: str) -> str | None:
        """Read one library-wide setting (model name, dimension)."""
        row = await self._one("SELECT value FROM meta WHERE key = ?", (key,))
        return row[0] if row else None

    async def set_meta(self, key: str, value: str) -> None:
        """Write one library-wide setting."""
        await self._db.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    async def existing_hashes(self, articles: Sequence[Article]) -> dict[str, str]:
        """Map each article already stored (by id, else by url) to the stored version's content hash."""
        found: dict[str, str] = {}
        for article in articles:
            row = await self._one(
                "SELECT content_hash FROM articles WHERE id = ? OR (url IS NOT NULL AND url = ?)"
                " ORDER BY id = ? DESC LIMIT 1",
                (article.id, article.url, article.id),
            )
            if row:
                found[article.id] = row[0]
        return found

    async def write_articles(self, prepared: Sequence[PreparedArticle]) -> tuple[list[int], list[int]]:
        """Replace these articles in one transaction; return (removed chunk ids, added chunk ids)."""
        removed: list[int] = []
        added: list[int] = []
        now = datetime.now(UTC).isoformat(timespec="seconds")
        await self._db.execute("BEGIN IMMEDIATE")
        try:
            for item in prepared:
                removed += await self._delete_article(item.article.id, item.article.url)
                added += await self._insert_article(item, now)
            await self._db.execute("COMMIT")
        except BaseException:
            await self._db.execute("ROLLBACK")
            raise
        return removed, added

    async def _delete_article(self, article_id: str, url: str | None = None) -> list[int]:
        """Delete an article by id, and any older version under the same url; return their chunk ids."""
        match = "id = ? OR (url IS NOT NULL AND url = ?)"
        rows = await self._all(
            f"SELECT id FROM chunks WHERE article_id IN (SELECT id FROM articles WHERE {match})", (article_id, url)
        )
        await self._db.execute(f"DELETE FROM articles WHERE {match}", (article_id, url))
        return [row[0] for row in rows]

    async def _insert_article(self, item: PreparedArticle, now: str) -> list[int]:
        """Insert one prepared article; return its new chunk ids in window order."""
        article = item.article
        published = article.published.isoformat() if article.published else None
        await self._db.execute(
            "INSERT INTO articles(id, title, url, source, published, content_hash, origin, ingested_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (article.id, article.title, article.url, article.source, published,
             item.content_hash, article.origin, now),
        )
        await self._db.executemany(
            "INSERT INTO sentences(article_id, position, paragraph, text, embedding) VALUES (?, ?, ?, ?, ?)",
            [(article.id, n, seg.paragraph, seg.text, _blob(vector))
             for n, (seg, vector) in enumerate(zip(item.segments, item.sentence_embeddings, strict=True))],
        )
        chunk_ids = []
        for (first, last), vector in zip(item.windows, item.chunk_embeddings, strict=True):
            text = " ".join(seg.text for seg in item.segments[first:last])
            cursor = await self._db.execute(
                "INSERT INTO chunks(article_id, first, last, text, embedding) VALUES (?, ?, ?, ?, ?)",
                (article.id, first, last, text, _blob(vector)),
            )
            chunk_ids.append(cursor.lastrowid)
        return chunk_ids

    async def remove_article(self, article_id: str) -> list[int] | None:
        """Delete one article; return its chunk ids, or None when there is no such article."""
        if await self._one("SELECT 1 FROM articles WHERE id = ?", (article_id,)) is None:
            return None
        await self._db.execute("BEGIN IMMEDIATE")
        try:
            removed = await self._delete_article(article_id)
            await self._db.execute("COMMIT")
        except BaseException:
            await self._db.execute("ROLLBACK")
            raise
        return removed

    async def list_articles(self) -> list[ArticleInfo]:
        """Every stored article, newest first, undated last."""
        rows = await self._all(
            "SELECT a.id, a.title, a.url, a.source, a.published, a.ingested_at,"
            " (SELECT count(*) FROM sentences s WHERE s.article_id = a.id)"
            " FROM articles a ORDER BY a.published IS NULL, a.published DESC, a.title"
        )
        return [
            ArticleInfo(id=r[0], title=r[1], url=r[2], source=r[3], published=_parse_day(r[4]),
                        ingested_at=r[5], sentences=r[6])
            for r in rows
        ]

    async def articles_by_id(self, article_ids: Iterable[str]) -> dict[str, ArticleInfo]:
        """Citation details for these articles."""
        wanted = list(dict.fromkeys(article_ids))
        if not wanted:
            return {}
        rows = await self._all(
            "SELECT id, title, url, source, published, ingested_at FROM articles"
            f" WHERE id IN ({_placeholders(len(wanted))})",
            wanted,
        )
        return {
            r[0]: ArticleInfo(id=r[0], title=r[1], url=r[2], source=r[3], published=_parse_day(r[4]),
                              ingested_at=r[5], sentences=0)
            for r in rows
        }

    async def chunk_ids(self) -> np.ndarray:
        """Sorted ids of every stored chunk."""
        rows = await self._all("SELECT id FROM chunks ORDER BY id")
        return np.array([r[0] for r in rows], dtype=np.int64)

    async def chunk_embeddings(self, dimension: int) -> tuple[np.ndarray, np.ndarray]:
        """Every stored chunk id with its embedding, for rebuilding the vector index."""
        rows = await self._all("SELECT id, embedding FROM chunks ORDER BY id")
        ids = np.array([r[0] for r in rows], dtype=np.int64)
        vectors = np.zeros((len(rows), dimension), dtype=np.float32)
        for n, (_, blob) in enumerate(rows):
            vectors[n] = np.frombuffer(blob, dtype=np.float32)
        return ids, vectors

    async def search_chunks(self, fts_query: str, limit: int) -> list[tuple[int, float]]:
        """Chunks matching an FTS5 query, best BM25 first (score: higher is better)."""
        rows = await self._all(
            "SELECT rowid, bm25(chunks_fts) FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY rank LIMIT ?",
            (fts_query, limit),
        )
        return [(r[0], -r[1]) for r in rows]

    async def search_sentence_chunks(self, fts_query: str, limit: int) -> list[tuple[int, float]]:
        """Chunks holding the sentences that best match an FTS5 query, best first."""
        rows = await self._all(
            "WITH hits AS (SELECT rowid AS id, bm25(sentences_fts) AS score FROM sentences_fts"
            " WHERE sentences_fts MATCH ? ORDER BY rank LIMIT ?)"
            " SELECT c.id, -min(h.score) FROM hits h JOIN sentences s ON s.id = h.id"
            " JOIN chunks c ON c.article_id = s.article_id AND s.position >= c.first AND s.position < c.last"
            " GROUP BY c.id ORDER BY min(h.score)",
            (fts_query, limit),
        )
        return [(r[0], r[1]) for r in rows]

    async def sentences_in_chunks(self, chunk_ids: Sequence[int]) -> dict[int, list[StoredSentence]]:
        """The sentences of each chunk, in article order."""
        rows = await self._all(
            "SELECT c.id, s.id, s.article_id, s.position, s.paragraph, s.text, s.embedding FROM chunks c"
            " JOIN sentences s ON s.article_id = c.article_id AND s.position >= c.first AND s.position < c.last"
            f" WHERE c.id IN ({_placeholders(len(chunk_ids))}) ORDER BY c.id, s.position",
            list(chunk_ids),
        )
        found: dict[int, list[StoredSentence]] = {}
        for chunk_id, *sentence, blob in rows:
            found.setdefault(chunk_id, []).append(StoredSentence(*sentence, np.frombuffer(blob, dtype=np.float32)))
        return found

    async def sentence_scores(self, fts_query: str, sentence_ids: Sequence[int]) -> dict[int, float]:
        """BM25 of each listed sentence against an FTS5 query (absent: no match)."""
        rows = await self._all(
            "SELECT rowid, bm25(sentences_fts) FROM sentences_fts WHERE sentences_fts MATCH ?"
            f" AND rowid IN ({_placeholders(len(sentence_ids))})",
            [fts_query, *sentence_ids],
        )
        return {r[0]: -r[1] for r in rows}

    async def counts(self) -> dict[str, object]:
        """Row counts and the date range, for stats."""
        articles, oldest, newest = await self._one("SELECT count(*), min(published), max(published) FROM articles")
        sentences = (await self._one("SELECT count(*) FROM sentences"))[0]
        chunks = (await self._one("SELECT count(*) FROM chunks"))[0]
        return {"articles": articles, "sentences": sentences, "chunks": chunks,
                "oldest": _parse_day(oldest), "newest": _parse_day(newest)}

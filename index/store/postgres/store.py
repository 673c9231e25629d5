"""The PostgreSQL store: articles, sentences and passages (vectors in pgvector columns) many processes share."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import asyncpg
import numpy as np

from index.models import Article, PreparedArticle
from index.store.blobs import as_stored, from_blob, to_blob
from index.store.errors import StoreError
from index.store.postgres.catalog import Catalog
from index.store.postgres.copies import Copies
from index.store.postgres.database import Database, Queries, moment
from index.store.postgres.excerpts import SentenceReader
from index.store.postgres.faults import database_faults, describe
from index.store.postgres.feeds import FeedStore
from index.store.postgres.follows import FollowStore
from index.store.postgres.lexical import Statistics, WordSearch
from index.store.postgres.migrations import migrate, prepare
from index.store.postgres.schema import LIBRARY_MIGRATIONS
from index.store.postgres.sql import same_article
from index.store.postgres.text import fold, token_count
from index.store.postgres.usage import UsageLog
from index.store.records import StoredSentence
from index.store.scopes import scoped_id
from index.store.terms import TermQuery
from index.store.writing import ArticleWrites

# pg_advisory_lock's first key for a scope's writes (the second is the scope's hash): one writer per scope.
_WRITE_LOCK = 18


class Store(Queries, ArticleWrites):
    """The library in a PostgreSQL database: written in transactions, read by every process at once."""

    copies: Copies  # the copies part whose links a write applies

    def __init__(self, db: Database, statistics_seconds: float = 600.0) -> None:
        super().__init__(db)
        self.read_only = False
        self.dimension = 0  # of the stored embeddings; 0 until the first article
        self.catalog = Catalog(db)
        self.usage = UsageLog(db)
        self.feeds = FeedStore(db)
        self.follows = FollowStore(db)
        self.copies = Copies(db)
        # BM25's row counts and lengths, kept a while: counting a large table at every question would cost more.
        statistics = Statistics(db, statistics_seconds)
        self._words = WordSearch(db, statistics)
        self.excerpts = SentenceReader(db, statistics)
        # One in-process lock per scope before the server's: a task of this process waits here, not on a connection.
        self._local: dict[str | None, asyncio.Lock] = {}

    @classmethod
    async def open(cls, url: str, pool_size: int = 5, statistics_seconds: float = 600.0) -> Store:
        """Open (migrating as needed) the library in the PostgreSQL database at `url`; word searches use the table
        statistics they counted within the last `statistics_seconds`."""
        where = describe(url)
        await _prepare(url, where)
        db = await Database.connect(url, where, pool_size)
        store = cls(db, statistics_seconds)
        try:
            store.dimension = int(await store.get_meta("dimension") or 0)
        except BaseException:
            await db.close()
            raise
        return store

    @property
    def database(self) -> Database:
        """The pool the store's parts (and the vectors) share."""
        return self._db

    async def stored_bytes(self) -> int:
        """The size of the database on the server."""
        return int(await self._value("SELECT pg_database_size(current_database())"))

    async def close(self) -> None:
        """Close every connection."""
        await self._db.close()

    @asynccontextmanager
    async def writing(self, scope: str | None) -> AsyncIterator[None]:
        """Held by a write to this scope from reading what is stored to committing: one writer per scope across every
        process on the database (a process that dies lets go with its connection)."""
        async with self._local.setdefault(scope, asyncio.Lock()), self._db.connection() as connection:
            await connection.execute("SELECT pg_advisory_lock($1, hashtext(coalesce($2::text, '')))",
                                     _WRITE_LOCK, scope)
            try:
                yield
            finally:
                await connection.execute("SELECT pg_advisory_unlock($1, hashtext(coalesce($2::text, '')))",
                                         _WRITE_LOCK, scope)

    async def get_meta(self, key: str) -> str | None:
        """Read one library-wide setting (model name, dimension)."""
        return await self._value("SELECT value FROM meta WHERE key = $1", key)

    async def set_meta(self, key: str, value: str) -> None:
        """Write one library-wide setting."""
        await self._execute("INSERT INTO meta(key, value) VALUES ($1, $2)"
                            " ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value)
        if key == "dimension":
            self.dimension = int(value)

    async def existing_hashes(self, articles: Sequence[Article], scope: str | None = None) -> dict[str, str]:
        """Map each article already in this scope (by id, else by url; an original, else a copy) to its content hash."""
        found: dict[str, str] = {}
        for article in articles:
            stored_id = scoped_id(article.id, scope)
            stored_hash = await self._value(
                f"SELECT content_hash FROM articles WHERE {same_article(1)} ORDER BY id = $1 DESC LIMIT 1",
                stored_id, article.url, scope)
            stored_hash = stored_hash or await self.copies.content_hash(stored_id, article.url, scope)
            if stored_hash:
                found[article.id] = stored_hash
        return found

    async def _delete_article(self, stored_id: str, scope: str | None, url: str | None = None) -> list[int]:
        """Delete an article of one scope, and any older version under the same url; return their chunk ids."""
        # Only within the scope: a server's copy never replaces the global one, nor another server's.
        rows = await self._all(f"SELECT id FROM chunks WHERE article_id IN (SELECT id FROM articles WHERE"
                               f" {same_article(1)})", stored_id, url, scope)
        await self._execute(f"DELETE FROM articles WHERE {same_article(1)}", stored_id, url, scope)
        return [row[0] for row in rows]

    async def _insert_article(self, item: PreparedArticle, stored_id: str, scope: str | None, now: str) -> list[int]:
        """Insert one prepared article under its stored id; return its new chunk ids in window order."""
        article = item.article
        await self._execute(
            "INSERT INTO articles(id, title, url, source, published, content_hash, origin, ingested_at, scope,"
            " author, search_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            stored_id, article.title, article.url, article.source, article.published, item.content_hash,
            article.origin, moment(now), scope, article.author, search_key(article.title, article.source))
        texts = [segment.text for segment in item.segments]
        await self._execute(
            "INSERT INTO sentences(article_id, position, paragraph, text, embedding, tokens, tsv)"
            " SELECT $1, position - 1, paragraph, text, embedding, tokens, to_tsvector('newsbot', folded) FROM"
            " unnest($2::int[], $3::text[], $4::bytea[], $5::int[], $6::text[])"
            " WITH ORDINALITY AS s(paragraph, text, embedding, tokens, folded, position)",
            stored_id, [segment.paragraph for segment in item.segments], texts,
            [to_blob(vector) for vector in item.sentence_embeddings], [token_count(text) for text in texts],
            [fold(text) for text in texts])
        vectors = as_stored(np.asarray(item.chunk_embeddings))
        chunk_ids: list[int] = []
        for (first, last), vector in zip(item.windows, vectors, strict=True):
            text = " ".join(texts[first:last])
            chunk_ids.append(await self._value(
                "INSERT INTO chunks(article_id, scope, first, last, text, tokens, tsv, embedding)"
                " VALUES ($1, $2, $3, $4, $5, $6, to_tsvector('newsbot', $7), $8) RETURNING id",
                stored_id, scope, first, last, text, token_count(text), fold(text), vector))
        return chunk_ids

    async def remove_article(self, article_id: str, scope: str | None = None) -> list[int] | None:
        """Delete one article of this scope; return its chunk ids, or None when the scope has no such article."""
        stored_id = scoped_id(article_id, scope)
        async with self._transaction():
            if await self._one("SELECT 1 FROM articles WHERE id = $1 AND scope IS NOT DISTINCT FROM $2::text",
                               stored_id, scope) is None:
                return None
            return await self._delete_article(stored_id, scope)

    async def sentences_in_chunks(self, chunk_ids: Sequence[int]) -> dict[int, list[StoredSentence]]:
        """The sentences of each chunk, in article order."""
        rows = await self._all(
            "SELECT c.id, s.id, s.article_id, s.position, s.paragraph, s.text, s.embedding, a.published FROM chunks c"
            " JOIN sentences s ON s.article_id = c.article_id AND s.position >= c.first AND s.position < c.last"
            " JOIN articles a ON a.id = c.article_id WHERE c.id = ANY($1::bigint[]) ORDER BY c.id, s.position",
            list(chunk_ids))
        found: dict[int, list[StoredSentence]] = {}
        for chunk_id, sentence_id, article_id, position, paragraph, text, blob, published in rows:
            found.setdefault(chunk_id, []).append(StoredSentence(
                sentence_id, article_id, position, paragraph, text, from_blob(blob, self.dimension), published))
        return found

    async def term_matches(self, queries: Sequence[TermQuery], cap: int) -> list[int]:
        """How many sentences match each word search, counting no further than `cap` (cheap: no ranking)."""
        return await self._words.term_matches(queries, cap)

    async def search_chunks(self, words: TermQuery, limit: int, scope: str | None = None) -> list[tuple[int, float]]:
        """Passages the scope sees matching a word search, best BM25 first (score: higher is better)."""
        return await self._words.search_chunks(words, limit, scope)

    async def search_sentence_chunks(self, words: TermQuery, limit: int,
                                     scope: str | None = None) -> list[tuple[int, float]]:
        """Passages holding the sentences (of articles the scope sees) that best match a word search, best first."""
        return await self._words.search_sentence_chunks(words, limit, scope)

    async def sentence_scores(self, words: TermQuery, sentence_ids: Sequence[int]) -> dict[int, float]:
        """BM25 of each listed sentence against a word search (absent: no match)."""
        return await self._words.sentence_scores(words, sentence_ids)

    async def previous_sentences(self, sentence_ids: Sequence[int]) -> dict[int, str]:
        """The text of the sentence just before each listed one in its article (none for a first sentence)."""
        rows = await self._all(
            "SELECT s.id, p.text FROM sentences s"
            " JOIN sentences p ON p.article_id = s.article_id AND p.position = s.position - 1"
            " WHERE s.id = ANY($1::bigint[])", list(sentence_ids))
        return {sentence_id: text for sentence_id, text in rows}


def search_key(title: str, source: str | None) -> str:
    """What an article filter's text is looked for in: title and outlet case-folded, as SQLite's filter folds them
    (PostgreSQL 16 has no casefold(), and lower() leaves "ß")."""
    return f"{title.casefold()}\x1f{(source or '').casefold()}"


async def _prepare(url: str, where: str) -> None:
    """Give the database pgvector and the library's schema, or raise a one-line StoreError."""
    try:
        with database_faults(where):
            # Over a connection of its own, before the pool: the pool's connections read `vector`, which must exist.
            connection = await asyncpg.connect(url)
            try:
                await prepare(connection)
                await migrate(connection, "library", LIBRARY_MIGRATIONS)
            finally:
                await connection.close()
    except (ValueError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:  # a malformed address, a refusal
        raise StoreError(f"{where}: cannot use the database ({error})") from None

"""Near-duplicates in PostgreSQL: signatures and their LSH bands, copies kept without their sentences."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from itertools import groupby

import numpy as np

from index.ingest.duplicates import Copy, Signed, band_keys
from index.models import Article
from index.store.postgres.database import Queries, changed, moment
from index.store.postgres.sql import same_article
from index.store.records import article_text
from index.store.scopes import public_id, scoped_id, unscoped_id
from index.store.writing import CopyLinks, Delete

_COPY_COLUMNS = ("id, original_id, scope, title, url, source, published, content_hash, origin, ingested_at,"
                 " similarity, text, author")


class Copies(Queries, CopyLinks):
    """Signatures of originals for finding near-duplicates, and the copies linked to them."""

    async def candidates(self, signed: Sequence[Signed], scope: str | None) -> list[Signed]:
        """Originals of the scope sharing an LSH band with any of these articles (public ids)."""
        keys = sorted({key for item in signed for key in band_keys(item.signature)})
        if not keys:
            return []
        rows = await self._all(
            f"SELECT {public_id('a')}, a.url, a.published, s.signature, s.size FROM signatures s"
            " JOIN articles a ON a.id = s.article_id WHERE a.scope IS NOT DISTINCT FROM $1::text AND s.article_id IN"
            " (SELECT article_id FROM signature_bands WHERE key = ANY($2::bigint[]))", scope, keys)
        found = [Signed(row[0], row[1], row[2], np.frombuffer(row[3], dtype=np.uint32), row[4]) for row in rows]
        return list({item.id: item for item in found}.values())

    async def content_hash(self, stored_id: str, url: str | None, scope: str | None) -> str | None:
        """The content hash of the scope's copy stored under this id (else this url), if there is one."""
        return await self._value(f"SELECT content_hash FROM copies WHERE {same_article(1)} ORDER BY id = $1 DESC"
                                 " LIMIT 1", stored_id, url, scope)

    async def unsigned(self) -> list[tuple[str, Article]]:
        """Stored originals without a signature (libraries made before duplicates were detected), with their text."""
        rows = await self._all(
            "SELECT a.id, a.title, s.paragraph, s.text FROM articles a JOIN sentences s ON s.article_id = a.id"
            " WHERE NOT EXISTS (SELECT 1 FROM signatures g WHERE g.article_id = a.id) ORDER BY a.id, s.position")
        return [(stored_id, Article(stored_id, title, article_text([(row[2], row[3]) for row in group])))
                for (stored_id, title), group in groupby(rows, key=lambda row: (row[0], row[1]))]

    async def _sign(self, stored_id: str, item: Signed) -> None:
        """Store one original's signature and its band keys (inside a transaction)."""
        await self._execute(
            "INSERT INTO signatures(article_id, signature, size) VALUES ($1, $2, $3) ON CONFLICT (article_id)"
            " DO UPDATE SET signature = excluded.signature, size = excluded.size",
            stored_id, item.signature.astype(np.uint32).tobytes(), item.size)
        await self._execute("DELETE FROM signature_bands WHERE article_id = $1", stored_id)
        await self._executemany("INSERT INTO signature_bands(key, article_id) VALUES ($1, $2)",
                                [(key, stored_id) for key in band_keys(item.signature)])

    async def successor(self, article_id: str, scope: str | None) -> Article | None:
        """The first copy (earliest published, then first stored) of one of the scope's originals."""
        row = await self._one(
            "SELECT id, title, text, url, source, published, origin, author FROM copies WHERE original_id = $1"
            " AND scope IS NOT DISTINCT FROM $2::text ORDER BY published IS NULL, published, ingested_at, id LIMIT 1",
            scoped_id(article_id, scope), scope)
        if row is None:
            return None
        return Article(unscoped_id(row[0], scope), row[1], zlib.decompress(row[2]).decode(), row[3], row[4],
                       row[5], row[6], author=row[7])

    async def remove(self, article_id: str, scope: str | None) -> bool:
        """Delete one of the scope's copies; False when the scope has no copy with this id."""
        status = await self._execute("DELETE FROM copies WHERE id = $1 AND scope IS NOT DISTINCT FROM $2::text",
                                     scoped_id(article_id, scope), scope)
        return changed(status) > 0

    async def _release(self, stored_id: str, url: str | None, scope: str | None, heir: str) -> None:
        """Before the versions of an article (by id, else url) are replaced: their copies go to `heir`, copy rows go."""
        await self._execute(f"UPDATE copies SET original_id = $4 WHERE scope IS NOT DISTINCT FROM $3::text AND"
                            f" original_id IN (SELECT id FROM articles WHERE {same_article(1)})",
                            stored_id, url, scope, heir)
        await self._execute(f"DELETE FROM copies WHERE {same_article(1)}", stored_id, url, scope)

    async def _hand_over(self, gone: str, heir: str, scope: str | None, delete: Delete) -> list[int]:
        """Delete the original `gone` (public id) from the index; its copies go to `heir`."""
        gone, heir = scoped_id(gone, scope), scoped_id(heir, scope)
        await self._execute("UPDATE copies SET original_id = $1 WHERE original_id = $2"
                            " AND scope IS NOT DISTINCT FROM $3::text", heir, gone, scope)
        return await delete(gone, scope, None)

    async def _demote(self, stored_id: str, original: str, scope: str | None, similarity: float) -> None:
        """Keep a stored original's row and text as a copy of an earlier article (its sentences go)."""
        rows = await self._all("SELECT paragraph, text FROM sentences WHERE article_id = $1 ORDER BY position",
                               stored_id)
        text = article_text([(row[0], row[1]) for row in rows])
        await self._execute(
            f"INSERT INTO copies({_COPY_COLUMNS}) SELECT id, $1, scope, title, url, source, published,"
            " content_hash, origin, ingested_at, $2, $3, author FROM articles WHERE id = $4"
            " AND scope IS NOT DISTINCT FROM $5::text",
            original, similarity, zlib.compress(text.encode()), stored_id, scope)

    async def _add_copy(self, copy: Copy, scope: str | None, now: str, delete: Delete) -> list[int]:
        """Store a newcomer as a copy, replacing any version of it stored before (as an original or a copy)."""
        article = copy.article
        stored_id, original = scoped_id(article.id, scope), scoped_id(copy.original, scope)
        # A version of it stored as an original goes, and its copies go to the original it repeats.
        await self._release(stored_id, article.url, scope, heir=original)
        removed = await delete(stored_id, scope, article.url)
        await self._execute(
            f"INSERT INTO copies({_COPY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            stored_id, original, scope, article.title, article.url, article.source, article.published,
            copy.content_hash, article.origin, moment(now), copy.similarity, zlib.compress(article.text.encode()),
            article.author)
        return removed

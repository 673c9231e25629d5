"""The ingest pipeline: files, folders, web pages and records -> new or changed articles, split and embedded."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from pathlib import Path

import numpy as np

from index.embedder import Embedder
from index.ingest.batches import Batch, Tally, next_items, too_long
from index.ingest.duplicates import Copy, Links, plan_duplicates, signed
from index.ingest.fields import id_problem, with_clean_lines
from index.ingest.files import RecordError, SourceError, read_file, read_upload
from index.ingest.folders import iter_files, nothing_to_read
from index.ingest.preparation import content_hash, prepare_articles
from index.models import Article, IngestReport, PreparedArticle
from index.settings import EngineSettings
from index.store.scopes import check_scope
from index.store.store import Store
from index.store.vectorstore import VectorStore
from index.text import one_line
from index.web.fetching import FeedNotArticle, WebClient, web_url

# Called after each file with (files done, files in all, articles written so far).
Progress = Callable[[int, int, int], None]


class Ingestor:
    """Reads sources in batches, skips what is unchanged, and writes the rest to SQLite, then to the vectors."""

    def __init__(self, store: Store, vectors: VectorStore, embedder: Embedder, settings: EngineSettings,
                 web: WebClient) -> None:
        self._store = store
        self._vectors = vectors
        self._web = web
        self._embedder = embedder
        self._settings = settings

    async def ingest_files(self, paths: Iterable[Path], progress: Progress | None = None,
                           scope: str | None = None) -> IngestReport:
        """Add the articles of local files and folders to a scope (None: global); failures are reported."""
        check_scope(scope)
        paths = list(paths)
        if not all(isinstance(path, Path) for path in paths):
            # Text from a user is never taken for a path by accident: URLs go to ingest_urls.
            raise TypeError("ingest_files takes Path objects; web addresses go to ingest_urls")
        files = await asyncio.to_thread(lambda: list(iter_files(paths)))
        return await self._ingest(files, progress, scope)

    async def ingest_urls(self, urls: Iterable[str], progress: Progress | None = None,
                          scope: str | None = None) -> IngestReport:
        """Add the articles of web pages to a scope (None: global); anything but an http(s) URL is refused."""
        check_scope(scope)
        return await self._ingest([str(url) for url in urls], progress, scope)

    async def _ingest(self, sources: Sequence[Path | str], progress: Progress | None,
                      scope: str | None) -> IngestReport:
        """Read files (Paths) and fetch web pages (strings) in order, writing their articles in batches."""
        started = time.monotonic()
        tally = Tally(files=len(sources))
        batch = Batch()
        for done, source in enumerate(sources, start=1):
            if isinstance(source, Path):
                async for items in self._read(source):
                    await self._add(items, batch, tally, scope)
                    if progress:  # a file of many articles moves the count of articles as it goes
                        progress(done - 1, len(sources), tally.articles)
            else:
                await self._add([await self._fetch(source)], batch, tally, scope)
            if progress:
                progress(done, len(sources), tally.articles)
        await self._write_batch(batch.take(), tally, scope)
        return tally.report(started)

    async def _read(self, path: Path) -> AsyncIterator[list[Article | SourceError]]:
        """A file's articles and per-record errors, a batch at a time, each read in a worker thread."""
        if path.is_dir():  # a named folder with no article file in it: say why
            yield [SourceError(await asyncio.to_thread(nothing_to_read, path))]  # walks the folder: off the loop
            return
        records = read_file(path, max_file_mb=self._settings.max_file_mb)
        while items := await asyncio.to_thread(next_items, records, self._settings):
            yield items

    async def _add(self, items: Iterable[Article | SourceError], batch: Batch, tally: Tally,
                   scope: str | None) -> None:
        """Queue articles (errors are tallied), writing the batch, and so committing it, whenever it is full."""
        for item in items:
            if isinstance(item, FeedNotArticle):  # the front end says how it follows feeds
                tally.feeds.append(item.url)
            elif isinstance(item, SourceError):
                tally.errors.append(str(item))
                tally.failed_files += not isinstance(item, RecordError)
            else:
                batch.add(item)
                if batch.full(self._settings):
                    await self._write_batch(batch.take(), tally, scope)

    async def _fetch(self, url: str) -> Article | SourceError:
        """The article of one web page, or the reason it could not be read (never a file: http(s) only)."""
        address = web_url(url)
        if address is None:
            return SourceError(f"{one_line(url)[:80]}: not an http(s) URL")
        try:
            return await self._web.fetch_article(address)
        except SourceError as error:
            return error

    async def ingest_articles(self, articles: Iterable[Article], scope: str | None = None) -> IngestReport:
        """Add articles made by other front ends (feeds, the bot) to a scope (None: the global library)."""
        check_scope(scope)
        started = time.monotonic()
        tally = Tally()
        batch = Batch()
        await self._add(articles, batch, tally, scope)
        await self._write_batch(batch.take(), tally, scope)
        return tally.report(started)

    async def _write_batch(self, articles: Sequence[Article], tally: Tally, scope: str | None) -> None:
        """Split, embed and store the articles of one batch that are new or changed in the scope."""
        latest: dict[str, Article] = {}
        for article in articles:  # the same id twice: the later one wins
            if problem := id_problem(article) or too_long(article, self._settings.max_article_chars):
                tally.errors.append(problem)  # costs this article, not its batch or its file
            else:
                latest[article.id] = with_clean_lines(article)
        if not latest:
            return
        async with self._vectors.writing:
            known = await self._store.existing_hashes(list(latest.values()), scope)
            changed = [a for a in latest.values() if known.get(a.id) != content_hash(a)]
            tally.unchanged += len(latest) - len(changed)
            originals, links = await self._find_copies(changed, scope)
            tally.duplicates += len(links.copies)
            prepared = await self._prepare(originals)
            for item in prepared:
                if not item.segments:
                    tally.errors.append(f"{item.article.origin or item.article.id}: no sentences in the text")
                elif item.article.id in known:
                    tally.updated += 1
                else:
                    tally.new += 1
            kept = [item for item in prepared if item.segments]
            await self._store_prepared(kept, scope, _keep_links(links, {item.article.id for item in kept}))

    async def _store_prepared(self, prepared: Sequence[PreparedArticle], scope: str | None, links: Links) -> None:
        """Write to SQLite first (the source of truth), then bring FAISS in step (call under the write lock)."""
        if not prepared and not links.copies:
            return
        await self._vectors.start(self._embedder.name, self._embedder.dimension)
        removed, added = await self._store.write_articles(prepared, scope, links)
        matrix = np.concatenate([np.zeros((0, self._embedder.dimension), dtype=np.float32),
                                 *(item.chunk_embeddings for item in prepared)]).astype(np.float32)
        await self._vectors.apply(removed, added, matrix)
        await self._vectors.save_if_due(self._settings.save_every_seconds)

    async def _prepare(self, articles: Sequence[Article]) -> list[PreparedArticle]:
        """Split and embed articles in a worker thread."""
        if not articles:
            return []
        settings = self._settings
        return await asyncio.to_thread(prepare_articles, articles, self._embedder, settings.chunk_sentences,
                                       settings.chunk_overlap, settings.passage_vectors)

    async def _find_copies(self, articles: Sequence[Article], scope: str | None) -> tuple[list[Article], Links]:
        """Split new or changed articles into originals to index and near-duplicates to keep only as copies."""
        by_id = {article.id: article for article in articles}
        # Signing is CPU work (about half a millisecond an article): off the event loop, like embedding.
        signatures = await asyncio.to_thread(lambda: [signed(article) for article in articles])
        incoming = {item.id: item for item in signatures if item is not None}
        urls = {article.url for article in articles if article.url}
        # Stored versions of the incoming articles are being replaced: they are nobody's original now.
        stored = [item for item in await self._store.copies.candidates(list(incoming.values()), scope)
                  if item.id not in by_id and item.url not in urls]
        matches = plan_duplicates(list(incoming.values()), stored)
        copies = [Copy(by_id[m.copy], m.original, m.similarity, content_hash(by_id[m.copy]))
                  for m in matches if m.copy in by_id]
        copied = {copy.article.id for copy in copies}
        originals = [article for article in articles if article.id not in copied]
        return originals, Links(signed=tuple(incoming[a.id] for a in originals if a.id in incoming),
                                copies=tuple(copies), demoted=tuple(m for m in matches if m.copy not in by_id))

    async def sign_stored(self) -> None:
        """Sign the stored originals that have no signature (libraries made before duplicates were detected)."""
        unsigned = await self._store.copies.unsigned()
        pairs = [(stored_id, item) for stored_id, article in unsigned if (item := signed(article)) is not None]
        if pairs:
            await self._store.copies.sign(pairs)

    async def succeed(self, article_id: str, scope: str | None) -> bool:
        """Remove an original that has copies, its first copy taking its place (call under the write lock)."""
        successor = await self._store.copies.successor(article_id, scope)
        item = signed(successor) if successor is not None else None
        if successor is None or item is None:
            return False
        prepared = await self._prepare([successor])
        if not prepared or not prepared[0].segments:
            return False
        links = Links(signed=(item,), succeeded=((article_id, successor.id),))
        await self._store_prepared(prepared, scope, links)
        return True

    async def ingest_upload(self, name: str, data: bytes, scope: str | None = None) -> IngestReport:
        """Add the articles of an uploaded file's bytes, parsed as a file of that name would be, to a scope."""
        check_scope(scope)
        started = time.monotonic()
        tally = Tally(files=1)
        batch = Batch()
        records = read_upload(name, data, max_file_mb=self._settings.max_file_mb)
        while items := await asyncio.to_thread(next_items, records, self._settings):
            await self._add(items, batch, tally, scope)
        await self._write_batch(batch.take(), tally, scope)
        return tally.report(started)


def _keep_links(links: Links, written: set[str]) -> Links:
    """The links of a batch without those pointing at an incoming original that could not be written."""
    failed = {item.id for item in links.signed} - written
    return Links(signed=tuple(item for item in links.signed if item.id in written),
                 copies=tuple(copy for copy in links.copies if copy.original not in failed),
                 demoted=tuple(m for m in links.demoted if m.original not in failed))

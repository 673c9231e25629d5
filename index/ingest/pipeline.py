"""The ingest pipeline: files, folders, web pages and records -> new or changed articles, split and embedded."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.embedder import Embedder
from index.follows.records import Alert
from index.ingest.batches import Batch, InFlight, Tally, next_items, too_long
from index.ingest.duplicates import Copy, Links, Signed, plan_duplicates, signed
from index.ingest.fields import id_problem, with_clean_lines
from index.ingest.files import RecordError, SourceError, read_file, read_upload
from index.ingest.folders import iter_files, nothing_to_read
from index.ingest.preparation import SplitArticle, content_hash, embed_split, split_articles
from index.models import Article, IngestProgress, IngestReport, PreparedArticle
from index.settings import EngineSettings
from index.store.protocols import StorePart, VectorsPart
from index.store.scopes import check_scope
from index.text import one_line
from index.web.fetching import FeedNotArticle, WebClient, web_url

# Called after each committed batch, and after each source, with how far the ingest has got.
Progress = Callable[[IngestProgress], None]
# Called with each batch of articles just stored in a scope; the alerts they made for followed topics.
OnStored = Callable[[Sequence[PreparedArticle], str | None], Awaitable[list[Alert]]]


@dataclass(frozen=True)
class _Checked:
    """A batch read ahead of the writer: its new or changed articles split and signed, before the model sees them."""

    split: list[SplitArticle]
    signatures: dict[str, Signed]


class Ingestor:
    """Reads sources in batches, skips what is unchanged, and writes the rest to SQLite, then to the vectors."""

    def __init__(self, store: StorePart, vectors: VectorsPart, embedder: Embedder, settings: EngineSettings,
                 web: WebClient, on_stored: OnStored | None = None) -> None:
        self._store = store
        self._on_stored = on_stored
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
        return await self._run(self._files(files), len(files), progress, scope)

    async def ingest_urls(self, urls: Iterable[str], progress: Progress | None = None,
                          scope: str | None = None) -> IngestReport:
        """Add the articles of web pages to a scope (None: global); anything but an http(s) URL is refused."""
        check_scope(scope)
        urls = [str(url) for url in urls]
        return await self._run(self._pages(urls), len(urls), progress, scope)

    async def ingest_articles(self, articles: Iterable[Article], scope: str | None = None) -> IngestReport:
        """Add articles made by other front ends (feeds, the bot) to a scope (None: the global library)."""
        check_scope(scope)
        return await self._run(_given(list(articles)), 0, None, scope)

    async def ingest_upload(self, name: str, data: bytes, scope: str | None = None) -> IngestReport:
        """Add the articles of an uploaded file's bytes, parsed as a file of that name would be, to a scope."""
        check_scope(scope)
        records = read_upload(name, data, max_file_mb=self._settings.max_file_mb)
        return await self._run(self._records(records, 0), 1, None, scope)

    async def _files(self, files: Sequence[Path]) -> AsyncIterator[tuple[int, list[Article | SourceError]]]:
        """Each file's articles and per-record errors, a batch's worth at a time, with the files done before."""
        for done, path in enumerate(files):
            if path.is_dir():  # a named folder with no article file in it: say why (a walk: off the loop)
                yield done, [SourceError(await asyncio.to_thread(nothing_to_read, path))]
            else:
                async for chunk in self._records(read_file(path, max_file_mb=self._settings.max_file_mb), done):
                    yield chunk
        yield len(files), []

    async def _records(self, records: Iterator[Article | SourceError],
                       done: int) -> AsyncIterator[tuple[int, list[Article | SourceError]]]:
        """A file's items, read a batch's worth at a time in a worker thread."""
        while items := await asyncio.to_thread(next_items, records, self._settings):
            yield done, items

    async def _pages(self, urls: Sequence[str]) -> AsyncIterator[tuple[int, list[Article | SourceError]]]:
        """The article of each web page, or why it could not be read."""
        for done, url in enumerate(urls):
            yield done, [await self._fetch(url)]
        yield len(urls), []

    async def _fetch(self, url: str) -> Article | SourceError:
        """The article of one web page, or the reason it could not be read (never a file: http(s) only)."""
        address = web_url(url)
        if address is None:
            return SourceError(f"{one_line(url)[:80]}: not an http(s) URL")
        try:
            return await self._web.fetch_article(address)
        except SourceError as error:
            return error

    async def _run(self, chunks: AsyncIterator[tuple[int, list[Article | SourceError]]], files: int,
                   progress: Progress | None, scope: str | None) -> IngestReport:
        """Read, check and split batch after batch while the batch before is embedded and committed."""
        run = _Run(Tally(files=files), time.monotonic(), progress)
        batch, in_flight = Batch(), InFlight()
        try:
            async for files_done, items in chunks:
                run.tally.files_done = files_done
                for article in _articles(items, run.tally):
                    batch.add(article)
                    if batch.full(self._settings):
                        await self._hand_over(batch.take(), run, in_flight, scope)
                run.moved()
            await self._hand_over(batch.take(), run, in_flight, scope)
            await in_flight.wait()
        except BaseException:
            await in_flight.abandon()  # what is committed stays: running the same ingest again resumes
            raise
        return run.tally.report(run.started)

    async def _hand_over(self, articles: Sequence[Article], run: _Run, in_flight: InFlight,
                         scope: str | None) -> None:
        """Check and split a batch, then, once the batch before is committed, start writing it."""
        checked = await self._check(articles, run.tally, scope)
        await in_flight.wait()
        if checked.split:
            in_flight.start(self._write(checked, run, scope))

    async def _check(self, articles: Sequence[Article], tally: Tally, scope: str | None) -> _Checked:
        """The batch's valid articles that are new or changed in the scope, split and signed in a worker thread."""
        latest: dict[str, Article] = {}
        for article in articles:  # the same id twice: the later one wins
            if problem := id_problem(article) or too_long(article, self._settings.max_article_chars):
                tally.errors.append(problem)  # costs this article, not its batch or its file
            else:
                latest[article.id] = with_clean_lines(article)
        known = await self._store.existing_hashes(list(latest.values()), scope) if latest else {}
        changed = [a for a in latest.values() if known.get(a.id) != content_hash(a)]
        tally.unchanged += len(latest) - len(changed)
        return await asyncio.to_thread(self._split_and_sign, changed)

    def _split_and_sign(self, articles: Sequence[Article]) -> _Checked:
        """Sentences, passages and MinHash signatures: the CPU work that does not need the model."""
        split = split_articles(articles, self._settings.chunk_sentences, self._settings.chunk_overlap)
        signatures = {item.id: item for article in articles if (item := signed(article)) is not None}
        return _Checked(split, signatures)

    async def _write(self, checked: _Checked, run: _Run, scope: str | None) -> None:
        """Embed and commit one checked batch: its copies kept as "also reported", the rest indexed."""
        tally = run.tally
        async with self._store.writing(scope):
            # Checked again under the lock: the batch before may have stored the same article meanwhile.
            known = await self._store.existing_hashes([item.article for item in checked.split], scope)
            fresh = [item for item in checked.split if known.get(item.article.id) != item.content_hash]
            tally.unchanged += len(checked.split) - len(fresh)
            originals, links = await self._find_copies(fresh, checked.signatures, scope)
            tally.duplicates += len(links.copies)
            prepared = await self._embed(originals)
            for item in prepared:
                if not item.segments:
                    tally.errors.append(f"{item.article.origin or item.article.id}: no sentences in the text")
                    continue
                tally.sentences += len(item.segments)
                if item.article.id in known:
                    tally.updated += 1
                else:
                    tally.new += 1
            kept = [item for item in prepared if item.segments]
            await self._store_prepared(kept, scope, _keep_links(links, {item.article.id for item in kept}))
            if self._on_stored is not None and kept:  # copies stay out: their story was told with the original
                tally.alerts.extend(await self._on_stored(kept, scope))
        run.moved()

    async def _store_prepared(self, prepared: Sequence[PreparedArticle], scope: str | None, links: Links) -> None:
        """Write to SQLite first (the source of truth), then bring FAISS in step (call under the write lock)."""
        if not prepared and not links.copies:
            return
        await self._vectors.start(self._embedder.name, self._embedder.dimension)
        removed, added = await self._store.write_articles(prepared, scope, links)
        matrix = np.concatenate([np.zeros((0, self._embedder.dimension), dtype=np.float32),
                                 *(item.chunk_embeddings for item in prepared)]).astype(np.float32)
        await self._vectors.apply(scope, removed, added, matrix)
        await self._vectors.save_if_due(self._settings.save_every_seconds)

    async def _embed(self, split: Sequence[SplitArticle]) -> list[PreparedArticle]:
        """Embed split articles in a worker thread (the model's work: the rest of ingest overlaps it)."""
        if not split:
            return []
        return await asyncio.to_thread(embed_split, split, self._embedder, self._settings.passage_vectors)

    async def _find_copies(self, split: Sequence[SplitArticle], signatures: dict[str, Signed],
                           scope: str | None) -> tuple[list[SplitArticle], Links]:
        """Split new or changed articles into originals to index and near-duplicates to keep only as copies."""
        by_id = {item.article.id: item for item in split}
        incoming = {item_id: signatures[item_id] for item_id in by_id if item_id in signatures}
        urls = {item.article.url for item in split if item.article.url}
        # Stored versions of the incoming articles are being replaced: they are nobody's original now.
        stored = [item for item in await self._store.copies.candidates(list(incoming.values()), scope)
                  if item.id not in by_id and item.url not in urls]
        matches = plan_duplicates(list(incoming.values()), stored)
        copies = [Copy(by_id[m.copy].article, m.original, m.similarity, by_id[m.copy].content_hash)
                  for m in matches if m.copy in by_id]
        copied = {copy.article.id for copy in copies}
        originals = [item for item in split if item.article.id not in copied]
        return originals, Links(signed=tuple(incoming[i.article.id] for i in originals if i.article.id in incoming),
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
        prepared = await self._embed(split_articles([successor], self._settings.chunk_sentences,
                                                    self._settings.chunk_overlap))
        if not prepared or not prepared[0].segments:
            return False
        links = Links(signed=(item,), succeeded=((article_id, successor.id),))
        await self._store_prepared(prepared, scope, links)
        return True


def _keep_links(links: Links, written: set[str]) -> Links:
    """The links of a batch without those pointing at an incoming original that could not be written."""
    failed = {item.id for item in links.signed} - written
    return Links(signed=tuple(item for item in links.signed if item.id in written),
                 copies=tuple(copy for copy in links.copies if copy.original not in failed),
                 demoted=tuple(m for m in links.demoted if m.original not in failed))


@dataclass
class _Run:
    """One ingest as it goes: its tally, when it started, and who wants to hear how far it has got."""

    tally: Tally
    started: float
    progress: Progress | None

    def moved(self) -> None:
        """Tell the progress callback, if any."""
        if self.progress is not None:
            self.progress(self.tally.progress(self.started))


def _articles(items: Iterable[Article | SourceError], tally: Tally) -> Iterator[Article]:
    """The articles among a source's items; its errors are tallied (a feed's address to be followed as one)."""
    for item in items:
        if isinstance(item, FeedNotArticle):  # the front end says how it follows feeds
            tally.feeds.append(item.url)
        elif isinstance(item, SourceError):
            tally.errors.append(str(item))
            tally.failed_files += not isinstance(item, RecordError)
        else:
            yield item


async def _given(articles: list[Article]) -> AsyncIterator[tuple[int, list[Article | SourceError]]]:
    """Articles handed over by a front end, as one source's items."""
    yield 0, list(articles)

"""The library: the one place that wires the store, the vectors, the embedder, search and answers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from pathlib import Path

from index.answers.asker import Asker
from index.answers.reader import Reader, open_reader
from index.answers.reading import Ranking
from index.answers.selection import check_question
from index.embedder import Embedder
from index.errors import LibraryError
from index.feeds.polling import FeedPoller
from index.follows.follower import Follower
from index.ingest.pipeline import Ingestor, Progress
from index.models import (
    Answer,
    Article,
    ArticleDetail,
    ArticleInfo,
    IngestReport,
    Stats,
    Summary,
    Usage,
)
from index.search.queries import article_filter
from index.search.retrieval import Candidate, Retriever
from index.settings import EngineSettings
from index.store.backends import Backend, open_backend, stored_here
from index.store.errors import StoreError
from index.summaries.digester import DEFAULT_LENGTH, NO_ARTICLES, TIMELINE_LENGTH, Digester
from index.web.fetching import WebClient

logger = logging.getLogger(__name__)


class Library:
    """A searchable collection of articles stored under one data directory."""

    def __init__(self, backend: Backend, embedder: Embedder, settings: EngineSettings, data_dir: Path,
                 reader: Reader | None) -> None:
        store = self._store = backend.store
        self._embedder = embedder
        self.settings = settings
        self.data_dir = data_dir
        self._vectors = backend.vectors
        self._asker = Asker(store, embedder, Retriever(store, self._vectors, settings), settings.policy, reader)
        self._digester = Digester(store, self._vectors, embedder, settings)
        self.web = WebClient(settings.web)
        # Follows: follow, list and remove topics, and the alerts articles make (library.follows.pending()); every
        # batch an ingest stores is checked against them.
        self.follows = Follower(store, embedder, settings.policy, settings.follow)
        self._ingestor = Ingestor(store, self._vectors, embedder, settings, self.web, self.follows.check)
        # Feeds: follow, list, remove and poll (library.feeds.poll()); new articles go through ingest_articles.
        self.feeds = FeedPoller(store.feeds, self.web, self.ingest_articles, settings.feeds)

    @classmethod
    async def open(cls, data_dir: Path, embedder: Embedder, settings: EngineSettings | None = None,
                   reader: Reader | None = None) -> Library:
        """Open the library in `data_dir` (or the database `settings.store` names), checking that the stored passages
        and their vectors agree (`reader`: instead of the one the settings name)."""
        settings = settings or EngineSettings()
        # Before the store opens: a reader folder that is not one leaves nothing open behind its error.
        reader = reader or open_reader(settings.policy.reader)
        backend = await open_backend(data_dir, settings)
        store = backend.store
        library = cls(backend, embedder, settings, data_dir, reader)
        try:
            await library._check_model()
            await library._vectors.load()
            if not store.read_only:
                await library._ingestor.sign_stored()
        except BaseException:
            await store.close()
            raise
        return library

    @staticmethod
    def exists(data_dir: Path, settings: EngineSettings | None = None) -> bool:
        """Whether `data_dir` holds a library, or the settings name a database (opening one that does not creates
        it)."""
        return stored_here(data_dir, settings or EngineSettings())

    async def warm_up(self) -> None:
        """Load the embedding model and the reader now (in a worker thread), so the first question is as fast as the
        rest."""
        await asyncio.to_thread(self._asker.warm_up)

    async def close(self) -> None:
        """Save the vectors and close the web client and the database (closed even when saving fails)."""
        try:
            await self.web.close()
            await self._vectors.save()
        finally:  # an open connection's thread would keep the process from ever exiting
            await self._store.close()

    async def _check_model(self) -> None:
        """Refuse to mix embeddings of two models in one library."""
        stored = await self._store.get_meta("embedding_model")
        if stored is not None and stored != self._embedder.name:
            raise LibraryError(
                f'this library was built with embedding model "{stored}", not "{self._embedder.name}": '
                f"set embedding.model back, or use another data directory"
            )

    async def ingest_files(self, paths: Iterable[Path], progress: Progress | None = None,
                           scope: str | None = None) -> IngestReport:
        """Add the articles of local files and folders to a scope (None: global); failures are reported."""
        report = await self._ingestor.ingest_files(paths, progress, scope)
        await self._vectors.save()
        return report

    async def ingest_urls(self, urls: Iterable[str], progress: Progress | None = None,
                          scope: str | None = None) -> IngestReport:
        """Add the articles of web pages (http(s) URLs only; nothing local is read) to a scope (None: global)."""
        report = await self._ingestor.ingest_urls(urls, progress, scope)
        await self._vectors.save()
        return report

    async def ingest_articles(self, articles: Iterable[Article], scope: str | None = None) -> IngestReport:
        """Add articles made by other front ends (feeds, the bot) to a scope (None: the global library)."""
        report = await self._ingestor.ingest_articles(articles, scope)
        await self._vectors.save()
        return report

    async def remove(self, article_id: str, scope: str | None = None) -> bool:
        """Remove one of the scope's own articles (or copies) everywhere; False when the scope has no such article.

        An original's first copy takes its place, so the story stays in the library as long as an outlet reports it.
        """
        async with self._store.writing(scope):
            if await self._store.copies.remove(article_id, scope) or await self._ingestor.succeed(article_id, scope):
                await self._vectors.save()
                return True
            removed = await self._store.remove_article(article_id, scope)
            if removed is None:
                return False
            await self._vectors.apply(scope, removed, [])
            await self._vectors.save()
            return True

    async def articles(self, scope: str | None = None, query: str | None = None, limit: int | None = None,
                       offset: int = 0) -> list[ArticleInfo]:
        """The articles the scope sees, newest first; with `query`, those whose title, outlet or text match it."""
        text, words = article_filter(query)
        return await self._store.catalog.list_articles(scope, text, words, limit, offset)

    async def count_articles(self, scope: str | None = None, query: str | None = None) -> int:
        """How many articles `articles` would list without a limit."""
        text, words = article_filter(query)
        return await self._store.catalog.count_articles(scope, text, words)

    async def article(self, article_id: str, scope: str | None = None) -> ArticleDetail | None:
        """One article the scope sees, with its first three sentences; None when it sees no such article."""
        return await self._store.catalog.article(article_id, scope)

    async def ask(self, question: str, scope: str | None = None, context: str | None = None,
                  log: bool | None = None, today: date | None = None) -> Answer:
        """Answer from what the scope sees, with `context` (an earlier question in the thread) guiding retrieval.

        The question is logged unless `log` is False, or it is None and answer.log_questions is off.
        """
        question = check_question(question, self.settings.policy.max_question_chars)
        answer, top_score = await self._answer(question, scope, context, today)
        if not (self.settings.policy.log_questions if log is None else log):
            return answer
        try:
            question_id = await self._store.usage.record_question(
                question, scope, answer.abstained, top_score, [quote.sentence_id for quote in answer.quotes])
        except StoreError as error:  # busy (another newsbot writing), read-only, full: the answer still goes out
            logger.warning("question not logged: %s", error)
            return answer
        return replace(answer, question_id=question_id)

    async def rank(self, question: str, scope: str | None = None, context: str | None = None,
                   today: date | None = None) -> Ranking:
        """Every candidate sentence `ask` would weigh, with its score, best first (none for an empty library)."""
        question = check_question(question, self.settings.policy.max_question_chars)
        return await self._asker.rank(question, await self._candidates(question, scope, context) or [], today, context)

    async def _candidates(self, question: str, scope: str | None, context: str | None) -> list[Candidate] | None:
        """The sentences retrieval finds for the question; None when the library has no articles."""
        await self._vectors.follow()
        if await self._vectors.empty():
            return None
        return await self._asker.candidates(question, scope, context)

    async def _answer(self, question: str, scope: str | None, context: str | None,
                      today: date | None) -> tuple[Answer, float | None]:
        """The answer, and the best candidate sentence's score (quoted or not) for the question log."""
        candidates = await self._candidates(question, scope, context)
        if candidates is None:
            return Answer(question=question, quotes=(), sources=(), reason=NO_ARTICLES, empty_library=True), None
        return await self._asker.answer(question, candidates, today, context)

    async def summarize(self, topic: str | None = None, since: date | None = None, until: date | None = None,
                        article: str | None = None, length: int = DEFAULT_LENGTH, scope: str | None = None) -> Summary:
        """Key sentences, quoted and cited: of one article, a topic, a period, or (given none) the latest news."""
        await self._vectors.follow()
        return await self._digester.summarize(topic, since, until, article, length, scope)

    async def timeline(self, topic: str, since: date | None = None, until: date | None = None,
                       length: int = TIMELINE_LENGTH, scope: str | None = None) -> Summary:
        """A topic's events in the order they happened, quoted and cited, each with the day it names."""
        await self._vectors.follow()
        return await self._digester.timeline(topic, since, until, length, scope)

    async def record_feedback(self, question_id: int, user_hash: str, vote: int, scope: str | None) -> bool:
        """Store a user's vote (+1 or -1, else ValueError) on an answer; False unless the scope asked that question."""
        return await self._store.usage.record_feedback(question_id, user_hash, vote, scope)

    async def usage(self, scope: str | None = None, gaps: int = 5) -> Usage:
        """How the scope's questions went, with up to `gaps` recent distinct questions it could not answer."""
        return await self._store.usage.usage(scope, gaps)

    async def stats(self, scope: str | None = None) -> Stats:
        """Sizes of what the scope sees; vectors and file sizes are the whole library's."""
        counts = await self._store.catalog.counts(scope)
        return Stats(
            articles=counts["articles"], sentences=counts["sentences"], passages=counts["chunks"],
            copies=counts["copies"],
            vectors=await self._vectors.count(),
            embedding_model=await self._store.get_meta("embedding_model") or self._embedder.name,
            dimension=int(await self._store.get_meta("dimension") or 0),
            oldest=counts["oldest"], newest=counts["newest"],
            database_bytes=await self._store.stored_bytes(),
            vectors_bytes=await self._vectors.stored_bytes(),
        )

    async def ingest_upload(self, name: str, data: bytes, scope: str | None = None) -> IngestReport:
        """Add the articles of an uploaded file's bytes to a scope, read as a file of that name would be (no disk)."""
        report = await self._ingestor.ingest_upload(name, data, scope)
        await self._vectors.save()
        return report

"""The library: the one place that wires the store, the vectors, the embedder, search and answers."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.answer import AnswerPolicy, build_answer, check_question
from index.embedder import Embedder
from index.models import Answer, Article, ArticleInfo, Candidate, IngestReport, PreparedArticle, Stats
from index.preparation import content_hash, prepare_articles
from index.search import build_fts_query, fuse_rankings, query_terms
from index.sources import SourceError, iter_files, read_file
from index.store import Store, StoredSentence
from index.vectors import VectorIndex, VectorIndexError

DATABASE_FILE = "newsbot.db"
VECTORS_FILE = "vectors.faiss"

# Called after each file with (files done, files in all, articles written so far).
Progress = Callable[[int, int, int], None]


class LibraryError(Exception):
    """The library cannot do what was asked; the message says what to do instead."""


@dataclass(frozen=True)
class EngineSettings:
    """Settings of the engine; the front ends read them from config.toml."""

    chunk_sentences: int = 5
    chunk_overlap: int = 1
    candidates: int = 50
    passages: int = 8
    dense_weight: float = 1.0
    lexical_weight: float = 1.0
    batch_articles: int = 32
    max_file_mb: float = 10.0
    save_every_seconds: float = 60.0
    policy: AnswerPolicy = field(default_factory=AnswerPolicy)


@dataclass
class _Tally:
    """Counts of one ingest run as it goes."""

    files: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    def report(self, started: float) -> IngestReport:
        """Freeze the counts into a report."""
        return IngestReport(files=self.files, new=self.new, updated=self.updated, unchanged=self.unchanged,
                            failed=len(self.errors), errors=tuple(self.errors),
                            seconds=round(time.monotonic() - started, 2))


class Library:
    """A searchable collection of articles stored under one data directory."""

    def __init__(self, store: Store, vectors: VectorIndex | None, embedder: Embedder,
                 settings: EngineSettings, data_dir: Path) -> None:
        self._store = store
        self._vectors = vectors
        self._embedder = embedder
        self.settings = settings
        self.data_dir = data_dir
        # FAISS is not thread-safe; searches and writes run in worker threads.
        self._vector_lock = threading.Lock()
        self._write_lock = asyncio.Lock()
        self._last_save = time.monotonic()

    @classmethod
    async def open(cls, data_dir: Path, embedder: Embedder, settings: EngineSettings | None = None) -> Library:
        """Open the library in `data_dir`, checking that SQLite and FAISS agree."""
        store = await Store.open(data_dir / DATABASE_FILE)
        library = cls(store, None, embedder, settings or EngineSettings(), data_dir)
        try:
            await library._check_model()
            await library._load_vectors()
        except BaseException:
            await store.close()
            raise
        return library

    async def close(self) -> None:
        """Save the vectors and close the database."""
        await self._save_vectors()
        await self._store.close()

    async def _check_model(self) -> None:
        """Refuse to mix embeddings of two models in one library."""
        stored = await self._store.get_meta("embedding_model")
        if stored is not None and stored != self._embedder.name:
            raise LibraryError(
                f'this library was built with embedding model "{stored}", not "{self._embedder.name}": '
                f"set embedding.model back, or use another data directory"
            )

    async def _load_vectors(self) -> None:
        """Load the FAISS file, rebuilding it from stored embeddings if it is missing or disagrees."""
        dimension = await self._store.get_meta("dimension")
        if dimension is None:
            return
        path = self.data_dir / VECTORS_FILE
        stored_ids = await self._store.chunk_ids()
        vectors = None
        if path.exists():
            try:
                vectors = await asyncio.to_thread(VectorIndex.load, path, int(dimension))
            except VectorIndexError:  # an unreadable file is rebuilt from SQLite, the source of truth
                vectors = None
        if vectors is None or not np.array_equal(vectors.ids(), stored_ids):
            ids, matrix = await self._store.chunk_embeddings(int(dimension))
            vectors = await asyncio.to_thread(VectorIndex.build, int(dimension), ids, matrix)
            await asyncio.to_thread(vectors.save, path)
        self._vectors = vectors

    async def _save_vectors(self) -> None:
        """Write the FAISS index atomically."""
        if self._vectors is not None:
            await asyncio.to_thread(self._locked, self._vectors.save, self.data_dir / VECTORS_FILE)
            self._last_save = time.monotonic()

    def _locked(self, function: Callable, *args: object) -> object:
        """Run a FAISS call under the vector lock (in a worker thread)."""
        with self._vector_lock:
            return function(*args)

    async def ingest_paths(self, paths: Iterable[str | Path], progress: Progress | None = None) -> IngestReport:
        """Read files and folders and add their articles; bad files are reported, the rest still go in."""
        started = time.monotonic()
        tally = _Tally()
        files = await asyncio.to_thread(lambda: list(iter_files(paths)))
        tally.files = len(files)
        pending: list[Article] = []
        for done, path in enumerate(files, start=1):
            for item in await asyncio.to_thread(self._read, path):
                if isinstance(item, SourceError):
                    tally.errors.append(str(item))
                else:
                    pending.append(item)
            if len(pending) >= self.settings.batch_articles:
                await self._write_batch(pending, tally)
                pending = []
            if progress:
                progress(done, len(files), tally.new + tally.updated + tally.unchanged)
        await self._write_batch(pending, tally)
        await self._save_vectors()
        return tally.report(started)

    def _read(self, path: Path) -> list[Article | SourceError]:
        """Every article and per-record error of one file; a whole-file error becomes one item."""
        items: list[Article | SourceError] = []
        try:
            items.extend(read_file(path, max_file_mb=self.settings.max_file_mb))
        except SourceError as error:  # a JSONL file can fail part-way: keep the lines read before
            items.append(error)
        return items

    async def ingest_articles(self, articles: Iterable[Article]) -> IngestReport:
        """Add articles made by other front ends (feeds, the bot)."""
        started = time.monotonic()
        tally = _Tally()
        batch = list(articles)
        for start in range(0, len(batch), self.settings.batch_articles):
            await self._write_batch(batch[start:start + self.settings.batch_articles], tally)
        await self._save_vectors()
        return tally.report(started)

    async def _write_batch(self, articles: Sequence[Article], tally: _Tally) -> None:
        """Split, embed and store the articles of one batch that are new or changed."""
        latest = {article.id: article for article in articles}  # the same id twice: the later one wins
        if not latest:
            return
        async with self._write_lock:
            known = await self._store.existing_hashes(list(latest.values()))
            changed = [a for a in latest.values() if known.get(a.id) != content_hash(a)]
            tally.unchanged += len(latest) - len(changed)
            prepared = await asyncio.to_thread(
                prepare_articles, changed, self._embedder, self.settings.chunk_sentences, self.settings.chunk_overlap
            ) if changed else []
            for item in prepared:
                if not item.segments:
                    tally.errors.append(f"{item.article.origin or item.article.id}: no sentences in the text")
                elif item.article.id in known:
                    tally.updated += 1
                else:
                    tally.new += 1
            await self._store_prepared([item for item in prepared if item.segments])

    async def _store_prepared(self, prepared: Sequence[PreparedArticle]) -> None:
        """Write to SQLite first (the source of truth), then bring FAISS in step."""
        if not prepared:
            return
        if self._vectors is None:
            dimension = self._embedder.dimension
            await self._store.set_meta("embedding_model", self._embedder.name)
            await self._store.set_meta("dimension", str(dimension))
            self._vectors = VectorIndex(dimension)
        removed, added = await self._store.write_articles(prepared)
        matrix = np.concatenate([item.chunk_embeddings for item in prepared]).astype(np.float32)
        await asyncio.to_thread(self._update_vectors, removed, added, matrix)
        if time.monotonic() - self._last_save > self.settings.save_every_seconds:
            await self._save_vectors()

    def _update_vectors(self, removed: Sequence[int], added: Sequence[int], matrix: np.ndarray) -> None:
        """Remove replaced chunks and add new ones, under the vector lock."""
        with self._vector_lock:
            if removed:
                self._vectors.remove(np.array(removed, dtype=np.int64))
            if added:
                self._vectors.add(np.array(added, dtype=np.int64), matrix)

    async def remove(self, article_id: str) -> bool:
        """Remove one article everywhere; False when there is no such article."""
        async with self._write_lock:
            removed = await self._store.remove_article(article_id)
            if removed is None:
                return False
            if removed and self._vectors is not None:
                await asyncio.to_thread(self._locked, self._vectors.remove, np.array(removed, dtype=np.int64))
            await self._save_vectors()
            return True

    async def articles(self) -> list[ArticleInfo]:
        """Every stored article."""
        return await self._store.list_articles()

    async def ask(self, question: str) -> Answer:
        """Answer with quoted, cited sentences, or abstain."""
        question = check_question(question, self.settings.policy.max_question_chars)
        if self._vectors is None or len(self._vectors) == 0:
            return Answer(question=question, quotes=(), sources=(),
                          reason="the library has no articles yet: add some with `newsbot ingest`")
        fts_query = build_fts_query(query_terms(question))
        query_vector = (await asyncio.to_thread(self._embedder.embed, [question]))[0]
        passages = await self._retrieve(query_vector, fts_query)
        candidates = await self._candidates(passages, query_vector, fts_query)
        articles = await self._store.articles_by_id(c.article_id for c in candidates)
        return build_answer(question, candidates, articles, self.settings.policy)

    async def _retrieve(self, query_vector: np.ndarray, fts_query: str | None) -> list[tuple[int, float]]:
        """The best passages by dense and BM25 retrieval, fused by rank."""
        limit = self.settings.candidates
        dense = await asyncio.to_thread(self._locked, self._vectors.search, query_vector, limit)
        lexical_chunks, lexical_sentences = [], []
        if fts_query:
            lexical_chunks = await self._store.search_chunks(fts_query, limit)
            lexical_sentences = await self._store.search_sentence_chunks(fts_query, limit)
        fused = fuse_rankings([
            (dense, self.settings.dense_weight),
            (lexical_chunks, self.settings.lexical_weight),
            (lexical_sentences, self.settings.lexical_weight),
        ])
        return fused[: self.settings.passages]

    async def _candidates(self, passages: Sequence[tuple[int, float]], query_vector: np.ndarray,
                          fts_query: str | None) -> list[Candidate]:
        """Every sentence of the chosen passages, with its similarity, BM25 and passage score."""
        if not passages:
            return []
        top = passages[0][1]
        by_chunk = await self._store.sentences_in_chunks([chunk_id for chunk_id, _ in passages])
        sentences: dict[int, tuple[StoredSentence, float]] = {}
        for chunk_id, score in passages:
            for sentence in by_chunk.get(chunk_id, []):
                if sentence.id not in sentences:  # overlapping chunks: keep the better passage's score
                    sentences[sentence.id] = (sentence, score / top)
        ordered = list(sentences.values())
        # Stored sentence embeddings: a few dozen dot products, cheap enough for the event loop.
        similarities = np.stack([s.embedding for s, _ in ordered]) @ query_vector
        lexical = await self._store.sentence_scores(fts_query, list(sentences)) if fts_query else {}
        return [
            Candidate(sentence_id=s.id, article_id=s.article_id, position=s.position, text=s.text,
                      similarity=float(sim), lexical=lexical.get(s.id, 0.0), passage=passage)
            for (s, passage), sim in zip(ordered, similarities, strict=True)
        ]

    async def stats(self) -> Stats:
        """Sizes of the library."""
        counts = await self._store.counts()
        vectors = self.data_dir / VECTORS_FILE
        return Stats(
            articles=counts["articles"], sentences=counts["sentences"], passages=counts["chunks"],
            vectors=len(self._vectors) if self._vectors is not None else 0,
            embedding_model=await self._store.get_meta("embedding_model") or self._embedder.name,
            dimension=int(await self._store.get_meta("dimension") or 0),
            oldest=counts["oldest"], newest=counts["newest"],
            database_bytes=sum(p.stat().st_size for p in self.data_dir.glob(DATABASE_FILE + "*")),
            vectors_bytes=vectors.stat().st_size if vectors.exists() else 0,
        )

"""Dataclasses shared by every part of the engine."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from typing import Literal

import numpy as np

from index.follows.records import Alert

SummaryKind = Literal["summary", "timeline"]


@dataclass(frozen=True)
class Article:
    """One news article as read from a file, a JSON record or (later) a URL."""

    id: str
    title: str
    text: str
    url: str | None = None
    source: str | None = None
    published: date | None = None
    origin: str | None = None
    author: str | None = None  # the byline, as the source gives it (None when it names nobody)


@dataclass(frozen=True)
class Segment:
    """One sentence of an article body, before it is stored."""

    text: str
    paragraph: int


@dataclass(frozen=True)
class PreparedArticle:
    """An article split and embedded, ready to be written in one transaction."""

    article: Article
    content_hash: str
    segments: tuple[Segment, ...]
    windows: tuple[tuple[int, int], ...]
    sentence_embeddings: np.ndarray
    chunk_embeddings: np.ndarray


@dataclass(frozen=True)
class AlsoReported:
    """Another outlet's copy of a stored article: kept for "also reported by", its sentences not indexed."""

    id: str
    title: str
    url: str | None
    source: str | None
    published: date | None


@dataclass(frozen=True)
class ArticleInfo:
    """A stored article as listed by `newsbot articles`."""

    id: str
    title: str
    url: str | None
    source: str | None
    published: date | None
    sentences: int
    ingested_at: str
    # The Discord server that added it; None for the operator's library, which every server sees.
    scope: str | None = None
    # Near-duplicates of it from other sources (the same wire story elsewhere), earliest first.
    also_reported: tuple[AlsoReported, ...] = ()
    author: str | None = None

    def citation(self, n: int, also_reported: tuple[AlsoReported, ...] = ()) -> Citation:
        """This article as source number n of a list, with the copies given as "also reported by"."""
        return Citation(n, self.id, self.title, self.url, self.source, self.published, also_reported, self.author)


@dataclass(frozen=True)
class ArticleDetail:
    """A stored article with its opening sentences, verbatim."""

    info: ArticleInfo
    lead: tuple[str, ...]


@dataclass(frozen=True)
class Candidate:
    """A sentence that retrieval found near the question, with the features used to rank it."""

    sentence_id: int
    article_id: str
    position: int
    text: str
    similarity: float
    lexical: float
    passage: float
    published: date | None = None


@dataclass(frozen=True)
class Citation:
    """A numbered source in an answer's source list."""

    n: int
    article_id: str
    title: str
    url: str | None
    source: str | None
    published: date | None
    also_reported: tuple[AlsoReported, ...] = ()
    author: str | None = None


@dataclass(frozen=True)
class Quote:
    """A sentence quoted word for word from an article, pointing at its citation number."""

    text: str
    source: int
    article_id: str
    score: float
    sentence_id: int
    # The sentence before it, verbatim, when the quote cannot be understood alone ("He said ...").
    context: str | None = None


@dataclass(frozen=True)
class Answer:
    """Quoted, cited sentences that answer a question, or an abstention with its reason."""

    question: str
    quotes: tuple[Quote, ...]
    sources: tuple[Citation, ...]
    reason: str | None = None
    # The question log's row for this answer (feedback points at it); None when not logged.
    question_id: int | None = None
    # When it abstains: the articles nearest the question, so the asker sees what the library does cover.
    nearest: tuple[Citation, ...] = ()
    empty_library: bool = False  # abstained because the scope sees no articles: the front end says how to add some

    @property
    def abstained(self) -> bool:
        """True when no sentence was relevant enough to quote."""
        return not self.quotes


@dataclass(frozen=True)
class SummaryEntry:
    """A sentence of a summary or a timeline, quoted word for word, pointing at its citation number."""

    text: str
    source: int
    article_id: str
    published: date | None
    score: float
    sentence_id: int
    # Timelines: when the event happened (the day or period the sentence names, else its article's date)...
    day: date | None = None
    last_day: date | None = None  # a period's last day ("last week"); the same as `day` for one day
    # ...and the words that named it ("on Friday"); None when the day is the article's own date.
    wording: str | None = None


@dataclass(frozen=True)
class Summary:
    """Quoted, cited sentences on a topic, a period or one article; without any, the reason nothing was found."""

    kind: SummaryKind
    topic: str | None
    since: date | None
    until: date | None
    entries: tuple[SummaryEntry, ...]
    sources: tuple[Citation, ...]
    reason: str | None = None
    article_id: str | None = None
    latest: bool = False  # no topic, period or article was given: the newest day or so of articles
    empty_library: bool = False  # nothing to choose from: the front end says how to add articles

    @property
    def empty(self) -> bool:
        """True when nothing relevant was found to quote."""
        return not self.entries


@dataclass(frozen=True)
class IngestProgress:
    """How far a running ingest has got: sources read, and articles and sentences committed so far."""

    files_done: int
    files: int
    articles: int  # read so far, whatever became of them (new, updated, unchanged, copies)
    new: int  # committed as new articles
    sentences: int  # committed, of new and updated articles
    seconds: float


@dataclass(frozen=True)
class IngestReport:
    """What one ingest run did, for the closing line and for tests."""

    files: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    errors: tuple[str, ...] = field(default_factory=tuple)
    seconds: float = 0.0
    # Near-duplicates of other articles (stored or in the same run): kept as "also reported by", not in `new`.
    duplicates: int = 0
    # Of `failed`, the files (or pages, or feeds) not read at all; the rest are single articles (records, empty texts).
    failed_files: int = 0
    # Web addresses that serve an RSS or Atom feed: counted in `failed`, to be followed as feeds, not ingested.
    feeds: tuple[str, ...] = ()
    # Alerts the stored articles made for followed topics (index/follows), in the order they were made.
    alerts: tuple[Alert, ...] = ()

    def __add__(self, other: IngestReport) -> IngestReport:
        """The report of two runs one after the other (files, then web pages): every field summed."""
        summed = {f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        return IngestReport(**summed | {"seconds": round(summed["seconds"], 2)})


@dataclass(frozen=True)
class Stats:
    """Sizes of the library, for `newsbot stats`."""

    articles: int
    sentences: int
    passages: int
    vectors: int
    embedding_model: str
    dimension: int
    oldest: date | None
    newest: date | None
    database_bytes: int
    vectors_bytes: int
    copies: int = 0  # near-duplicates kept as "also reported by" links, not counted in `articles`


@dataclass(frozen=True)
class Usage:
    """How a scope's questions went, for `/stats`: counts, votes and recent unanswered questions."""

    questions: int
    abstained: int
    helpful: int
    unhelpful: int
    gaps: tuple[str, ...]


@dataclass(frozen=True)
class Feed:
    """An RSS or Atom feed the library follows, and how its polls have gone."""

    id: int
    url: str
    title: str | None
    # The Discord server that follows it (its articles go to that server's library); None: the operator's.
    scope: str | None
    added_at: str
    checked_at: str | None
    next_check: str
    failures: int  # failed polls in a row (the wait before the next one doubles with each)
    last_error: str | None
    articles: int  # articles stored from it so far
    gone_at: str | None = None  # when its server answered 410 Gone: no longer polled


@dataclass(frozen=True)
class FeedPoll:
    """What one poll of one feed did."""

    feed: Feed
    status: Literal["polled", "not modified", "failed", "gone"]  # HTTP 304: not modified; 410: gone, never again
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0  # items whose article could not be read (tried again next poll, three times at most)
    duplicates: int = 0  # near-duplicates of stored articles, kept as "also reported by" (not in `new`)
    errors: tuple[str, ...] = ()
    article_ids: tuple[str, ...] = ()  # the articles stored new or updated
    alerts: tuple[Alert, ...] = ()  # what the stored articles made for followed topics


@dataclass(frozen=True)
class PollReport:
    """What one poll of several feeds did, and where the time went (seconds summed over concurrent tasks)."""

    feeds: tuple[FeedPoll, ...]
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)

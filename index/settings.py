"""The engine's tunable settings, in a module of their own so the library and retrieval can both read them.

Each number's valid range sits in its field's metadata: "min" and "max" are inclusive, "above" is exclusive.
The front ends refuse a value outside it (bot/config.py), and every float must also be finite.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# How a passage's vector is made: from its sentences' vectors, or by embedding its text as well.
PassageVectors = Literal["mean", "model"]


@dataclass(frozen=True)
class AnswerPolicy:
    """How candidate sentences are ranked, when an answer is quoted, and how many sentences it quotes."""

    max_sentences: int = field(default=3, metadata={"min": 1, "max": 20})
    # No sentence is quoted below this cosine, nor below the higher one when it shares no word with the question.
    min_similarity: float = field(default=0.35, metadata={"min": -1, "max": 1})
    min_similarity_without_terms: float = field(default=0.55, metadata={"min": -1, "max": 1})
    # The pair reader that reads each of the best reader_depth candidates with the question: "shipped" (the one in
    # index/answers/model), "none" (the learned first stage alone, as before the reader), or a reader folder.
    reader: str = "shipped"
    reader_depth: int = field(default=4, metadata={"min": 1, "max": 200})
    # Abstain below this confidence (0-1) that the best sentence answers at all: see benchmarks/RESULTS.md. Each
    # bar belongs to its confidence model: the reader's, and the first stage's when reader = "none".
    min_confidence: float = field(default=0.228, metadata={"min": 0, "max": 1})
    min_confidence_without_reader: float = field(default=0.375, metadata={"min": 0, "max": 1})
    # A further sentence is quoted when it is at least this likely as the best one (softmax of the scores).
    companion_likelihood: float = field(default=0.25, metadata={"min": 0, "max": 1})
    # Newer articles win near-ties: a bonus halving every recency_half_life_days before the newest candidate.
    recency_weight: float = field(default=0.2, metadata={"min": 0, "max": 100})
    recency_half_life_days: float = field(default=30.0, metadata={"above": 0, "max": 36_500})
    # A question naming a time ("in December 2022", "last week") prefers articles of then or days after.
    period_weight: float = field(default=2.0, metadata={"min": 0, "max": 100})
    period_grace_days: int = field(default=7, metadata={"min": 0, "max": 3650})
    max_question_chars: int = field(default=1000, metadata={"min": 1, "max": 100_000})
    log_questions: bool = True


@dataclass(frozen=True)
class WebSettings:
    """How web pages and feeds are fetched ([web] in config.toml)."""

    # Off: loopback, private, link-local, reserved and metadata addresses are refused (a server manager's
    # /ingest or /feed must not reach into the operator's network). On: for tests and intranet news sites.
    allow_private_addresses: bool = False
    timeout_seconds: float = field(default=20.0, metadata={"above": 0, "max": 3600})
    max_page_mb: float = field(default=10.0, metadata={"above": 0, "max": 1024})
    max_redirects: int = field(default=5, metadata={"min": 0, "max": 50})
    user_agent: str = "newsbot/0.1 (news question-answering bot)"


@dataclass(frozen=True)
class FeedSettings:
    """How RSS and Atom feeds are polled ([feeds] in config.toml)."""

    # 0: `newsbot run` leaves polling to `newsbot watch`.
    poll_minutes: float = field(default=30.0, metadata={"min": 0, "max": 525_600})
    max_items: int = field(default=100, metadata={"min": 1, "max": 10_000})
    max_feed_mb: float = field(default=5.0, metadata={"above": 0, "max": 1024})
    # 0 would let no fetch ever start: `feed add` and `feed poll` would wait forever.
    concurrency: int = field(default=4, metadata={"min": 1, "max": 100})
    full_text_chars: int = field(default=600, metadata={"min": 0, "max": 1_000_000})
    max_backoff_hours: float = field(default=24.0, metadata={"above": 0, "max": 8760})
    # 0: Discord servers may not follow feeds of their own.
    max_per_server: int = field(default=20, metadata={"min": 0, "max": 10_000})
    # How long a poller holds the due feeds it took (no other poller takes them meanwhile); one that stops mid-poll
    # leaves them due again after this. Longer than a round takes: timeout_seconds * max_items / concurrency.
    lease_minutes: float = field(default=15.0, metadata={"above": 0, "max": 10_080})


@dataclass(frozen=True)
class FollowSettings:
    """How followed topics are matched against newly stored articles ([follow] in config.toml)."""

    # An article published longer than this before it is stored alerts nobody: an archive import floods no channel.
    max_age_days: float = field(default=3.0, metadata={"min": 0, "max": 36_500})
    # A story covered by the topic alerts only when it is about it at least this likely (0-1), not a passing mention
    # (index/follows/matching.py; benchmarks/follow.py chose the bar: the best F0.5 on its dev topics).
    min_aboutness: float = field(default=0.65, metadata={"min": 0, "max": 1})
    max_topic_chars: int = field(default=100, metadata={"min": 1, "max": 1000})
    # Discord: topics one user may follow for their direct messages, and alert messages a channel or a user gets
    # in an hour (the rest are gathered into one message at the end of the hour).
    max_per_user: int = field(default=10, metadata={"min": 0, "max": 10_000})
    max_per_hour: int = field(default=10, metadata={"min": 1, "max": 10_000})


@dataclass(frozen=True)
class StoreSettings:
    """Where the library is kept ([store] in config.toml, or NEWSBOT_STORE_URL): the data directory, or a database."""

    # "": SQLite and FAISS files in the data directory. "postgresql://user@host/db": a PostgreSQL database with
    # pgvector, which many bot and watch processes, on many machines, can share.
    url: str = ""
    # Connections each process keeps open to PostgreSQL (a write holds two: its lock and its transaction).
    pool_size: int = field(default=5, metadata={"min": 2, "max": 100})
    # How far pgvector's HNSW search looks (at least twice the passages asked for): 200 is where recall@50 of the
    # true nearest passages reached 0.98 on MiniLM vectors (0.95 at 100; benchmarks/scale_pg.md), at twice the time.
    ef_search: int = field(default=200, metadata={"min": 10, "max": 1000})


@dataclass(frozen=True)
class EngineSettings:
    """Settings of the engine; the front ends read them from config.toml."""

    chunk_sentences: int = field(default=5, metadata={"min": 1, "max": 100})
    chunk_overlap: int = field(default=1, metadata={"min": 0, "max": 99})  # and less than chunk_sentences
    candidates: int = field(default=50, metadata={"min": 1, "max": 10_000})
    passages: int = field(default=8, metadata={"min": 1, "max": 1000})
    dense_weight: float = field(default=1.0, metadata={"min": 0, "max": 100})
    lexical_weight: float = field(default=1.0, metadata={"min": 0, "max": 100})
    # Rows one BM25 search may score: beyond it a question's commonest words are left out (within_budget).
    lexical_budget: int = field(default=5000, metadata={"min": 1, "max": 100_000_000})
    # Passages one index (the library's, a server's) searches exactly; above, an approximate IVF index. An exact
    # scan of 20,000 takes about 4 ms a query on two cores, of 112,000 about 20 ms (benchmarks/scale.md).
    exact_up_to: int = field(default=20_000, metadata={"min": 0, "max": 100_000_000})
    # Below 1 a batch would hold nothing, and a feed poll would mark every item read without storing it.
    batch_articles: int = field(default=32, metadata={"min": 1, "max": 10_000})
    max_file_mb: float = field(default=10.0, metadata={"above": 0, "max": 1024})
    # Longer article texts are refused: splitting and embedding take memory in proportion to them.
    max_article_chars: int = field(default=1_000_000, metadata={"min": 1000, "max": 100_000_000})
    save_every_seconds: float = field(default=60.0, metadata={"min": 0, "max": 86_400})
    passage_vectors: PassageVectors = field(default="mean", metadata={"choices": ("mean", "model")})
    policy: AnswerPolicy = field(default_factory=AnswerPolicy)
    web: WebSettings = field(default_factory=WebSettings)
    feeds: FeedSettings = field(default_factory=FeedSettings)
    follow: FollowSettings = field(default_factory=FollowSettings)
    store: StoreSettings = field(default_factory=StoreSettings)

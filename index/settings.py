"""The engine's tunable settings, in a module of their own so the service and retrieval can both read them."""

from __future__ import annotations

from dataclasses import dataclass, field

from index.answer import AnswerPolicy


@dataclass(frozen=True)
class WebSettings:
    """How web pages and feeds are fetched ([web] in config.toml)."""

    # Off: loopback, private, link-local, reserved and metadata addresses are refused (a server manager's
    # /ingest or /feed must not reach into the operator's network). On: for tests and intranet news sites.
    allow_private_addresses: bool = False
    timeout_seconds: float = 20.0
    max_page_mb: float = 10.0
    max_redirects: int = 5
    user_agent: str = "newsbot/0.1 (news question-answering bot)"


@dataclass(frozen=True)
class FeedSettings:
    """How RSS and Atom feeds are polled ([feeds] in config.toml)."""

    poll_minutes: float = 30.0
    max_items: int = 100
    max_feed_mb: float = 5.0
    concurrency: int = 4
    full_text_chars: int = 600
    max_backoff_hours: float = 24.0
    max_per_server: int = 20


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
    web: WebSettings = field(default_factory=WebSettings)
    feeds: FeedSettings = field(default_factory=FeedSettings)

"""The engine's tunable settings, in a module of their own so the service and retrieval can both read them."""

from __future__ import annotations

from dataclasses import dataclass, field

from index.answer import AnswerPolicy


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

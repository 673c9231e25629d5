"""What the store hands back above its edge, beside the engine's shared dataclasses (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypedDict

import numpy as np

from index.models import Candidate

# Sentences with their embeddings, one row each, as summaries and timelines choose among them.
Excerpts = tuple[list[Candidate], np.ndarray]


class Counts(TypedDict):
    """What the catalog counts of the articles a scope sees."""

    articles: int
    sentences: int
    chunks: int
    copies: int
    oldest: date | None
    newest: date | None


@dataclass(frozen=True)
class StoredSentence:
    """A stored sentence with its place in its article and its embedding."""

    id: int
    article_id: str
    position: int
    paragraph: int
    text: str
    embedding: np.ndarray
    published: date | None = None


def article_text(rows: Sequence[tuple[int, str]]) -> str:
    """An article's text rebuilt from its stored sentences (paragraph, text): paragraphs of space-joined sentences."""
    paragraphs: dict[int, list[str]] = {}
    for paragraph, sentence in rows:
        paragraphs.setdefault(paragraph, []).append(sentence)
    return "\n\n".join(" ".join(sentences) for sentences in paragraphs.values())

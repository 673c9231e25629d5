"""Articles -> sentences and passages with their embeddings, ready to store (CPU-bound: a worker thread)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from index.embedder import Embedder
from index.ingest.sentences import make_windows, segment_article
from index.models import Article, PreparedArticle, Segment
from index.settings import PassageVectors


def content_hash(article: Article) -> str:
    """A digest of everything stored about an article, so re-ingesting it unchanged is a no-op."""
    published = article.published.isoformat() if article.published else ""
    parts = (article.title, article.url or "", article.source or "", published, article.text)
    # The author only when there is one: articles without a byline keep the digest they were stored with before
    # bylines were read, so upgrading newsbot does not make a whole library "updated" (and embedded) again.
    byline = (article.author,) if article.author else ()
    return hashlib.sha256("\x1f".join((*parts, *byline)).encode()).hexdigest()


def passage_vectors(sentences: np.ndarray, windows: Sequence[tuple[int, int]]) -> np.ndarray:
    """Each passage's vector as the renormalised mean of its sentences' vectors: no second pass of the model."""
    if not windows:
        return np.zeros((0, sentences.shape[1]), dtype=np.float32)
    means = np.stack([sentences[start:end].mean(axis=0) for start, end in windows])
    norms = np.linalg.norm(means, axis=1, keepdims=True)
    # Opposite sentence vectors can cancel out: such a passage keeps a zero vector rather than a division by zero.
    return (means / np.where(norms > 0, norms, 1.0)).astype(np.float32)


@dataclass(frozen=True)
class SplitArticle:
    """An article split into sentences and passages, waiting for the model."""

    article: Article
    content_hash: str
    segments: tuple[Segment, ...]
    windows: tuple[tuple[int, int], ...]


def split_articles(articles: Sequence[Article], chunk_sentences: int, chunk_overlap: int) -> list[SplitArticle]:
    """Split each article into sentences and passages (CPU work that can run while the model embeds another batch)."""
    split = []
    for article in articles:
        segments = tuple(segment_article(article.text))
        windows = tuple(make_windows(len(segments), chunk_sentences, chunk_overlap))
        split.append(SplitArticle(article, content_hash(article), segments, windows))
    return split


def embed_split(split: Sequence[SplitArticle], embedder: Embedder,
                passages: PassageVectors = "mean") -> list[PreparedArticle]:
    """Embed split articles in one call: every sentence, and with "model" every passage's text too.

    "mean" derives passage vectors from the sentences' (benchmarks/RESULTS.md weighs it against "model", which
    doubles the model's work).
    """
    # One embed call for the whole batch: the model is far faster on full batches than per article.
    texts = []
    for item in split:
        texts += [s.text for s in item.segments]
        if passages == "model":
            texts += [" ".join(s.text for s in item.segments[a:b]) for a, b in item.windows]
    matrix = embedder.embed(texts)
    prepared, offset = [], 0
    for item in split:
        sentences = matrix[offset:offset + len(item.segments)]
        offset += len(item.segments)
        if passages == "model":
            chunks = matrix[offset:offset + len(item.windows)]
            offset += len(item.windows)
        else:
            chunks = passage_vectors(sentences, item.windows)
        prepared.append(PreparedArticle(item.article, item.content_hash, item.segments, item.windows, sentences,
                                        chunks))
    return prepared

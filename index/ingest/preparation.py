"""Articles -> sentences and passages with their embeddings, ready to store (CPU-bound: a worker thread)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from index.embedder import Embedder
from index.ingest.sentences import make_windows, segment_article
from index.models import Article, PreparedArticle


def content_hash(article: Article) -> str:
    """A digest of everything stored about an article, so re-ingesting it unchanged is a no-op."""
    published = article.published.isoformat() if article.published else ""
    parts = (article.title, article.url or "", article.source or "", published, article.text)
    # The author only when there is one: articles without a byline keep the digest they were stored with before
    # bylines were read, so upgrading newsbot does not make a whole library "updated" (and embedded) again.
    byline = (article.author,) if article.author else ()
    return hashlib.sha256("\x1f".join((*parts, *byline)).encode()).hexdigest()


def prepare_articles(articles: Sequence[Article], embedder: Embedder, chunk_sentences: int,
                     chunk_overlap: int) -> list[PreparedArticle]:
    """Split each article into sentences and passages, and embed them all in one call."""
    split = []
    for article in articles:
        segments = tuple(segment_article(article.text))
        windows = tuple(make_windows(len(segments), chunk_sentences, chunk_overlap))
        split.append((article, segments, windows))
    # One embed call for the whole batch: the model is far faster on full batches than per article.
    # Sentences are embedded for choosing the quote, passages for retrieving where to look.
    texts = []
    for _, segments, windows in split:
        texts += [s.text for s in segments]
        texts += [" ".join(s.text for s in segments[a:b]) for a, b in windows]
    matrix = embedder.embed(texts)
    prepared, offset = [], 0
    for article, segments, windows in split:
        sentences = matrix[offset:offset + len(segments)]
        chunks = matrix[offset + len(segments):offset + len(segments) + len(windows)]
        offset += len(segments) + len(windows)
        prepared.append(PreparedArticle(article, content_hash(article), segments, windows, sentences, chunks))
    return prepared

"""Answers, article lists and stats -> terminal text and JSON (the CLI's output contract)."""

from __future__ import annotations

import textwrap
from datetime import date
from typing import Any

from index import AlsoReported, Answer, ArticleInfo, Citation, IngestReport, Stats


def _day(value: date | None) -> str | None:
    """ISO date or None, as the JSON contract wants."""
    return value.isoformat() if value else None


def describe_source(citation: Citation) -> str:
    """A line naming a source (title, outlet, date and link), and one naming its copies if it has any."""
    parts = [citation.title]
    if citation.source:
        parts.append(citation.source)
    parts.append(citation.published.isoformat() if citation.published else "undated")
    line = " · ".join(parts)
    line = f"{line} <{citation.url}>" if citation.url else line
    return f"{line}\n    {also_reported_text(citation.also_reported)}" if citation.also_reported else line


def also_reported_text(copies: tuple[AlsoReported, ...]) -> str:
    """"also reported by Outlet (2024-03-05) <url>, ...": the copies of an article, by outlet (else title)."""
    names = []
    for copy in copies:
        name = f"{copy.source or copy.title} ({copy.published.isoformat() if copy.published else 'undated'})"
        names.append(f"{name} <{copy.url}>" if copy.url else name)
    return "also reported by " + ", ".join(names)


def _copies_json(copies: tuple[AlsoReported, ...]) -> list[dict[str, Any]]:
    """The copies of an article as JSON objects."""
    return [{"article_id": c.id, "title": c.title, "url": c.url, "outlet": c.source, "published": _day(c.published)}
            for c in copies]


def answer_text(answer: Answer, width: int = 100) -> str:
    """An answer as the terminal shows it: quoted sentences with [n] marks, then the numbered sources."""
    if answer.abstained:
        return f"I can't answer that from the articles I have: {answer.reason}."
    # No quote marks are added: many sentences carry their own, and the text must stay word for word.
    lines = [textwrap.fill(f"> {q.text} [{q.source}]", width=width, subsequent_indent="  ") for q in answer.quotes]
    lines.append("")
    lines.append("Sources:")
    lines += [f"[{c.n}] {describe_source(c)}" for c in answer.sources]
    return "\n".join(lines)


def answer_json(answer: Answer) -> dict[str, Any]:
    """An answer as the JSON contract in DESIGN.md."""
    return {
        "question": answer.question,
        "abstained": answer.abstained,
        "reason": answer.reason,
        "question_id": answer.question_id,
        "answer": [
            {"text": q.text, "source": q.source, "article_id": q.article_id, "score": q.score,
             "sentence_id": q.sentence_id}
            for q in answer.quotes
        ],
        "sources": [
            {"n": c.n, "article_id": c.article_id, "title": c.title, "url": c.url, "outlet": c.source,
             "published": _day(c.published), "also_reported": _copies_json(c.also_reported)}
            for c in answer.sources
        ],
    }


def articles_text(articles: list[ArticleInfo]) -> str:
    """One line per article: id, date, outlet, title."""
    if not articles:
        return "No articles yet: add some with `newsbot ingest PATH`."
    width = max(len(a.id) for a in articles)
    lines = []
    for article in articles:
        day = article.published.isoformat() if article.published else "undated   "
        outlet = f" ({article.source})" if article.source else ""
        lines.append(f"{article.id:<{width}}  {day}  {article.title}{outlet}")
        if article.also_reported:
            lines.append(f"{'':<{width}}  {also_reported_text(article.also_reported)}")
    lines.append(f"{len(articles)} article{'s' if len(articles) != 1 else ''}"
                 f"{_also_count(sum(len(a.also_reported) for a in articles))}")
    return "\n".join(lines)


def _also_count(copies: int) -> str:
    """" (+3 also reported)" after a count of articles, when some have copies."""
    return f" (+{copies:,} also reported)" if copies else ""


def articles_json(articles: list[ArticleInfo]) -> list[dict[str, Any]]:
    """Articles as JSON objects."""
    return [
        {"id": a.id, "title": a.title, "url": a.url, "outlet": a.source, "published": _day(a.published),
         "sentences": a.sentences, "ingested_at": a.ingested_at, "also_reported": _copies_json(a.also_reported)}
        for a in articles
    ]


def _megabytes(size: int) -> str:
    """A byte count in MB."""
    return f"{size / 1_000_000:.1f} MB"


def stats_text(stats: Stats) -> str:
    """The library's sizes as aligned lines."""
    span = "-"
    if stats.oldest:
        span = f"{stats.oldest.isoformat()} to {stats.newest.isoformat()}"
    rows = [
        ("articles", f"{stats.articles:,}{_also_count(stats.copies)}"), ("sentences", f"{stats.sentences:,}"),
        ("passages", f"{stats.passages:,}"), ("vectors", f"{stats.vectors:,}"),
        ("published", span), ("model", f"{stats.embedding_model} ({stats.dimension} dimensions)"),
        ("database", _megabytes(stats.database_bytes)), ("vector index", _megabytes(stats.vectors_bytes)),
    ]
    return "\n".join(f"{name:<13}{value}" for name, value in rows)


def stats_json(stats: Stats) -> dict[str, Any]:
    """The library's sizes as JSON."""
    return {
        "articles": stats.articles, "also_reported": stats.copies, "sentences": stats.sentences,
        "passages": stats.passages,
        "vectors": stats.vectors, "embedding_model": stats.embedding_model, "dimension": stats.dimension,
        "oldest": _day(stats.oldest), "newest": _day(stats.newest),
        "database_bytes": stats.database_bytes, "vectors_bytes": stats.vectors_bytes,
    }


def ingest_summary(report: IngestReport) -> str:
    """The closing line of an ingest."""
    line = (
        f"Read {report.files:,} file{'s' if report.files != 1 else ''} in {report.seconds:.1f}s: {report.new} new, "
        f"{report.updated} updated, {report.unchanged} unchanged, {report.failed} failed"
    )
    if report.duplicates:
        plural = "s" if report.duplicates != 1 else ""
        line += f"; {report.duplicates} near-duplicate{plural} of stored articles kept as also reported"
    return line + "."

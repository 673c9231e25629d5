"""Answers, summaries, article lists and stats -> terminal text and JSON (the CLI's output contract)."""

from __future__ import annotations

import textwrap
from datetime import date, timedelta
from typing import Any

from bot.wording import iso_day, plural, shown_day
from index import (
    AlsoReported,
    Answer,
    ArticleInfo,
    Citation,
    FeedLimit,
    IngestReport,
    Stats,
    Summary,
    SummaryEntry,
    UnknownArticle,
)


def reason_text(reason: str | None, empty_library: bool) -> str | None:
    """Why nothing was quoted; for an empty library, with the command that adds articles."""
    return f"{reason}: add some with `newsbot ingest`" if empty_library else reason


def error_text(error: Exception) -> str:
    """An engine error as the command line words it: where article ids are listed, whose feeds are full."""
    if isinstance(error, UnknownArticle):
        return f"{error} (see `newsbot articles`)"
    if isinstance(error, FeedLimit):  # only a server's feeds are limited: `newsbot feed add --server ID`
        return f"this server already follows {error.count} feeds, the most allowed"
    return str(error)


def describe_source(citation: Citation) -> str:
    """A line naming a source (title, outlet, author, date and link), and one naming its copies if it has any."""
    parts = [citation.title]
    if citation.source:
        parts.append(citation.source)
    if citation.author:
        parts.append(f"by {citation.author}")
    parts.append(shown_day(citation.published))
    line = " · ".join(parts)
    line = f"{line} <{citation.url}>" if citation.url else line
    return f"{line}\n    {also_reported_text(citation.also_reported)}" if citation.also_reported else line


def also_reported_text(copies: tuple[AlsoReported, ...]) -> str:
    """"also reported by Outlet (2024-03-05) <url>, ...": the copies of an article, by outlet (else title)."""
    names = []
    for copy in copies:
        name = f"{copy.source or copy.title} ({shown_day(copy.published)})"
        names.append(f"{name} <{copy.url}>" if copy.url else name)
    return "also reported by " + ", ".join(names)


def _copies_json(copies: tuple[AlsoReported, ...]) -> list[dict[str, Any]]:
    """The copies of an article as JSON objects."""
    return [{"article_id": c.id, "title": c.title, "url": c.url, "outlet": c.source, "published": iso_day(c.published)}
            for c in copies]


def answer_text(answer: Answer, width: int = 100) -> str:
    """An answer as the terminal shows it: quoted sentences with [n] marks, then the numbered sources."""
    if answer.abstained:
        text = f"I can't answer that from the articles I have: {reason_text(answer.reason, answer.empty_library)}."
        nearest = [f"  {describe_source(c)}" for c in answer.nearest]
        return "\n".join([text, "The nearest articles I have:", *nearest] if nearest else [text])
    # No quote marks are added: many sentences carry their own, and the text must stay word for word.
    # A quote that leans on its previous sentence ("He said ...") is shown after it, as in the article.
    lines = [textwrap.fill(f"> {q.context + ' ' if q.context else ''}{q.text} [{q.source}]", width=width,
                           subsequent_indent="  ") for q in answer.quotes]
    lines.append("")
    lines.append("Sources:")
    lines += [f"[{c.n}] {describe_source(c)}" for c in answer.sources]
    return "\n".join(lines)


def answer_json(answer: Answer) -> dict[str, Any]:
    """An answer as `ask --json` prints it (the README documents each key)."""
    return {
        "question": answer.question,
        "abstained": answer.abstained,
        "reason": reason_text(answer.reason, answer.empty_library),
        "question_id": answer.question_id,
        "answer": [
            {"text": q.text, "source": q.source, "article_id": q.article_id, "score": q.score,
             "sentence_id": q.sentence_id, "context": q.context}
            for q in answer.quotes
        ],
        "sources": _sources_json(answer.sources),
        "nearest": _sources_json(answer.nearest),
    }


def _sources_json(sources: tuple[Citation, ...]) -> list[dict[str, Any]]:
    """Numbered sources as the JSON contract has them."""
    return [{"n": c.n, "article_id": c.article_id, "title": c.title, "url": c.url, "outlet": c.source,
             "author": c.author, "published": iso_day(c.published), "also_reported": _copies_json(c.also_reported)}
            for c in sources]


def period_words(since: date | None, until: date | None) -> str:
    """A period as shown: "2022-12-29 to 2022-12-30", "since 2022-12-29", "" for none."""
    if since and until:
        return since.isoformat() if since == until else f"{since.isoformat()} to {until.isoformat()}"
    return f"since {since.isoformat()}" if since else f"up to {until.isoformat()}" if until else ""


def summary_title(summary: Summary) -> str:
    """What a summary covers: "Timeline: grid attacks · since 2022-12-29", "Latest news · 2022-12-30"."""
    if summary.article_id is not None and summary.sources:
        return f"Summary of “{summary.sources[0].title}”"
    if summary.topic:
        name = f"{summary.kind.capitalize()}: {summary.topic}"
    else:
        name = "Latest news" if summary.latest else "The news"
    period = period_words(summary.since, summary.until)
    return f"{name} · {period}" if period else name


def span_words(first: date | None, last: date | None) -> str:
    """A day or period as precisely as it was named: 2022-12-30, December 2022, 2022, or first to last."""
    if first is None:
        return "undated"
    if last is None or last == first:
        return first.isoformat()
    whole_months = first.day == 1 and (last + timedelta(days=1)).day == 1
    if whole_months and (first.month, last.month) == (1, 12) and first.year == last.year:
        return str(first.year)
    if whole_months and (first.year, first.month) == (last.year, last.month):
        return first.strftime("%B %Y")
    return f"{first.isoformat()} to {last.isoformat()}"


def entry_day(entry: SummaryEntry) -> str:
    """When a timeline entry happened, with the words that named it: "2022-12-30 (on Friday)"."""
    when = span_words(entry.day, entry.last_day)
    return f"{when} ({entry.wording})" if entry.wording else when


def shortfall_note(summary: Summary, asked: int) -> str | None:
    """Why a summary quotes fewer sentences than asked for, or None when it quotes them all."""
    given = len(summary.entries)
    if summary.empty or given >= asked:
        return None
    if summary.article_id is not None:
        why = "the article has no other sentence that adds to these without repeating one"
    elif summary.topic:
        why = f"no other sentence is close enough to “{summary.topic}” without repeating one of these"
    else:
        why = "no other sentence of the period adds to these without repeating one"
    return f"Only {given} of the {asked} sentences asked for: {why}."


def summary_text(summary: Summary, width: int = 100, asked: int = 0) -> str:
    """A summary or timeline as the terminal shows it: a title, quoted sentences with [n] marks, the sources."""
    if summary.empty:
        reason = reason_text(summary.reason, summary.empty_library)
        assert reason is not None  # an empty summary always says why
        return f"{reason[0].upper()}{reason[1:]}."
    note = shortfall_note(summary, asked)
    lines = [summary_title(summary), *([note] if note else []), ""]
    for n, entry in enumerate(summary.entries):
        if summary.kind == "timeline":
            lines += [""] * (n > 0) + [entry_day(entry)]
        lines.append(textwrap.fill(f"> {entry.text} [{entry.source}]", width=width, subsequent_indent="  "))
    lines += ["", "Sources:", *(f"[{c.n}] {describe_source(c)}" for c in summary.sources)]
    return "\n".join(lines)


def summary_json(summary: Summary, asked: int = 0) -> dict[str, Any]:
    """A summary or timeline as `--json` prints it: the sentences under "summary" or "timeline"."""
    entries = []
    for entry in summary.entries:
        item = {"text": entry.text, "source": entry.source, "article_id": entry.article_id, "score": entry.score,
                "sentence_id": entry.sentence_id, "published": iso_day(entry.published)}
        if summary.kind == "timeline":
            item |= {"date": iso_day(entry.day), "date_last": iso_day(entry.last_day), "date_text": entry.wording}
        entries.append(item)
    return {"topic": summary.topic, "since": iso_day(summary.since), "until": iso_day(summary.until),
            "article_id": summary.article_id, "latest": summary.latest, "abstained": summary.empty,
            "reason": reason_text(summary.reason, summary.empty_library), summary.kind: entries,
            "sources": _sources_json(summary.sources),
            "note": shortfall_note(summary, asked)}


def articles_text(articles: list[ArticleInfo], scope: str | None = None) -> str:
    """One line per article: id, date, outlet, title; listed for a server, its own marked and counted apart."""
    if not articles:
        return f"No articles yet: add some with `newsbot ingest{f' --server {scope}' if scope else ''} PATH`."
    width = max(len(a.id) for a in articles)
    lines = []
    for article in articles:
        day = article.published.isoformat() if article.published else "undated   "
        outlet = f" ({article.source})" if article.source else ""
        own = f"  [server {article.scope}]" if article.scope else ""
        lines.append(f"{article.id:<{width}}  {day}  {article.title}{outlet}{own}")
        if article.also_reported:
            lines.append(f"{'':<{width}}  {also_reported_text(article.also_reported)}")
    count = f"{plural(len(articles), 'article')}{_also_count(sum(len(a.also_reported) for a in articles))}"
    if scope:
        own_count = sum(1 for a in articles if a.scope)
        count += f": {own_count:,} server {scope}'s own, {len(articles) - own_count:,} from the operator's library"
    return "\n".join([*lines, count])


def _also_count(copies: int) -> str:
    """" (+3 also reported)" after a count of articles, when some have copies."""
    return f" (+{copies:,} also reported)" if copies else ""


def articles_json(articles: list[ArticleInfo]) -> list[dict[str, Any]]:
    """Articles as JSON objects; "server" is the Discord server whose own an article is (null: the library's)."""
    return [
        {"id": a.id, "title": a.title, "url": a.url, "outlet": a.source, "author": a.author,
         "published": iso_day(a.published), "sentences": a.sentences, "ingested_at": a.ingested_at,
         "also_reported": _copies_json(a.also_reported), "server": a.scope}
        for a in articles
    ]


def _megabytes(size: int) -> str:
    """A byte count in MB."""
    return f"{size / 1_000_000:.1f} MB"


def stats_text(stats: Stats) -> str:
    """The library's sizes as aligned lines."""
    span = "-"
    if stats.oldest and stats.newest:  # both or neither: the ends of one range
        span = f"{stats.oldest.isoformat()} to {stats.newest.isoformat()}"
    dimensions = f"{stats.dimension} dimensions" if stats.dimension else "nothing embedded yet"
    rows = [
        ("articles", f"{stats.articles:,}{_also_count(stats.copies)}"), ("sentences", f"{stats.sentences:,}"),
        ("passages", f"{stats.passages:,}"), ("vectors", f"{stats.vectors:,}"),
        ("published", span), ("model", f"{stats.embedding_model} ({dimensions})"),
        ("database", _megabytes(stats.database_bytes)), ("vector index", _megabytes(stats.vectors_bytes)),
    ]
    return "\n".join(f"{name:<13}{value}" for name, value in rows)


def stats_json(stats: Stats) -> dict[str, Any]:
    """The library's sizes as JSON."""
    return {
        "articles": stats.articles, "also_reported": stats.copies, "sentences": stats.sentences,
        "passages": stats.passages,
        "vectors": stats.vectors, "embedding_model": stats.embedding_model, "dimension": stats.dimension,
        "oldest": iso_day(stats.oldest), "newest": iso_day(stats.newest),
        "database_bytes": stats.database_bytes, "vectors_bytes": stats.vectors_bytes,
    }


def ingest_summary(report: IngestReport, scope: str | None = None) -> str:
    """The closing line of an ingest (into a server's library, for the CLI's `ingest --server`)."""
    into = f" into server {scope}'s library" if scope else ""
    line = (f"Read {plural(report.files, 'file')}{into} in {report.seconds:.1f}s: {report.new:,} new, "
            f"{report.updated:,} updated, {report.unchanged:,} unchanged, {_failures(report)}")
    if report.duplicates:
        line += f"; {plural(report.duplicates, 'near-duplicate')} kept as also reported"
    return line + "."


def _failures(report: IngestReport) -> str:
    """"2 failed" when whole files failed; files and articles apart once single articles (JSONL lines) failed."""
    articles = report.failed - report.failed_files
    if not articles:
        return f"{report.failed:,} failed"
    if not report.failed_files:
        return f"{plural(articles, 'article')} failed"
    return f"{plural(report.failed_files, 'file')} and {plural(articles, 'article')} failed"

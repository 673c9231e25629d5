"""The multi-article part of benchmarks/summary.py: summaries and timelines of 20 topics on BBC + Reuters."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import date

import numpy as np
from qa import cache_folder
from qa_data import BBC_FILE, REUTERS_FILE, news_articles
from qa_metrics import percentile
from qa_report import PartResult, Row

from index import Embedder, EngineSettings, Library, Summary
from index.ingest.dates import parse_date

# The library benchmarks/qa.py --quick builds: the first 2,000 articles of each outlet.
CACHE = cache_folder("news-quick")
QUICK_ARTICLES = 2_000

D = date
# (topic, since, until): the dated Reuters stories of the --quick library run from 8 April to 1 June 1987.
TOPICS: list[tuple[str, date | None, date | None]] = [
    ("coffee export quotas", D(1987, 4, 8), D(1987, 4, 13)),
    ("interest rates", D(1987, 4, 9), D(1987, 4, 9)),
    ("oil prices and OPEC output", D(1987, 4, 8), D(1987, 4, 17)),
    ("grain sales to the Soviet Union", D(1987, 4, 8), D(1987, 4, 13)),
    ("trade dispute between the United States and Japan", D(1987, 4, 13), D(1987, 4, 17)),
    ("takeover bid", D(1987, 4, 8), D(1987, 4, 9)),
    ("dollar exchange rate", D(1987, 4, 9), D(1987, 4, 13)),
    ("quarterly earnings and dividends", D(1987, 4, 13), D(1987, 4, 13)),
    ("Brazil foreign debt", D(1987, 4, 8), D(1987, 4, 23)),
    ("sugar production", D(1987, 4, 1), D(1987, 4, 30)),
    ("mobile phones", None, None),
    ("Chelsea football", None, None),
    ("Oscar nominations", None, None),
    ("general election Labour Tony Blair", None, None),
    ("tsunami aid", None, None),
    ("music downloads", None, None),
    ("Six Nations rugby", None, None),
    ("steel industry", None, None),
    ("gold price", None, None),
    ("video game consoles", None, None),
]
# Topics this corpus (2004-2005 BBC, 1987 Reuters) does not cover: the honest answer is an empty summary.
OFF_TOPICS = ["bitcoin mining", "Mars rover landing", "covid vaccine rollout"]
MAX_COSINE = 0.9
TARGET_MS = 300


def corpus_texts() -> dict[str, tuple[str, date | None]]:
    """Each library article's corpus text with spaces collapsed, and its date, read from the corpus files."""
    texts = {}
    for line in BBC_FILE.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        texts[f"bbc/{record['id']}"] = (" ".join(record["text"].split()), None)
    for line in REUTERS_FILE.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        texts[f"reuters/{record['newid']}"] = (" ".join(record["body"].split()),
                                               parse_date(record["date"].split("#")[0]))
    return texts


def checked(summary: Summary, texts: dict[str, tuple[str, date | None]]) -> tuple[int, int]:
    """(sentences, those verbatim in the corpus text of an article inside the summary's period)."""
    good = 0
    for entry in summary.entries:
        text, published = texts[entry.article_id]
        inside = summary.since is None or (published is not None and summary.since <= published)
        inside = inside and (summary.until is None or (published is not None and published <= summary.until))
        good += inside and " ".join(entry.text.split()) in text
    return len(summary.entries), good


def worst_cosine(summaries: Sequence[Summary], embedder: Embedder) -> tuple[float, int]:
    """The highest cosine between two sentences of one summary, and how many pairs are over MAX_COSINE."""
    worst, over = 0.0, 0
    for summary in summaries:
        if len(summary.entries) < 2:
            continue
        vectors = embedder.embed([entry.text for entry in summary.entries])
        cosines = (vectors @ vectors.T)[np.triu_indices(len(vectors), k=1)]
        worst, over = max(worst, float(cosines.max())), over + int((cosines > MAX_COSINE).sum())
    return worst, over


async def timed(calls: Sequence[Callable[[], Awaitable[Summary]]]) -> tuple[list[Summary], list[float]]:
    """Run each call in turn; the summaries and the milliseconds each took."""
    summaries, times = [], []
    for call in calls:
        started = time.perf_counter()
        summaries.append(await call())
        times.append(1000 * (time.perf_counter() - started))
    return summaries, times


def rows_for(name: str, summaries: list[Summary], times: list[float], texts: dict, embedder: Embedder) -> list[Row]:
    """The checks and times of one kind of call over the topics."""
    counts = [checked(summary, texts) for summary in summaries]
    sentences, good = sum(c[0] for c in counts), sum(c[1] for c in counts)
    worst, over = worst_cosine(summaries, embedder)
    n = len(summaries)
    empty = sum(summary.empty for summary in summaries)
    return [
        Row(name, "20 topics", n, "sentences quoted (empty results)", f"{sentences} ({empty})"),
        Row(name, "20 topics", n, "verbatim from an article of the period", f"{good}/{sentences}", "", "all"),
        Row(name, "20 topics", n, f"pairs in one result with cosine > {MAX_COSINE}", str(over), "", "0"),
        Row(name, "20 topics", n, "highest cosine within one result", f"{worst:.3f}", "", f"≤ {MAX_COSINE}"),
        Row(name, "20 topics", n, "p50 ms", f"{percentile(times, 0.5):.0f}", "", f"< {TARGET_MS}"),
        Row(name, "20 topics", n, "p95 ms", f"{percentile(times, 0.95):.0f}"),
    ]


async def open_library(embedder: Embedder) -> tuple[Library, str]:
    """The cached BBC + Reuters library, first ingesting whatever it lacks (unchanged articles are skipped)."""
    library = await Library.open(CACHE, embedder, EngineSettings())
    articles = news_articles(QUICK_ARTICLES)
    if (await library.stats()).articles >= len(articles):
        return library, f"library cache {CACHE} reused"
    print(f"building {CACHE} ({len(articles):,} articles, about 15 min)", file=sys.stderr)
    report = await library.ingest_articles(articles)
    return library, f"library cache {CACHE} built: {report.new:,} articles in {report.seconds / 60:.1f} min"


async def multi_part(embedder: Embedder) -> PartResult:
    """Summaries and timelines of the topics, the latest news, and topics the corpus does not cover."""
    started = time.monotonic()
    library, note = await open_library(embedder)
    texts = corpus_texts()
    part = PartResult("summary-multi", "summary: many articles, BBC + Reuters", notes=[note])
    try:
        await library.warm_up()
        await extra_rows(library, part, texts, embedder)
    finally:
        await library.close()
    part.seconds = time.monotonic() - started
    return part


async def extra_rows(library: Library, part: PartResult, texts: dict, embedder: Embedder) -> None:
    """Fill the part's rows: summaries, timelines, latest news, off-topic topics."""
    summaries, times = await timed([lambda t=t: library.summarize(topic=t[0], since=t[1], until=t[2])
                                    for t in TOPICS])
    part.rows += rows_for("Library.summarize, 5 sentences", summaries, times, texts, embedder)
    timelines, times = await timed([lambda t=t: library.timeline(t[0], since=t[1], until=t[2]) for t in TOPICS])
    part.rows += rows_for("Library.timeline, 8 events", timelines, times, texts, embedder)
    part.notes += [f"{s.kind} empty: {s.reason}" for s in [*summaries, *timelines] if s.empty]
    ordered = all([e.day for e in t.entries if e.day] == sorted(e.day for e in t.entries if e.day) for t in timelines)
    named = sum(e.wording is not None for t in timelines for e in t.entries)
    part.rows.append(Row("Library.timeline, 8 events", "20 topics", len(timelines),
                         "in date order / entries dated by their own words", f"{ordered} / {named}"))
    latest, times = await timed([library.summarize])
    count, good = checked(latest[0], texts)
    part.rows.append(Row("latest news (no topic, no period)", f"{latest[0].since} to {latest[0].until}", 1,
                         "verbatim from an article of the period / ms", f"{good}/{count} / {times[0]:.0f}"))
    off, _ = await timed([lambda t=t: library.summarize(topic=t) for t in OFF_TOPICS])
    part.rows.append(Row("topics the corpus does not cover", "off-topic", len(off), "empty (honest) results",
                         f"{sum(s.empty for s in off)}/{len(off)}", "", "all"))
    part.notes.append("off-topic: " + "; ".join(f"{s.topic}: {s.reason or f'{len(s.entries)} sentences'}"
                                                 for s in off))

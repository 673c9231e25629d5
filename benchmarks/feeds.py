"""How long one poll of 20 local feeds x 50 items takes end to end, and where the time goes.

A local aiohttp server on 127.0.0.1 serves 20 RSS 2.0 feeds of 50 items each. The items carry one-line teasers
only, so every poll of a new item fetches its page (a news page with menus, ads and related links, written here
from word lists) and extracts the article from it: the heavy case. The library is new and empty, so all 1,000
articles are split, embedded and stored. A second poll then finds nothing new.

Stages: fetch (feeds and pages over HTTP), parse (feedparser, safe XML check), extract (trafilatura) and ingest
are timed by the poller; embed is timed around the embedder, and store is ingest minus embed (splitting,
duplicate checks, SQLite and FAISS writes). Fetch and extract run up to feeds.concurrency at a time, so their
summed task time can exceed the wall time.

    python benchmarks/feeds.py                    # the real model (all-MiniLM-L6-v2)
    python benchmarks/feeds.py --embedder hashing # the fast word-hashing embedder of the tests
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from aiohttp import web
from qa_report import RESULTS_FILE, PartResult, Row, machine, markdown_table, notes_text

from index import EngineSettings, Library, load_embedder
from index.embedder import Embedder
from index.models import PollReport
from index.settings import FeedSettings, WebSettings

FEEDS, ITEMS = 20, 50
_WORDS = {
    "who": ["The council", "Engineers", "The port authority", "Residents", "The transport company", "Inspectors",
            "The school board", "Local traders", "The fire service", "Volunteers", "The water utility", "Farmers"],
    "did": ["approved", "inspected", "postponed", "announced", "criticised", "repaired", "funded", "reopened",
            "closed", "expanded", "reviewed", "tested"],
    "what": ["the northern bridge", "a new tram depot", "the harbour wall", "the library roof", "two bus routes",
             "the flood barrier", "a solar farm", "the market hall", "the ring road", "a cycle lane", "the old mill"],
    "when": ["on Monday", "on Tuesday", "on Wednesday", "last week", "after a long delay", "in the spring",
             "before the holidays", "overnight", "at short notice", "for the third time"],
    "why": ["because of rising costs", "after complaints from neighbours", "to meet new safety rules",
            "following a storm", "as part of a ten-year plan", "despite objections", "to save energy"],
}


def sentence(rng: random.Random) -> str:
    """One made-up news sentence with a figure in it, so no two articles are alike."""
    pick = {key: rng.choice(values) for key, values in _WORDS.items()}
    figure = rng.randint(2, 9_999)
    return (f"{pick['who']} {pick['did']} {pick['what']} {pick['when']} {pick['why']}, "
            f"at a cost of {figure:,} thousand euros.")


def article_page(feed: int, item: int) -> str:
    """A news page: the article (five paragraphs) among a menu, an ad, related links and a footer."""
    rng = random.Random(feed * 1000 + item)
    paragraphs = "".join(f"<p>{' '.join(sentence(rng) for _ in range(3))}</p>" for _ in range(5))
    return (f"<!doctype html><html><head><title>Story {item} of feed {feed} | Bench Gazette</title>"
            '<meta property="og:site_name" content="Bench Gazette">'
            f'<meta property="article:published_time" content="2024-05-{item % 28 + 1:02d}T08:00:00Z"></head><body>'
            '<nav><a href="/">Home</a> <a href="/local">Local</a> <a href="/sport">Sport</a></nav>'
            '<div class="ad">Advertisement: the best mattress deals of the year</div>'
            f"<article><h1>Story {item} of feed {feed}</h1>{paragraphs}</article>"
            '<aside class="related"><a href="/x">More local news</a></aside><footer>Bench Gazette</footer>'
            "</body></html>")


def feed_document(base: str, feed: int) -> str:
    """RSS 2.0 with ITEMS teaser-only items."""
    items = "".join(
        f"<item><title>Story {n} of feed {feed}</title><link>{base}/f{feed}/a{n}</link><guid>f{feed}-{n}</guid>"
        f"<pubDate>Tue, {n % 28 + 1:02d} May 2024 08:00:00 GMT</pubDate><description>A short teaser…</description>"
        "</item>" for n in range(ITEMS))
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Bench feed {feed}</title>'
            f"<link>{base}/</link><description>Benchmark</description>{items}</channel></rss>")


def build_site() -> web.Application:
    """The feeds and their pages."""
    async def feed(request: web.Request) -> web.Response:
        """Feed n."""
        text = feed_document(f"http://{request.host}", int(request.match_info["feed"]))
        return web.Response(text=text, content_type="application/rss+xml")

    async def page(request: web.Request) -> web.Response:
        """Item n of feed m."""
        text = article_page(int(request.match_info["feed"]), int(request.match_info["item"]))
        return web.Response(text=text, content_type="text/html")

    app = web.Application()
    app.router.add_get("/feed{feed:\\d+}.xml", feed)
    app.router.add_get("/f{feed:\\d+}/a{item:\\d+}", page)
    return app


class TimedEmbedder:
    """An embedder that adds up the time spent embedding."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.seconds = 0.0

    @property
    def name(self) -> str:
        """The wrapped model's name."""
        return self.inner.name

    @property
    def dimension(self) -> int:
        """The wrapped model's dimension."""
        return self.inner.dimension

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed, timing it."""
        started = time.perf_counter()
        try:
            return self.inner.embed(texts)
        finally:
            self.seconds += time.perf_counter() - started


async def measure(embedder_name: str) -> PartResult:
    """Serve the feeds, poll them twice into a new library, and return the rows."""
    embedder = TimedEmbedder(load_embedder(embedder_name, 64, "cpu", None))
    await asyncio.to_thread(embedder.inner.embed, ["load the model before the clock starts"])
    embedder.seconds = 0.0
    settings = EngineSettings(web=WebSettings(allow_private_addresses=True), feeds=FeedSettings())
    runner = web.AppRunner(build_site(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    with tempfile.TemporaryDirectory() as folder:
        library = await Library.open(Path(folder), embedder, settings)
        for n in range(FEEDS):
            await library.feeds.add(f"{base}/feed{n}.xml")
        started = time.perf_counter()
        first = await library.feeds.poll()
        wall = time.perf_counter() - started
        second = await library.feeds.poll()
        stats = await library.stats()
        await library.close()
    await runner.cleanup()
    return result_rows(embedder_name, first, second, wall, embedder.seconds, stats.articles, stats.sentences)


def result_rows(embedder_name: str, first: PollReport, second: PollReport, wall: float, embed: float, articles: int,
                sentences: int) -> PartResult:
    """The table: the end-to-end time, each stage's time and share, and the second poll."""
    new = sum(poll.new for poll in first.feeds)
    failed = sum(poll.failed for poll in first.feeds) + sum(poll.status == "failed" for poll in first.feeds)
    timings = dict(first.timings)
    stages = {"fetch": timings.get("fetch", 0.0), "parse": timings.get("parse", 0.0),
              "extract": timings.get("extract", 0.0), "embed": embed,
              "store": max(timings.get("ingest", 0.0) - embed, 0.0)}
    split = f"{FEEDS} feeds x {ITEMS} items"
    rows = [Row("poll", split, new, "end to end, first poll (s)", f"{wall:.1f}"),
            Row("poll", split, new, "articles per second", f"{new / wall:.1f}")]
    rows += [Row("stage", split, new, f"{stage} (s, summed over tasks)", f"{seconds:.1f}")
             for stage, seconds in stages.items()]
    rows.append(Row("poll", split, 0, "second poll, nothing new (s)", f"{second.seconds:.2f}"))
    notes = [f"embedder: {embedder_name}; {articles:,} articles, {sentences:,} sentences stored; {failed} failed",
             "fetch and extract overlap (feeds.concurrency = 4 at a time); embed and store run one batch at a time"]
    return PartResult(key=f"feeds_{'hashing' if embedder_name == 'hashing' else 'model'}",
                      title=f"Feed polling: {split}, local HTTP server ({embedder_name})",
                      rows=rows, notes=notes, seconds=wall + second.seconds)


def write_section(result: PartResult, stamp: str, command: str) -> None:
    """Replace this benchmark's own section of RESULTS.md (or add it at the end), leaving the others untouched."""
    section = (f"<!-- part: {result.key} -->\n## {result.title}\n\n{stamp} · {machine()} · `{command}`\n\n"
               f"{markdown_table(result.rows)}\n\n{notes_text([result])}\n<!-- end: {result.key} -->\n")
    text = RESULTS_FILE.read_text(encoding="utf-8")
    old = re.compile(rf"<!-- part: {result.key} -->\n.*?<!-- end: {result.key} -->\n", re.DOTALL)
    text = old.sub(lambda _: section, text, count=1) if old.search(text) else f"{text.rstrip()}\n\n{section}"
    RESULTS_FILE.write_text(text, encoding="utf-8")


def main() -> None:
    """Run, print the table and update benchmarks/RESULTS.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embedder", default="all-MiniLM-L6-v2", help="all-MiniLM-L6-v2 (default) or hashing")
    args = parser.parse_args()
    result = asyncio.run(measure(args.embedder))
    print(markdown_table(result.rows))
    print("\n".join(f"- {note}" for note in result.notes))
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    write_section(result, stamp, f"python benchmarks/feeds.py --embedder {args.embedder}")


if __name__ == "__main__":
    main()

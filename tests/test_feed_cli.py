"""`newsbot feed add|list|remove|poll` and `newsbot watch`, in-process against a feed site on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import re
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp import web

from bot.watch import poll_forever
from index import Library
from index.embedder import HashingEmbedder
from tests.cli_runner import Newsbot, command_runner
from tests.feed_site import HITS, REPLIES, STORIES, build_feed_site
from tests.local_site import serve, serve_in_thread
from tests.newsbot_process import newsbot as newsbot_command
from tests.newsbot_process import start
from tests.test_feed_poll import SETTINGS

CONFIG = """
[embedding]
model = "hashing"
[web]
allow_private_addresses = {allow}
timeout_seconds = 1.0
[feeds]
full_text_chars = 100
"""


@pytest.fixture
def site() -> Iterator[str]:
    """The feed site, served from a thread (the commands run event loops of their own)."""
    with serve_in_thread(build_feed_site) as base:
        yield base


def feed_runner(tmp_path: Path, monkeypatch, capsys, allow: bool) -> Newsbot:
    """Run newsbot commands against a hashing library in tmp_path; return (status, stdout, stderr)."""
    return command_runner(tmp_path, monkeypatch, capsys, CONFIG.format(allow=str(allow).lower()))


def test_follow_list_poll_and_unfollow(site, tmp_path, monkeypatch, capsys):
    newsbot = feed_runner(tmp_path, monkeypatch, capsys, allow=True)
    status, out, _ = newsbot("feed", "add", f"{site}/rss2.xml")
    assert status == 0 and out.startswith("following Example Gazette (4 items)")
    status, out, _ = newsbot("feed", "poll")
    assert status == 0 and out.startswith("Example Gazette: 4 new, 0 updated, 0 failed\nPolled 1 feed in ")
    assert out.endswith(": 4 new articles.\n")
    status, out, _ = newsbot("feed", "poll", "--json")
    assert json.loads(out)["feeds"][0]["new"] == 0
    status, out, _ = newsbot("feed", "list")
    assert f"   1  {site}/rss2.xml  Example Gazette  [library, 4 articles, checked " in out
    assert out.endswith("\n1 feed\n")
    assert sum(title in newsbot("articles")[1] for title, _, _ in STORIES[:4]) == 4
    assert newsbot("feed", "remove", "1")[1] == f"unfollowed {site}/rss2.xml\n"
    assert newsbot("feed", "remove", "1")[2] == "error: no feed '1' (see `newsbot feed list`)\n"


def test_near_duplicates_are_counted_apart_in_the_poll_lines(site, tmp_path, monkeypatch, capsys):
    newsbot = feed_runner(tmp_path, monkeypatch, capsys, allow=True)
    newsbot("feed", "add", f"{site}/rss2.xml")
    newsbot("feed", "poll")
    newsbot("feed", "add", f"{site}/wire.xml")
    status, out, _ = newsbot("feed", "poll")
    assert status == 0 and "Example Gazette: 0 new, 0 updated, 0 failed\n" in out
    assert "Wire Service: 0 new, 0 updated, 2 near-duplicates kept as also reported, 0 failed\n" in out
    assert out.endswith(": 0 new articles; 2 near-duplicates kept as also reported.\n")


def test_a_gone_feed_is_shown_as_gone_and_no_longer_polled(tmp_path, monkeypatch, capsys):
    newsbot = feed_runner(tmp_path, monkeypatch, capsys, allow=True)
    site = build_feed_site()
    with serve_in_thread(lambda: site) as base:
        newsbot("feed", "add", f"{base}/rss2.xml", "--server", "42")
        site[REPLIES]["/rss2.xml"] = (410, {})
        status, out, _ = newsbot("feed", "poll")
        note = "gone: its server answered 410 Gone, so it is no longer polled (`newsbot feed remove 1 --server 42`"
        assert status == 1 and out.startswith(f"Example Gazette: {note} unfollows it)\n  {base}/rss2.xml: ")
        assert out.endswith("0 new articles. 1 could not be polled.\n")
        assert note in newsbot("feed", "list")[1]
        assert json.loads(newsbot("feed", "list", "--json")[1])[0]["gone_at"] is not None
        assert newsbot("feed", "poll")[1].startswith("Polled 0 feeds in ")
        assert site[HITS]["/rss2.xml"] == 2  # the check when added, and the poll that found it gone


def test_a_servers_feeds_from_the_command_line(site, tmp_path, monkeypatch, capsys):
    newsbot = feed_runner(tmp_path, monkeypatch, capsys, allow=True)
    assert newsbot("feed", "add", f"{site}/atom.xml", "--server", "42")[0] == 0
    listed = json.loads(newsbot("feed", "list", "--json")[1])
    assert [(f["title"], f["server"]) for f in listed] == [("Atom Courier", "42")]
    assert newsbot("feed", "list", "--server", "7")[1] == "0 feeds\n"


@pytest.mark.parametrize("path, allow, message", [
    ("/bomb.xml", True, "declares entities (refused: a possible XML bomb)"),
    ("/rss2.xml", False, "refusing to fetch from 127.0.0.1, a loopback address"),
])
def test_refusals_are_one_line(site, tmp_path, monkeypatch, capsys, path, allow, message):
    newsbot = feed_runner(tmp_path, monkeypatch, capsys, allow=allow)
    status, out, err = newsbot("feed", "add", site + path)
    assert status == 1 and out == "" and err.startswith(f"error: {site}{path}: ") and message in err
    assert err.count("\n") == 1


def test_watch_needs_a_poll_interval(tmp_path, monkeypatch, capsys):
    newsbot = feed_runner(tmp_path, monkeypatch, capsys, allow=True)
    (tmp_path / "config.toml").write_text("[feeds]\npoll_minutes = 0\n")
    assert newsbot("watch")[2] == "error: set feeds.poll_minutes above 0 for `newsbot watch`\n"


async def test_the_watch_loop_polls_what_is_due(tmp_path):
    library = await Library.open(tmp_path, HashingEmbedder(), SETTINGS)
    async with serve(build_feed_site()) as base:
        await library.feeds.add(f"{base}/rss2.xml")
        reports = []

        async def collect(report) -> None:
            reports.append(report)

        watcher = asyncio.create_task(poll_forever(library, collect))
        async with asyncio.timeout(60):  # a poll that never returns fails the test instead of hanging the suite
            while not reports:
                await asyncio.sleep(0.01)
        watcher.cancel()
        await asyncio.gather(watcher, return_exceptions=True)
    assert reports[0].feeds[0].new == 4 and (await library.stats()).articles == 4
    assert (await library.feeds.list())[0].next_check > (await library.feeds.list())[0].checked_at
    await library.close()


@pytest.mark.parametrize("allow", [True, False])
def test_ingest_url_reads_a_page_or_refuses_loopback_in_one_line(site, tmp_path, monkeypatch, capsys, allow):
    newsbot = feed_runner(tmp_path, monkeypatch, capsys, allow=allow)
    status, out, err = newsbot("ingest", f"{site}/story/1")
    if allow:
        assert (status, err) == (0, "") and "1 new, 0 updated" in out
    else:
        assert status == 1 and err == (f"skipped {site}/story/1: refusing to fetch from 127.0.0.1, a loopback address"
                                       " (web.allow_private_addresses is off)\n")


def test_feed_remove_takes_the_number_feed_list_gives_a_servers_feed(site, tmp_path, monkeypatch, capsys):
    newsbot = feed_runner(tmp_path, monkeypatch, capsys, allow=True)
    assert newsbot("feed", "add", f"{site}/atom.xml", "--server", "42")[0] == 0
    assert "   1  " in newsbot("feed", "list")[1]
    assert newsbot("feed", "remove", "1") == (0, f"unfollowed {site}/atom.xml\n", "")
    assert newsbot("feed", "list", "--json")[1] == "[]\n"


def test_feed_remove_by_url_names_the_server_that_follows_it(site, tmp_path, monkeypatch, capsys):
    newsbot = feed_runner(tmp_path, monkeypatch, capsys, allow=True)
    assert newsbot("feed", "add", f"{site}/atom.xml", "--server", "42")[0] == 0
    status, _, err = newsbot("feed", "remove", f"{site}/atom.xml")
    assert status == 1
    assert err == f"error: no feed '{site}/atom.xml'; server 42 follows it: add --server 42\n"


def test_feed_remove_prints_json_with_json(site, tmp_path, monkeypatch, capsys):
    newsbot = feed_runner(tmp_path, monkeypatch, capsys, allow=True)
    assert newsbot("feed", "add", f"{site}/atom.xml")[0] == 0
    status, out, err = newsbot("feed", "remove", "1", "7", "--json")
    removed = json.loads(out)
    assert status == 1 and [feed["url"] for feed in removed["removed"]] == [f"{site}/atom.xml"]
    assert removed["errors"] == ["no feed '7' (see `newsbot feed list`)"]
    assert err == "error: no feed '7' (see `newsbot feed list`)\n"


def test_feed_add_counts_one_item_in_the_singular(tmp_path, monkeypatch, capsys):
    newsbot = feed_runner(tmp_path, monkeypatch, capsys, allow=True)
    one = '<?xml version="1.0"?><rss version="2.0"><channel><title>Solo</title><item><title>Only story</title>'
    one += "<link>http://127.0.0.1:9/solo</link></item></channel></rss>"

    async def feed(request: web.Request) -> web.Response:
        """The feed of one item."""
        return web.Response(text=one, content_type="application/rss+xml")

    def build() -> web.Application:
        """A site whose one feed holds a single item."""
        app = web.Application()
        app.router.add_get("/rss.xml", feed)
        return app

    with serve_in_thread(build) as base:
        out = newsbot("feed", "add", f"{base}/rss.xml")[1]
    assert out.startswith("following Solo (1 item): ")


def test_watch_without_feeds_says_how_to_add_one(tmp_path):
    process = start(tmp_path, "watch")
    assert process.stdout is not None
    first = process.stdout.readline()
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert first == ("No feeds followed yet: add one with `newsbot feed add URL` (this watch polls it within a "
                     "minute). Ctrl-C stops.\n")
    assert process.returncode == 130 and "Traceback" not in stderr


def test_watch_says_what_it_follows_and_one_line_per_poll(site, tmp_path):
    added = newsbot_command(tmp_path, "feed", "add", f"{site}/rss2.xml")
    assert added.returncode == 0
    process = start(tmp_path, "watch")
    assert process.stdout is not None
    lines = [process.stdout.readline(), process.stdout.readline()]
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=30)
    assert lines[0] == "Watching 1 feed, each polled every 30 minutes; next poll now. Ctrl-C stops.\n"
    # After 23:30 the next poll is tomorrow's, so it names its date.
    assert re.fullmatch(r"\d\d:\d\d Polled 1 feed in \d+\.\ds: 4 new articles\. Next poll at "
                        r"(\d{4}-\d\d-\d\d )?\d\d:\d\d\.\n", lines[1])

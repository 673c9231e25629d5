"""Bad input to the real `newsbot` command: one line on stderr, no traceback, the right status, nothing changed."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from index import EngineSettings, Library
from index.embedder import HashingEmbedder
from index.ingest.files import article_from_record
from tests.feed_site import build_feed_site
from tests.local_site import serve_in_thread
from tests.newsbot_process import EXAMPLES, newsbot, refused_in_one_line, stored
from tests.test_copies import COAST_STORY, WIRE_STORY


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A directory with a config and a library holding the examples."""
    assert newsbot(tmp_path, "ingest", str(EXAMPLES)).returncode == 0
    return tmp_path


@pytest.fixture
def site() -> Iterator[str]:
    """A news site with feeds and story pages, served from a thread."""
    with serve_in_thread(build_feed_site) as base:
        yield base


def test_a_file_url_is_not_read_and_the_path_is_named_instead(home):
    assert refused_in_one_line(home, "ingest", "file:///etc/passwd") == (
        "error: file:///etc/passwd: only http:// and https:// URLs are fetched; a file: URL is not read, "
        "give the path instead (/etc/passwd)")


def test_a_url_of_another_scheme_is_refused_with_the_files_beside_it(home):
    line = refused_in_one_line(home, "ingest", str(EXAMPLES), "FTP://example.com/news/today.txt")
    assert line == "error: FTP://example.com/news/today.txt: only http:// and https:// URLs are fetched"


def test_a_url_in_capitals_or_with_spaces_around_it_is_fetched(home, site):
    address = site.replace("http://", "HTTP://")
    run = newsbot(home, "ingest", f"{address}/story/0", f" {site}/story/1\n")
    assert (run.returncode, run.stderr) == (0, "")
    assert "Read 2 files" in run.stdout and "2 new" in run.stdout


async def test_remove_looks_an_id_up_in_one_scope_only(home):
    library = await Library.open(home / "data", HashingEmbedder(), EngineSettings())
    await library.ingest_articles([article_from_record(r, "test") for r in (WIRE_STORY, COAST_STORY)], scope="111")
    await library.close()
    assert refused_in_one_line(home, "remove", "111/wire", status=1) == (
        "error: no article with id '111/wire' (see `newsbot articles`; a Discord server's own: "
        "`newsbot remove --server ID`)")
    assert refused_in_one_line(home, "remove", "--server", "222", "wire", status=1) == (
        "error: no article with id 'wire' in server 222's library")
    run = newsbot(home, "remove", "--server", "111", "wire")
    assert (run.returncode, run.stdout, run.stderr) == (0, "removed wire from server 111's library\n", "")
    library = await Library.open(home / "data", HashingEmbedder(), EngineSettings())
    try:
        assert [(a.id, a.scope) for a in await library.articles(scope="111") if a.scope] == [("coast", "111")]
        assert len(await library.articles()) == len(list(EXAMPLES.glob("*.md")))
    finally:
        await library.close()


@pytest.mark.parametrize("published, reason", [
    (0, 'bad date "0" (as a unix time, before 1973: a placeholder, not a date)'),
    ("0", 'bad date "0"'),
    ("2023-01-05T10:00:00+25:00", 'bad date "2023-01-05T10:00:00+25:00" (no time zone is +25:00 from UTC)'),
])
def test_an_implausible_date_costs_its_record_one_line(home, published, reason):
    records = home / "dated.jsonl"
    records.write_text(json.dumps({"id": "dated", "title": "Dated", "text": "A story.", "published": published}))
    assert refused_in_one_line(home, "ingest", str(records), status=1) == f"skipped {records}:1: {reason}"


def test_a_period_in_the_future_is_read_and_finds_nothing(home):
    before = stored(home)
    run = newsbot(home, "summary", "--since", "2030-01-01")
    assert (run.returncode, run.stdout, run.stderr) == (0, "No articles since 2030-01-01.\n", "")
    assert stored(home) == before


def test_a_title_is_printed_without_the_control_characters_it_came_with(home):
    records = home / "dirty.jsonl"
    records.write_text(json.dumps({"id": "dirty", "title": "Zebra\u0000 escapes\u001b[2J", "text": "A story."}))
    assert newsbot(home, "ingest", str(records)).returncode == 0
    listed = newsbot(home, "articles").stdout
    assert "Zebra escapes [2J" in listed and not re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]", listed)


def test_a_feed_given_to_ingest_is_named_with_the_command_that_follows_it(home, site):
    url = f"{site}/rss2.xml"
    assert refused_in_one_line(home, "ingest", url, status=1) == (
        f"skipped {url}: an RSS or Atom feed, not an article: follow it with `newsbot feed add {url}`")

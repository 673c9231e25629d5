"""`newsbot follow add|list|remove`, and the alert lines of `newsbot ingest` and `newsbot feed poll`, in-process."""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from datetime import date

import pytest

from tests.cli_runner import HASHING_CONFIG, Newsbot, command_runner
from tests.feed_site import build_feed_site
from tests.local_site import serve_in_thread
from tests.newsbot_process import newsbot as newsbot_command
from tests.newsbot_process import start
from tests.test_follows import CHOIR, STORM, jsonl

# The feed site's items are from March 2023: a window of 100 years lets them alert.
CONFIG = HASHING_CONFIG + "[web]\nallow_private_addresses = true\n[follow]\nmax_age_days = 36500\n"


@pytest.fixture
def newsbot(tmp_path, monkeypatch, capsys) -> Newsbot:
    return command_runner(tmp_path, monkeypatch, capsys, CONFIG)


@pytest.fixture
def site() -> Iterator[str]:
    with serve_in_thread(build_feed_site) as base:
        yield base


def test_follow_add_list_and_remove(newsbot):
    status, out, _ = newsbot("follow", "add", "harbour wall storm")
    assert status == 0 and out.startswith('following "harbour wall storm" (#1): `newsbot ingest`')
    assert newsbot("follow", "add", "Harbour wall STORM")[1:] == (
        "", 'error: "Harbour wall STORM" is already followed there\n')
    assert newsbot("follow", "add", "the and of")[0] == 1
    newsbot("follow", "add", "tram line", "--server", "42")
    status, out, _ = newsbot("follow", "list")
    assert status == 0 and out.startswith("   1  harbour wall storm  [library, since ") and out.endswith(
        "\n1 followed topic\n")
    [tram] = json.loads(newsbot("follow", "list", "--server", "42", "--json")[1])
    assert tram["topic"] == "tram line" and tram["server"] == "42"
    number = str(tram["id"])
    assert newsbot("follow", "remove", number)[2] == f"error: no followed topic #{number} (see `newsbot follow list`)\n"
    assert newsbot("follow", "remove", number, "--server", "42")[1] == 'unfollowed "tram line"\n'


def test_ingest_prints_an_alert_line_after_its_summary(newsbot, tmp_path):
    newsbot("follow", "add", "harbour wall storm")
    status, out, _ = newsbot("ingest", str(jsonl(tmp_path / "a.jsonl", STORM, CHOIR)[0]))
    summary, alert = out.splitlines()
    assert status == 0 and summary.startswith("Read 1 file in ") and ": 2 new," in summary
    assert alert == (f"alert: harbour wall storm · Storm breaches Port Ellis harbour wall (Coast Gazette, "
                     f'{date.today().isoformat()}) · "A storm breached the harbour wall at Port Ellis, flooding '
                     'twelve streets near the docks."')
    story = STORM | {"id": "storm-2", "url": None, "text": STORM["text"].replace("twelve", "nine")}
    report = json.loads(newsbot("ingest", "--json", str(jsonl(tmp_path / "b.jsonl", story)[0]))[1])
    assert report["duplicates"] == 1 and report["alerts"] == []  # the same story from elsewhere: told already


def test_a_feed_poll_prints_the_alerts_of_the_articles_it_stored(newsbot, site):
    newsbot("follow", "add", "tram line extension")
    newsbot("feed", "add", f"{site}/rss2.xml")
    status, out, _ = newsbot("feed", "poll", "--json")
    [alert] = json.loads(out)["alerts"]
    assert status == 0 and (alert["topic"], alert["title"]) == ("tram line extension", "Tram line extension approved")
    assert alert["text"] == "The council approved a two-kilometre extension of the northern tram line."
    assert set(alert) == {"topic", "article_id", "title", "url", "outlet", "published", "text"}


def test_watch_prints_an_alert_line_after_the_poll_that_stored_the_story(site, tmp_path):
    config = CONFIG + "[feeds]\npoll_minutes = 30.0\n"
    assert newsbot_command(tmp_path, "follow", "add", "tram line extension", config=config).returncode == 0
    assert newsbot_command(tmp_path, "feed", "add", f"{site}/rss2.xml", config=config).returncode == 0
    process = start(tmp_path, "watch", config=config)
    assert process.stdout is not None
    lines = [process.stdout.readline() for _ in range(3)]
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=30)
    assert " Polled 1 feed in " in lines[1]
    assert lines[2] == ('alert: tram line extension · Tram line extension approved (Example Gazette, 2023-03-16) · '
                        '"The council approved a two-kilometre extension of the northern tram line."\n')


def test_an_undated_alert_says_so_as_every_citation_does():
    from bot.render.alerts import alert_line
    from index import Alert

    alert = Alert(1, 1, "harbour wall storm", "cli", None, "storm", "Storm breaches the wall", None, "Coast Gazette",
                  None, "The wall broke.", "2030-05-01T10:00:00+00:00")
    assert alert_line(alert) == ('alert: harbour wall storm · Storm breaches the wall (Coast Gazette, undated) · '
                                 '"The wall broke."')

"""Followed topics over a real library on each backend (hashing embedder): which stored articles alert whom."""

import json
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from index import AnswerPolicy, EngineSettings, FollowError, Library
from index.embedder import HashingEmbedder
from index.follows.matching import ArticleText, Relevance, Topic, aboutness, best_sentence, judged, too_old
from tests.pg import pg_library, pg_url, store_settings

__all__ = ["pg_library", "pg_url", "store_settings"]  # the imported fixtures are used by name

SETTINGS = EngineSettings(policy=AnswerPolicy(min_similarity=0.1, min_similarity_without_terms=0.5))
TODAY = date.today().isoformat()
# Written for these tests: a made-up port town's storm, a copy of it, an unrelated story and an old one.
STORM = {"id": "storm", "title": "Storm breaches Port Ellis harbour wall", "published": TODAY,
         "source": "Coast Gazette",
         "url": "https://gazette.example/storm",
         "text": "The council moved 40 families to the school hall overnight. A storm breached the harbour wall at"
         " Port Ellis, flooding twelve streets near the docks. Engineers will inspect the harbour wall on Monday."}
COPY = STORM | {"id": "storm-echo", "source": "Port Ellis Echo", "url": "https://echo.example/storm"}
CHOIR = {"id": "choir", "title": "St Anne's choir sings carols", "published": TODAY, "source": "Coast Gazette",
         "text": "The choir of St Anne's school sang carols in the market square. Hundreds of people came to listen."}
OLD_STORM = {"id": "old-storm", "title": "Harbour wall storm damage", "published": "2020-01-05", "source": "Archive",
             "text": "Waves from the storm broke over the harbour wall in the night. Two boats sank at their moorings."
             " The harbour wall storm damage will cost the town a fortune, the mayor said."}


def jsonl(path: Path, *records: dict) -> list[Path]:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return [path]


@pytest.fixture
async def library(tmp_path, store_settings):
    opened = await Library.open(tmp_path / "data", HashingEmbedder(), replace(SETTINGS, store=store_settings))
    yield opened
    await opened.close()


async def test_a_story_about_the_topic_alerts_once_with_its_sentence_and_citation(library, tmp_path):
    follow = await library.follows.follow("harbour wall storm", None, "cli")
    report = await library.ingest_files(jsonl(tmp_path / "a.jsonl", STORM, CHOIR))
    [alert] = report.alerts
    assert (alert.follow_id, alert.topic, alert.target, alert.article_id) == (follow.id, "harbour wall storm", "cli",
                                                                              "storm")
    assert alert.text == "A storm breached the harbour wall at Port Ellis, flooding twelve streets near the docks."
    assert (alert.title, alert.outlet, alert.url, alert.published) == (
        STORM["title"], "Coast Gazette", STORM["url"], date.fromisoformat(TODAY))
    # The same story from another outlet is a copy: no second alert; nor is the same article stored again.
    assert (await library.ingest_files(jsonl(tmp_path / "b.jsonl", COPY))).alerts == ()
    changed = STORM | {"text": STORM["text"] + " The school hall stays open."}
    assert (await library.ingest_files(jsonl(tmp_path / "c.jsonl", changed))).alerts == ()
    assert [a.id for a in await library.follows.pending("cli")] == [alert.id]


async def test_old_articles_alert_nobody_and_undated_ones_do(library, tmp_path):
    await library.follows.follow("harbour wall storm", None, "cli")
    assert (await library.ingest_files(jsonl(tmp_path / "old.jsonl", OLD_STORM))).alerts == ()
    undated = STORM | {"id": "undated", "published": None, "url": None}
    assert [a.article_id for a in (await library.ingest_files(jsonl(tmp_path / "u.jsonl", undated))).alerts] == [
        "undated"]


async def test_follows_see_what_their_scope_sees(library, tmp_path):
    mine = await library.follows.follow("harbour wall storm", "server-1", "channel:1")
    theirs = await library.follows.follow("Harbour wall storm", "server-2", "channel:2")
    scoped = await library.ingest_files(jsonl(tmp_path / "s.jsonl", STORM), scope="server-1")
    assert [(a.follow_id, a.scope) for a in scoped.alerts] == [(mine.id, "server-1")]
    shared = await library.ingest_files(jsonl(tmp_path / "g.jsonl", STORM | {"id": "wire"}))
    assert sorted(a.follow_id for a in shared.alerts) == [mine.id, theirs.id]
    assert {a.target for a in await library.follows.pending("channel:")} == {"channel:1", "channel:2"}


async def test_removing_a_follow_stops_its_alerts(library, tmp_path):
    follow = await library.follows.follow("harbour wall storm", "server-1", "user:7")
    assert await library.follows.remove(follow.id, "server-2") is None  # another server's follow is not yours
    assert await library.follows.remove(follow.id, "server-1", "user:8") is None
    assert (await library.follows.remove(follow.id, "server-1", "user:7")) == follow
    assert (await library.ingest_files(jsonl(tmp_path / "r.jsonl", STORM), scope="server-1")).alerts == ()
    assert await library.follows.listed("server-1") == []


async def test_told_alerts_are_not_pending(library, tmp_path):
    await library.follows.follow("harbour wall storm", None, "channel:5")
    [alert] = (await library.ingest_files(jsonl(tmp_path / "a.jsonl", STORM))).alerts
    await library.follows.delivered([alert.id])
    assert await library.follows.pending("channel:") == []


@pytest.mark.parametrize(("topic", "message"), [
    ("  ", "needs some words"), ("x" * 101, "at most 100 characters"), ("what is the", "only common words"),
])
async def test_topics_that_cannot_be_followed_say_why(library, topic, message):
    with pytest.raises(FollowError, match=message):
        await library.follows.follow(topic, None, "cli")


async def test_a_topic_is_followed_once_per_target(library):
    await library.follows.follow("Harbour wall", None, "cli")
    with pytest.raises(FollowError, match="already followed"):
        await library.follows.follow("harbour   WALL", None, "cli")
    await library.follows.follow("harbour wall", None, "user:1")  # another target may
    assert [f.target for f in await library.follows.listed(None)] == ["cli", "user:1"]
    assert [f.topic for f in await library.follows.listed(None, "cli")] == ["Harbour wall"]


def unit(*values: float) -> np.ndarray:
    vector = np.array(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def test_the_rule_needs_meaning_and_the_topics_words():
    topic = Topic(1, unit(1, 0, 0), frozenset({"harbo", "wall"}))
    bars = Relevance(min_similarity=0.5, min_similarity_without_terms=0.9)
    article = ArticleText((frozenset({"harbo"}), frozenset({"choir"}), frozenset({"wall"})),
                          np.stack([unit(1, 1, 0), unit(1, 0.6, 0), unit(1, 0.5, 0)]), ((0, 3),))
    # Cosines 0.71, 0.86, 0.89: the second shares no word and is under the higher bar; the third is the closest left.
    assert best_sentence(topic, article, bars) == 2
    # No passage holds both words and no sentence clears the higher bar: not about the topic, only near it.
    apart = ArticleText(article.sentence_stems, article.embeddings, ((0, 1), (1, 2), (2, 3)))
    assert best_sentence(topic, apart, bars) is None
    # Covered, but an alert also needs the article to be about the topic at least min_aboutness likely.
    assert best_sentence(topic, article, Relevance(0.5, 0.9, min_aboutness=0.999)) is None


def test_a_story_about_the_topic_is_more_about_it_than_a_passing_mention():
    topic = Topic(1, unit(1, 0, 0), frozenset({"harbo", "wall"}))
    near, far = unit(1, 0.3, 0), unit(0, 1, 0)
    story = ArticleText((frozenset({"harbo", "wall"}), frozenset({"wall"}), frozenset({"harbo"})),
                        np.stack([near, near, near]), ((0, 3),), title_stems=frozenset({"harbo", "wall"}))
    mention = ArticleText((frozenset({"choir"}), frozenset({"carol"}), frozenset({"harbo", "wall"})),
                          np.stack([far, far, near]), ((0, 3),), title_stems=frozenset({"choir"}))
    bars = Relevance(0.5, 0.9)
    [(_, story_features), (_, mention_features)] = [judged(topic, a, bars) for a in (story, mention)]
    assert aboutness(story_features) > 0.9 and aboutness(mention_features) < 0.65
    assert best_sentence(topic, mention, Relevance(0.5, 0.9, min_aboutness=0.65)) is None
    assert best_sentence(topic, story, Relevance(0.5, 0.9, min_aboutness=0.65)) == 0


def test_the_age_window():
    stored = date(2023, 1, 10)
    assert not too_old(stored - timedelta(days=3), stored, 3) and too_old(stored - timedelta(days=4), stored, 3)
    assert not too_old(None, stored, 0)

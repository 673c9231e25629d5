"""Topic follows on real news: BBC + Reuters replayed in publication order against 20 hand-labelled topics.

Usage: python benchmarks/follow.py [--min-aboutness X ...] [--topics FILE] [--fit]

The articles are read from ../shared/data through the benchmark library cache (benchmarks/qa.py builds it the same
way, and resumes it), never copied into the project. Every stored original (copies never alert) is checked, in
publication order (the 1987 Reuters wire by date, then the undated BBC 2004-2005 stories in file order), against the
topics of benchmarks/follow_topics.jsonl with the engine's own rule (index/follows/matching.py) over the sentences
and embeddings the ingest stored. Each topic lists stories hand-labelled as ones that should alert and ones that
should not (hard negatives that share its words or its subject); three topics the corpus never covers list only
the latter, and any alert for them counts. Precision is over the labelled stories a topic alerted; recall over
those it should. The check's cost is timed on 100 follows (the 20 topics five times) per article.
Topics alternate dev (odd lines) and test (even lines): settings are chosen on dev, figures reported on both.
--fit fits the aboutness weights (index/follows/matching.py) on the dev topics' labelled stories that the summaries'
rule lets through, and the bar with the best F0.5 on dev (precision counted twice), and prints them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from qa import cache_folder, cached_library
from qa_data import news_articles
from tables import print_rows

from index import DEFAULT_MODEL, EngineSettings, load_embedder
from index.follows.matching import ArticleText, Relevance, Topic, article_text, judged, matches, topic_of
from index.ingest.sentences import make_windows
from index.store.blobs import matrix_from_blobs

TOPICS_FILE = Path(__file__).parent / "follow_topics.jsonl"
SETTINGS = EngineSettings()


@dataclass(frozen=True)
class Labelled:
    """A topic with the stories it should and should not alert on."""

    topic: str
    covered: bool
    should: frozenset[str]
    should_not: frozenset[str]
    split: str


def read_topics(path: Path, originals: dict[str, str]) -> list[Labelled]:
    """The labelled topics, alternately dev and test; a labelled copy stands for its original, which alerts for it."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]

    def stored(ids: list[str]) -> frozenset[str]:
        return frozenset(originals.get(article_id, article_id) for article_id in ids)

    return [Labelled(r["topic"], r["covered"], stored(r["should"]), stored(r["should_not"]),
                     "dev" if n % 2 == 0 else "test") for n, r in enumerate(rows)]


def copies_of(database: Path) -> dict[str, str]:
    """Each stored copy's original: copies are never checked, their original alerts in their place."""
    with closing(sqlite3.connect(database)) as db:
        return dict(db.execute("SELECT id, original_id FROM copies").fetchall())


def stored_articles(database: Path) -> list[tuple[str, ArticleText]]:
    """Every stored original with its sentences, in publication order (undated ones after, in id order)."""
    with closing(sqlite3.connect(database)) as db:
        dimension = int(db.execute("SELECT value FROM meta WHERE key = 'dimension'").fetchone()[0])
        ids = db.execute("SELECT id, title FROM articles ORDER BY published IS NULL, published, rowid").fetchall()
        found = []
        for article_id, title in ids:
            rows = db.execute("SELECT text, embedding FROM sentences WHERE article_id = ? ORDER BY position",
                              (article_id,)).fetchall()
            windows = make_windows(len(rows), SETTINGS.chunk_sentences, SETTINGS.chunk_overlap)
            embeddings = matrix_from_blobs([row[1] for row in rows], dimension)
            found.append((article_id, article_text([row[0] for row in rows], embeddings, windows, title)))
    return found


def replay(topics: list[Topic], articles: list[tuple[str, ArticleText]], bars: Relevance) -> dict[int, set[str]]:
    """The articles each topic alerts on, checking every article in order as its ingest would."""
    alerted: dict[int, set[str]] = {topic.follow_id: set() for topic in topics}
    for article_id, text in articles:
        for follow_id, _ in matches(topics, text, bars):
            alerted[follow_id].add(article_id)
    return alerted


def ms_per_article(topics: list[Topic], articles: list[tuple[str, ArticleText]], bars: Relevance) -> float:
    """Milliseconds the check takes per article for 100 follows (the topics repeated), best of three passes."""
    hundred = [Topic(n, topics[n % len(topics)].vector, topics[n % len(topics)].stems) for n in range(100)]
    sample = articles[:: max(1, len(articles) // 1000)]
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for _, text in sample:
            matches(hundred, text, bars)
        best = min(best, (time.perf_counter() - started) / len(sample))
    return 1000 * best


def topic_row(label: Labelled, alerted: set[str]) -> dict[str, str]:
    """One topic's line: its labels, its alerts, precision and recall."""
    labelled = alerted & (label.should | label.should_not)
    right = alerted & label.should
    precision = f"{len(right) / len(labelled):.2f}" if labelled else "-"
    recall = f"{len(right) / len(label.should):.2f}" if label.should else "-"
    return {"topic": label.topic, "split": label.split, "should / should not": f"{len(label.should)} / "
            f"{len(label.should_not)}", "alerts (all stories)": str(len(alerted)),
            "right / labelled alerts": f"{len(right)} / {len(labelled)}", "precision": precision, "recall": recall}


def total_row(split: str, labels: list[Labelled], alerted: dict[int, set[str]]) -> dict[str, str]:
    """Micro-averaged precision and recall over a split's covered topics, and its uncovered topics' alerts."""
    covered = [(n, label) for n, label in enumerate(labels) if label.covered and label.split in split]
    right = sum(len(alerted[n] & label.should) for n, label in covered)
    labelled = sum(len(alerted[n] & (label.should | label.should_not)) for n, label in covered)
    should = sum(len(label.should) for _, label in covered)
    uncovered = sum(len(alerted[n]) for n, label in enumerate(labels) if not label.covered and label.split in split)
    return {"topic": f"all covered topics ({split})", "split": split, "should / should not": "",
            "alerts (all stories)": f"{uncovered} for uncovered topics", "right / labelled alerts":
            f"{right} / {labelled}", "precision": f"{right / max(labelled, 1):.3f}",
            "recall": f"{right / max(should, 1):.3f}"}


def fit(labels: list[Labelled], topics: list[Topic], articles: dict[str, ArticleText], bars: Relevance) -> None:
    """Fit the aboutness weights on the dev topics' labelled stories the rule lets through; print them and the bar."""
    from sklearn.linear_model import LogisticRegression  # dev extra: only the fit needs it

    rows, answers, positives = [], [], 0
    for label, topic in zip(labels, topics, strict=True):
        if label.split != "dev":
            continue
        positives += len(label.should)
        for article_id in sorted(label.should | label.should_not):
            found = judged(topic, articles[article_id], bars) if article_id in articles else None
            if found is not None:
                rows.append(found[1])
                answers.append(article_id in label.should)
    model = LogisticRegression(max_iter=1000).fit(np.array(rows), answers)
    weights, bias = model.coef_[0], float(model.intercept_[0])
    scores = 1 / (1 + np.exp(-(np.array(rows) @ weights + bias)))
    print(f"ABOUT_WEIGHTS = np.array(({', '.join(f'{w:.3f}' for w in weights)}))\nABOUT_BIAS = {bias:.3f}")
    for bar in np.arange(0.3, 0.81, 0.05):
        chosen = scores >= bar
        right = int(np.sum(chosen & np.array(answers)))
        precision, recall = right / max(int(chosen.sum()), 1), right / positives
        f_half = 1.25 * precision * recall / max(0.25 * precision + recall, 1e-9)
        print(f"bar {bar:.2f}: dev precision {precision:.3f}, recall {recall:.3f}, F0.5 {f_half:.3f}")


async def main() -> None:
    """Replay the corpus for each setting asked for and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-aboutness", type=float, nargs="+", default=[SETTINGS.follow.min_aboutness])
    parser.add_argument("--fit", action="store_true", help="fit the aboutness weights on the dev topics")
    parser.add_argument("--topics", type=Path, default=TOPICS_FILE, help="the labelled topics (JSON lines)")
    args = parser.parse_args()
    embedder = load_embedder(DEFAULT_MODEL, 64, "cpu", None)
    folder = cache_folder("news")
    library, note = await cached_library(folder, news_articles(None), embedder)
    await library.close()
    labels = read_topics(args.topics, copies_of(folder / "newsbot.db"))
    vectors = embedder.embed([label.topic for label in labels])
    topics = [topic_of(n, label.topic, vectors[n]) for n, label in enumerate(labels)]
    articles = stored_articles(folder / "newsbot.db")
    print(f"{note}; {len(articles):,} stored originals replayed; {len(labels)} topics\n")
    policy = SETTINGS.policy
    if args.fit:
        fit(labels, topics, dict(articles), Relevance(policy.min_similarity, policy.min_similarity_without_terms))
        return
    for min_aboutness in args.min_aboutness:
        bars = Relevance(policy.min_similarity, policy.min_similarity_without_terms, min_aboutness)
        alerted = replay(topics, articles, bars)
        print(f"min_aboutness = {min_aboutness}; check: {ms_per_article(topics, articles, bars):.2f} ms per article "
              "per 100 follows\n")
        print_rows([*(topic_row(label, alerted[n]) for n, label in enumerate(labels)),
                    *(total_row(split, labels, alerted) for split in ("dev", "test", "dev test"))])
        print()


if __name__ == "__main__":
    asyncio.run(main())

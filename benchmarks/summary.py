"""Summaries measured on data in ../shared/data: single documents by ROUGE beside Lead-k, many articles by checks.

Usage: python benchmarks/summary.py [--sample N] [--only cnndm,bbc,multi]

- cnndm: 100 CNN stories (test split) with their highlights; 3 sentences each, as Lead-3. The text is
  lower-cased and tokenized, so it is split at " . " rather than by newsbot's splitter.
- bbc: BBC articles with their extractive reference summaries, split by article index into dev (even, the only
  split tuned on) and test (odd); as many sentences as 40% of the article (the references' average share).
- multi: `Library.summarize` and `Library.timeline` over the BBC + Reuters library of `benchmarks/qa.py --quick`
  (cached in ~/.cache/newsbot-bench/news-quick) for 20 topics chosen for this corpus (10 with a period of the
  dated Reuters stories); every quoted sentence is checked to be verbatim (spaces aside) in the corpus text of an
  article of the requested period, and no two sentences of one summary may have a cosine over 0.9 (re-embedded
  with the model); with the time of each call, the latest-news default and topics the corpus does not cover.
ROUGE uses the `rouge-score` package with stemming. Results go into benchmarks/RESULTS.md beside the QA parts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

import numpy as np
from qa_report import PartResult, Row, markdown_table, notes_text, update_results
from rouge_score import rouge_scorer
from summary_multi import multi_part

from index import load_embedder
from index.embedder import DEFAULT_MODEL, Embedder
from index.ingest.sentences import segment_article
from index.summaries.choosing import SummaryWeights, importance, select

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
METRICS = ("rouge1", "rouge2", "rougeL")
Document = tuple[list[str], str]  # sentences, reference summary


def cnndm_documents() -> list[Document]:
    """The 100 CNN stories and their highlights."""
    documents = []
    for line in (DATA / "cnndm_test_sample100" / "cnndm_test_mini.tsv").read_text(encoding="utf-8").splitlines():
        article, highlights = line.split("\t")
        sentences = [part.strip() + " ." for part in re.split(r" \. ", article) if part.strip()]
        documents.append((sentences, highlights))
    return documents


def bbc_documents(split: str, sample: int) -> list[Document]:
    """BBC articles of one split whose reference is made of whole sentences (coverage >= 0.95)."""
    labels = {}
    for line in (DATA / "bbc_news" / "summary_sentence_labels.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        labels[record["id"]] = record
    documents = []
    lines = (DATA / "bbc_news" / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        record = json.loads(line)
        label = labels[record["id"]]
        if record["duplicate_of"] or label["summary_char_coverage"] < 0.95 or (index % 2 == 0) != (split == "dev"):
            continue
        reference = " ".join(s for s, chosen in zip(label["sentences"], label["labels"], strict=True) if chosen)
        sentences = [segment.text for segment in segment_article(record["text"])]
        if len(sentences) >= 4:
            documents.append((sentences, reference))
    return documents[:sample]


def summarize(sentences: Sequence[str], vectors: np.ndarray, length: int) -> str:
    """newsbot's single-document summary: its chosen sentences in article order."""
    weights = SummaryWeights()
    scores = importance(sentences, vectors, list(range(len(sentences))), np.zeros(len(sentences)), weights)
    return " ".join(sentences[i] for i in sorted(select(sentences, vectors, scores, length, weights)))


def rouge_rows(part: str, split: str, documents: list[Document], embedder: Embedder,
               length: Callable[[Sequence[str]], int], baselines: dict[str, str]) -> list[Row]:
    """ROUGE F1 of newsbot and of Lead-k over the documents."""
    scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)
    ours, lead = [], []
    for sentences, reference in documents:
        k = length(sentences)
        ours.append(scorer.score(reference, summarize(sentences, embedder.embed(sentences), k)))
        lead.append(scorer.score(reference, " ".join(sentences[:k])))
    rows = []
    for metric in METRICS:
        figure = 100 * np.mean([score[metric].fmeasure for score in ours])
        lead_figure = 100 * np.mean([score[metric].fmeasure for score in lead])
        rows.append(Row(part, split, len(documents), f"{metric} F1", f"{figure:.1f}",
                        f"Lead-k {lead_figure:.1f} (same scorer){baselines.get(metric, '')}", "beat Lead-k"))
    return rows


def cnndm_part(embedder: Embedder) -> PartResult:
    """ROUGE on the CNN/DM sample."""
    started = time.monotonic()
    cnn = PartResult("summary-cnndm", "summary: CNN/DailyMail sample", rows=rouge_rows(
        "CNN/DM test sample, 3 sentences", "test", cnndm_documents(), embedder, lambda s: 3,
        {"rouge1": " · full test set: Lead-3 40.4, TextRank ~33, BertSumExt 43.3"}),
        notes=["lower-cased tokenized text split at ' . '"])
    cnn.seconds = time.monotonic() - started
    return cnn


def bbc_part(sample: int, embedder: Embedder) -> PartResult:
    """ROUGE on BBC articles against their extractive references."""
    started = time.monotonic()
    bbc = PartResult("summary-bbc", "summary: BBC extractive references", notes=[
        "articles whose reference covers >= 95% of its characters with whole sentences"])
    for split in ("dev", "test"):
        bbc.rows += rouge_rows("BBC News, 40% of sentences", split, bbc_documents(split, sample), embedder,
                               lambda s: max(1, round(0.4 * len(s))), {})
    bbc.seconds = time.monotonic() - started
    return bbc


def main() -> None:
    """Run, print the table and update benchmarks/RESULTS.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=300, help="BBC articles per split (default 300)")
    parser.add_argument("--only", default="cnndm,bbc,multi", help="parts to run (default: cnndm,bbc,multi)")
    args = parser.parse_args()
    parts = set(args.only.split(","))
    embedder = load_embedder(DEFAULT_MODEL, 64, "cpu", None)
    results = ([cnndm_part(embedder)] if "cnndm" in parts else []) + \
        ([bbc_part(args.sample, embedder)] if "bbc" in parts else []) + \
        ([asyncio.run(multi_part(embedder))] if "multi" in parts else [])
    stamp = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    command = " ".join(["python benchmarks/summary.py", *sys.argv[1:]])
    print(markdown_table([row for result in results for row in result.rows]))
    print(f"\n{notes_text(results)}")
    update_results(results, stamp, command)


if __name__ == "__main__":
    main()

"""Train the pair reader (index/answers/model) on SQuAD v1.1 tuning articles, CPU only, and export it to ONNX int8.

Usage: python benchmarks/train_reader.py [--questions 6000] [--epochs 1] [--out index/answers/model]

Only SQuAD (CC BY-SA 4.0) trains the reader, and only its tuning articles (even index in the dev file;
benchmarks/qa.py reports the odd ones as test). WikiQA, TrecQA, BBC, Reuters and CNN/DailyMail are research-only
and never train anything shipped. The start is the packaged all-MiniLM-L6-v2 transformer (Apache-2.0) with a new
one-logit head. Each question gives a group: its gold sentence, then hard negatives, the near misses a reader must
refuse: the sentences of the tuning articles that the real library ranks highest for it without holding any of
its answers, and other sentences of its own paragraph. The loss is a softmax over the group (rank the answer first)
plus a logistic loss per pair (a probability to abstain on). Four tuning articles are held out to check the
reader on articles it never saw. Steps are cached in ~/.cache/newsbot-bench: the pairs, then the trained model.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from qa import CACHE, SEED, cache_folder, cached_library
from qa_data import SquadQuestion, load_squad
from reader_export import export_reader

from index import AnswerPolicy, load_embedder
from index.answers.reading import passage_text
from index.embedder import DEFAULT_MODEL, resolve_model_path
from index.ingest.sentences import segment_article

NEGATIVES = 7  # each group: the gold sentence and this many sentences that do not answer
RETRIEVED_NEGATIVES = 4  # of them, the highest-ranked retrieved (the rest: the gold paragraph's own sentences)
HELD_OUT_ARTICLES = 4  # tuning articles kept out of training, to check on unseen articles
MAX_TOKENS = 160
GROUPS_PER_STEP = 4
LEARNING_RATE = 4e-5
WARMUP_SHARE = 0.1


@dataclass(frozen=True)
class Group:
    """One training question: its text and its candidates' reader texts, the answering one first."""

    question: str
    passages: list[str]
    article: str  # the SQuAD title, to hold whole articles out


def paragraph_sentences(squad_articles: list) -> dict[str, list[str]]:
    """Each paragraph id's sentences, split as the library splits them."""
    return {a.id: [s.text for s in segment_article(a.text)] for a in squad_articles}


def reader_text(paragraph: str, sentence: str, sentences: dict[str, list[str]], title: str) -> str:
    """A sentence of a paragraph as the reader sees it (with the sentence before it when it leans on it)."""
    own = sentences[paragraph]
    index = own.index(sentence) if sentence in own else -1
    return passage_text(sentence, title, own[index - 1] if index > 0 else None)


def answers_in(text: str, question: SquadQuestion) -> bool:
    """Whether a sentence holds any of the question's answers (then it is no negative, whatever the label says)."""
    lowered = text.lower()
    return any(answer.lower() in lowered for answer in question.answers if answer)


async def build_groups(count: int) -> list[Group]:
    """Groups for `count` SQuAD tuning questions, with hard negatives from the real library's ranking."""
    squad = load_squad()
    tuning_titles = {q.paragraph_id.rsplit("/", 1)[0] for q in squad.questions if q.split == "dev"}
    tuning = {a.id for a in squad.articles if a.title in tuning_titles}
    sentences = paragraph_sentences(squad.articles)
    titles = {a.id: a.title for a in squad.articles}
    questions = [q for q in squad.questions if q.split == "dev"]
    random.Random(SEED).shuffle(questions)
    embedder = load_embedder(DEFAULT_MODEL, 64, "cpu", None)
    # The first stage alone: the reader learns from the mistakes it makes, not from its own.
    library, _ = await cached_library(cache_folder("squad"), squad.articles, embedder,
                                      policy=AnswerPolicy(reader="none"))
    chooser = random.Random(SEED)
    groups = []
    try:
        for number, question in enumerate(questions[:count]):
            ranked = [c for _, c in (await library.rank(question.question)).scored]
            # Never a test article's sentence, not even as a negative.
            retrieved = [(c.article_id, c.text) for c in ranked if c.article_id in tuning]
            own = [(question.paragraph_id, s) for s in sentences[question.paragraph_id]]
            wrong = [pair for pair in dict.fromkeys(retrieved) if not answers_in(pair[1], question)
                     and pair[1] != question.sentence]
            siblings = [pair for pair in own if pair not in wrong and pair[1] != question.sentence
                        and not answers_in(pair[1], question)]
            chosen = wrong[:RETRIEVED_NEGATIVES]
            chosen += chooser.sample(siblings, min(len(siblings), NEGATIVES - len(chosen)))
            chosen += [pair for pair in wrong[RETRIEVED_NEGATIVES:] if pair not in chosen][:NEGATIVES - len(chosen)]
            if len(chosen) < NEGATIVES:
                continue
            pairs = [(question.paragraph_id, question.sentence), *chosen]
            passages = [reader_text(p, s, sentences, titles[p]) for p, s in pairs]
            groups.append(Group(question.question, passages, titles[question.paragraph_id]))
            if number % 500 == 499:
                print(f"{number + 1:,} questions read, {len(groups):,} groups", flush=True)
    finally:
        await library.close()
    return groups


def held_out_titles() -> set[str]:
    """The tuning articles the reader never trains on: its check here, and dev questions for tune_reader.py."""
    titles = sorted({q.paragraph_id.rsplit("/", 1)[0] for q in load_squad().questions if q.split == "dev"})
    return set(random.Random(SEED).sample(titles, HELD_OUT_ARTICLES))


def cached_groups(count: int) -> list[Group]:
    """The training groups, built once and kept in the benchmark cache."""
    path = CACHE / f"reader-groups-{count}.jsonl"
    if not path.exists():
        groups = asyncio.run(build_groups(count))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(json.dumps(asdict(g)) + "\n" for g in groups), encoding="utf-8")
    return [Group(**json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines()]


def group_loss(logits: torch.Tensor) -> torch.Tensor:
    """Softmax cross-entropy (answer first in each group) plus per-pair logistic loss, groups as rows."""
    labels = torch.zeros_like(logits)
    labels[:, 0] = 1.0
    listwise = torch.nn.functional.cross_entropy(logits, torch.zeros(len(logits), dtype=torch.long))
    pointwise = torch.nn.functional.binary_cross_entropy_with_logits(logits, labels)
    return listwise + pointwise


def group_logits(model: torch.nn.Module, tokenizer: object, groups: list[Group]) -> torch.Tensor:
    """The reader's logit for every pair of the groups, one row per group."""
    questions = [g.question for g in groups for _ in g.passages]
    passages = [p for g in groups for p in g.passages]
    batch = tokenizer(questions, passages, truncation="only_second", max_length=MAX_TOKENS,  # type: ignore[operator]
                      padding=True, return_tensors="pt")
    return model(**batch).logits.view(len(groups), -1)


def train(groups: list[Group], epochs: int, folder: Path) -> None:
    """Fine-tune the packaged MiniLM with a one-logit head on the groups and save it to `folder`."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, get_linear_schedule_with_warmup

    torch.manual_seed(SEED)
    base = resolve_model_path(DEFAULT_MODEL)
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = AutoModelForSequenceClassification.from_pretrained(base, num_labels=1)
    optimizer = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE, weight_decay=0.01)
    steps = epochs * (len(groups) // GROUPS_PER_STEP)
    schedule = get_linear_schedule_with_warmup(optimizer, int(WARMUP_SHARE * steps), steps)
    model.train()
    started, step = time.monotonic(), 0
    for epoch in range(epochs):
        order = list(groups)
        random.Random(SEED + epoch).shuffle(order)
        for start in range(0, len(order) - GROUPS_PER_STEP + 1, GROUPS_PER_STEP):
            loss = group_loss(group_logits(model, tokenizer, order[start:start + GROUPS_PER_STEP]))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            step += 1
            if step % 50 == 0:
                print(f"step {step:,}/{steps:,} loss {loss.item():.3f} {time.monotonic() - started:,.0f}s", flush=True)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)


def first_place(folder: Path, groups: list[Group]) -> float:
    """Share of groups whose answer the trained reader puts first among its negatives."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModelForSequenceClassification.from_pretrained(folder).eval()
    hits = []
    with torch.no_grad():
        for start in range(0, len(groups), 8):
            logits = group_logits(model, tokenizer, groups[start:start + 8])
            hits.extend((logits.argmax(dim=1) == 0).tolist())
    return float(np.mean(hits))


def main() -> None:
    """Build the groups, train, check on held-out articles, export."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=6_000, help="SQuAD tuning questions to read")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "index/answers/model")
    args = parser.parse_args()
    groups = cached_groups(args.questions)
    held_out = held_out_titles()
    training = [g for g in groups if g.article not in held_out]
    checking = [g for g in groups if g.article in held_out]
    print(f"{len(training):,} training groups; {len(checking):,} held out ({', '.join(sorted(held_out))})")
    folder = CACHE / f"reader-trained-{args.questions}-{args.epochs}"
    if not (folder / "config.json").exists():
        train(training, args.epochs, folder)
    print(f"held-out answer first among {NEGATIVES + 1}: {first_place(folder, checking):.3f}")
    export_reader(folder, args.out, MAX_TOKENS)


if __name__ == "__main__":
    main()

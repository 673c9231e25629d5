"""Readers of the evaluation data in ../shared/data and benchmarks/questions (read at run time, never copied)."""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from pathlib import Path

from qa_metrics import parse_qrels, sentence_containing, sentence_spans

from index import Article
from index.ingest.files import article_from_record
from index.ingest.sentences import segment_article

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
QUESTIONS = Path(__file__).resolve().parent / "questions"
SQUAD_FILE = DATA / "squad_v1.1_dev" / "dev-v1.1.json.gz"
WIKIQA = DATA / "wikiqa"
TRECQA = DATA / "trecqa"
BBC_FILE = DATA / "bbc_news" / "articles.jsonl"
REUTERS_FILE = DATA / "reuters21578" / "reuters21578_test.jsonl"
UNANSWERABLE_FILE = QUESTIONS / "unanswerable.txt"
# "# --- False premises: the event asked about never happened ... ---" -> "false premises"
_KIND_HEADING = re.compile(r"^# --- ([^:(]+)")
ANSWERABLE_FILE = QUESTIONS / "answerable.jsonl"


@dataclass(frozen=True)
class RankingQuestion:
    """A question with its candidate sentences and their 0/1 labels (answer sentence selection)."""

    question: str
    sentences: tuple[str, ...]
    labels: tuple[int, ...]
    title: str = ""  # the title of the page the sentences come from (WikiQA has one; TrecQA does not)
    in_order: bool = False  # the sentences are one page's, in order (WikiQA), so each has real neighbours


@dataclass(frozen=True)
class SquadQuestion:
    """A SQuAD question with the stored sentence of its paragraph that holds the first answer."""

    question: str
    paragraph_id: str
    sentence: str
    split: str  # "dev": an article with even index in the file; "test": odd
    answers: tuple[str, ...] = ()  # every answer the annotators gave (the gold sentence holds the first)


@dataclass(frozen=True)
class SquadSet:
    """Every SQuAD dev paragraph as an article, the questions with a gold sentence, and how many had none."""

    articles: list[Article]
    questions: list[SquadQuestion]
    crossing: int  # answers spanning two sentences, left out


@dataclass(frozen=True)
class UnanswerableQuestion:
    """A news question no article answers, its split, and its kind (near miss, false premise, ...)."""

    question: str
    split: str
    kind: str


@dataclass(frozen=True)
class AnswerableQuestion:
    """A news question, the article that answers it and a short answer its answering sentence holds verbatim."""

    question: str
    article_id: str
    answer: str
    split: str


def load_squad() -> SquadSet:
    """Every paragraph as an article "<title>/<paragraph index>", and each question's gold sentence."""
    with gzip.open(SQUAD_FILE, "rt", encoding="utf-8") as file:
        data = json.load(file)["data"]
    articles, questions, crossing = [], [], 0
    for index, entry in enumerate(data):
        split = "dev" if index % 2 == 0 else "test"
        for number, paragraph in enumerate(entry["paragraphs"]):
            paragraph_id = f"{entry['title']}/{number}"
            context = paragraph["context"]
            articles.append(Article(id=paragraph_id, title=entry["title"], text=context, source="Wikipedia"))
            sentences = [segment.text for segment in segment_article(context)]
            spans = sentence_spans(context, sentences)
            for qa in paragraph["qas"]:
                gold = _gold_sentence(spans, qa["answers"][0])
                if gold is None:
                    crossing += 1
                else:
                    answers = tuple(dict.fromkeys(answer["text"].strip() for answer in qa["answers"]))
                    questions.append(SquadQuestion(qa["question"], paragraph_id, sentences[gold], split, answers))
    return SquadSet(articles, questions, crossing)


def _gold_sentence(spans: list[tuple[int, int]], answer: dict) -> int | None:
    """The index of the sentence holding the answer span (spaces around the answer ignored)."""
    text = answer["text"]
    start = answer["answer_start"] + len(text) - len(text.lstrip())
    return sentence_containing(spans, start, start + len(text.strip()))


def wikiqa_questions(split: str) -> list[RankingQuestion]:
    """The questions of a WikiQA split kept by the official filtered qrels, labelled by those qrels."""
    grouped: dict[str, tuple[str, list[str], str]] = {}
    with open(WIKIQA / f"WikiQA-{split}.tsv", encoding="utf-8", newline="") as file:
        next(file)
        for line in file:
            qid, question, _, title, _, sentence, _ = line.rstrip("\r\n").split("\t")
            grouped.setdefault(qid, (question, [], title))[1].append(sentence)
    ordered = list(grouped.values())  # qrels number the questions 1.. in file order
    with open(WIKIQA / f"WikiQA-{split}-filtered.ref", encoding="utf-8") as file:
        qrels = parse_qrels(file)
    questions = []
    for qid, judged in qrels.items():
        question, sentences, title = ordered[int(qid) - 1]
        labels = tuple(judged.get(docno, 0) for docno in range(len(sentences)))
        questions.append(RankingQuestion(question, tuple(sentences), labels, title, in_order=True))
    return questions


def trecqa_questions(split: str) -> list[RankingQuestion]:
    """The questions of a TrecQA split (lower-cased, tokenized), candidates grouped by question id."""
    folder = TRECQA / split
    columns = [(folder / name).read_text(encoding="utf-8").splitlines()
               for name in ("id.txt", "a.toks", "b.toks", "sim.txt")]
    grouped: dict[str, tuple[str, list[str], list[int]]] = {}
    for qid, question, sentence, label in zip(*columns, strict=True):
        entry = grouped.setdefault(qid, (question, [], []))
        entry[1].append(sentence)
        entry[2].append(int(label))
    return [RankingQuestion(q, tuple(sentences), tuple(labels)) for q, sentences, labels in grouped.values()]


def news_articles(limit: int | None) -> list[Article]:
    """BBC (without exact duplicates) then Reuters articles, each outlet cut to its first `limit`."""
    return _bbc_articles()[:limit] + _reuters_articles()[:limit]


def _bbc_articles() -> list[Article]:
    """BBC articles as `bbc/<category>/<number>` (no dates or URLs in this corpus), without exact duplicates."""
    with open(BBC_FILE, encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines]
    return [article_from_record({"id": f"bbc/{r['id']}", "title": r["title"], "text": r["text"],
                                 "source": "BBC News"}, "bbc")
            for r in records if not r["duplicate_of"]]


def _reuters_articles() -> list[Article]:
    """Dated Reuters wire stories from 1987 as `reuters/<newid>`; the few with an empty body are left out."""
    with open(REUTERS_FILE, encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines]
    return [article_from_record({"id": f"reuters/{r['newid']}", "title": r["title"].title(), "text": r["body"],
                                 "published": r["date"].split("#")[0], "source": "Reuters"}, "reuters")
            for r in records if r["body"].strip()]


def news_article_id(reference: str) -> str:
    """The library id of a question file's article: a BBC id like business/001, or a Reuters newid."""
    return f"reuters/{reference}" if reference.isdigit() else f"bbc/{reference}"


def unanswerable_questions() -> list[UnanswerableQuestion]:
    """The questions of unanswerable.txt with their split (dev and test alternate) and the kind their heading names."""
    questions: list[UnanswerableQuestion] = []
    kind = ""
    for line in UNANSWERABLE_FILE.read_text(encoding="utf-8").splitlines():
        text = line.strip()
        if heading := _KIND_HEADING.match(text):
            kind = heading.group(1).removesuffix("---").strip().lower()
        elif text and not text.startswith("#"):
            questions.append(UnanswerableQuestion(text, "dev" if len(questions) % 2 == 0 else "test", kind))
    return questions


def answerable_questions() -> list[AnswerableQuestion]:
    """The questions of answerable.jsonl with the id of the article that answers each."""
    records = [json.loads(line) for line in ANSWERABLE_FILE.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [AnswerableQuestion(r["q"], news_article_id(str(r["article"])), r["answer"], r["split"]) for r in records]

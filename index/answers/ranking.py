"""The second ranking stage: what each candidate sentence offers the question, and a learned score (pure)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import date, timedelta

import numpy as np

from index.models import Candidate
from index.settings import AnswerPolicy
from index.text import RANKING_STOPWORDS, words

_NUMBERS = re.compile(r"\d[\d,.]*|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|dozen|hundred|thousand"
                      r"|million|billion)\b")
_DATES = re.compile(
    r"\b(?:1\d{3}|20\d\d)s?\b|\b(?:January|February|March|April|May|June|July|August|September|October|November"
    r"|December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|yesterday|today|century)\b")
_YEARS = re.compile(r"\b(?:1[89]\d\d|20\d\d)\b")
_NAMES = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][a-z]+")
_WANTS_DATE = re.compile(r"^when\b|\b(?:what|which) (?:year|date|day|month|century|decade)\b")
_WANTS_NUMBER = re.compile(r"\bhow (?:many|much|long|old|far|large|big|tall|high)\b"
                           r"|\bwhat (?:percentage|number|amount)\b")
_WANTS_NAME = re.compile(r"^(?:who|whom|whose)\b")
# Five letters join most inflections and derivations ("Ukraine"/"Ukrainian", "drones"/"drone") without a stemmer.
_STEM = 5

FEATURES = ("similarity", "lexical", "passage", "neighbour_similarity", "article_similarity", "coverage",
            "context_coverage", "answer_type", "length")
# A listwise logistic regression over 3,000 SQuAD v1.1 dev questions (CC BY-SA 4.0) of the articles held out for
# tuning (2,840 with their answer among the candidates), each against every candidate the library retrieved:
# `python benchmarks/train_ranker.py` reproduces it (all 5,099 such questions give weights within 0.13 of these).
RANKER_WEIGHTS = np.array((3.352, 0.835, 2.905, 0.707, 4.345, 3.187, 4.035, 1.644, 0.289))
# Logistic regression of "the library answers this" on confidence_signals, fitted on the dev halves of
# benchmarks/questions over all of BBC + Reuters: `python benchmarks/calibrate_abstention.py` reproduces it.
# No signal grows with the library, as BM25 does: the same bar serves one article and thousands.
CONFIDENCE_WEIGHTS = np.array((2.546, -3.138, -1.820))
CONFIDENCE_BIAS = -0.096
# The same with the pair reader's log-odds for the best candidate as a fourth signal (the reader on), fitted the same
# way with the shipped reader at reader_depth 4: `python benchmarks/calibrate_abstention.py`.
READER_CONFIDENCE_WEIGHTS = np.array((0.990, -1.346, -1.691, 0.505))
READER_CONFIDENCE_BIAS = 0.175


def stems(text: str) -> list[str]:
    """The content words of a text, lower-cased and cut to a common stem, in order."""
    lowered = (w.lower() for w in words(text))
    return [w[:_STEM] for w in lowered if w not in RANKING_STOPWORDS]


def term_weights(terms: Sequence[str], texts: Sequence[set[str]]) -> dict[str, float]:
    """Each question term's weight: the rarer among the candidates, the more telling (a smoothed IDF)."""
    count = len(texts)
    return {t: math.log(1.0 + (count + 1) / (1 + sum(t in words for words in texts))) for t in terms}


def coverage(weights: Mapping[str, float], words: set[str]) -> float:
    """The weighted share of the question's terms found in `words`."""
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if t in words) / total if total else 0.0


def answer_type_match(question: str, sentence: str) -> float:
    """1.0 when the sentence holds what the question asks for (a number, a date, a name) beyond the question's own."""
    lead = " ".join(question.lower().split()[:3])
    if _WANTS_DATE.search(lead):
        found = _DATES.findall(sentence)
    elif _WANTS_NUMBER.search(lead):
        found = _NUMBERS.findall(sentence)
    elif _WANTS_NAME.search(lead):
        found = _NAMES.findall(sentence)
    else:
        return 0.5  # no expectation: neither helps nor hurts
    asked = set(words(question))
    return float(any(token not in asked for token in found))


def neighbours(candidates: Sequence[Candidate]) -> list[list[int]]:
    """For each candidate, the indexes of the candidates just before and after it in its article."""
    where = {(c.article_id, c.position): i for i, c in enumerate(candidates)}
    return [[where[key] for key in ((c.article_id, c.position - 1), (c.article_id, c.position + 1)) if key in where]
            for c in candidates]


def candidate_features(question: str, candidates: Sequence[Candidate], titles: Mapping[str, str]) -> np.ndarray:
    """One row per candidate, one column per FEATURES entry."""
    words = [set(stems(c.text)) for c in candidates]
    weights = term_weights(list(dict.fromkeys(stems(question))), words)
    beside = neighbours(candidates)
    best_in_article: dict[str, float] = {}
    for c in candidates:
        best_in_article[c.article_id] = max(best_in_article.get(c.article_id, -1.0), c.similarity)
    rows = []
    for i, c in enumerate(candidates):
        # A sentence is read with its title and neighbours: "It fell 3%" answers when they name the company.
        context = words[i].union(stems(titles.get(c.article_id, "")), *(words[j] for j in beside[i]))
        rows.append((
            c.similarity, c.lexical / 10.0, c.passage,
            max((candidates[j].similarity for j in beside[i]), default=0.0), best_in_article[c.article_id],
            coverage(weights, words[i]), coverage(weights, context),
            answer_type_match(question, c.text), math.log1p(len(words[i])),
        ))
    return np.asarray(rows, dtype=np.float64).reshape(len(candidates), len(FEATURES))


def _freshness(published: date | None, newest: date | None, half_life_days: float) -> float:
    """1.0 for the newest candidate's date, halving every half-life before it; 0.0 for undated sentences."""
    if published is None or newest is None or half_life_days <= 0:
        return 0.0
    return 0.5 ** ((newest - published).days / half_life_days)


def in_period(published: date | None, period: tuple[date, date] | None, grace_days: int) -> bool:
    """Whether an article appeared in the period a question names, or within the grace days after it."""
    if published is None or period is None:
        return False
    return period[0] <= published <= period[1] + timedelta(days=grace_days)


def score_candidates(question: str, candidates: Sequence[Candidate], titles: Mapping[str, str],
                     policy: AnswerPolicy, period: tuple[date, date] | None = None) -> list[tuple[float, Candidate]]:
    """Each candidate with its learned score, plus bonuses for newer articles and the period the question names."""
    if not candidates:
        return []
    learned = candidate_features(question, candidates, titles) @ RANKER_WEIGHTS
    newest = max((c.published for c in candidates if c.published), default=None)
    scored = []
    for score, candidate in zip(learned.tolist(), candidates, strict=True):
        score += policy.recency_weight * _freshness(candidate.published, newest, policy.recency_half_life_days)
        if in_period(candidate.published, period, policy.period_grace_days):
            score += policy.period_weight
        scored.append((score, candidate))
    scored.sort(key=lambda pair: (-pair[0], pair[1].sentence_id))
    return scored


def confidence_signals(question: str, scored: Sequence[tuple[float, Candidate]],
                       titles: Mapping[str, str]) -> np.ndarray:
    """The best candidate's cosine, the weighted share of the question its article's sentences leave out, and 1.0
    when the question names a year that article neither mentions nor was published in."""
    best = scored[0][1]
    weights = term_weights(list(dict.fromkeys(stems(question))), [set(stems(c.text)) for _, c in scored])
    article_texts = [titles.get(best.article_id, ""), *(c.text for _, c in scored if c.article_id == best.article_id)]
    article_words = set().union(*(stems(text) for text in article_texts))
    known_years = set(_YEARS.findall(" ".join(article_texts)))
    if best.published:
        known_years.add(str(best.published.year))
    missing_year = bool(set(_YEARS.findall(question)) - known_years)
    return np.array((best.similarity, 1.0 - coverage(weights, article_words), float(missing_year)))


def confidence(question: str, scored: Sequence[tuple[float, Candidate]], titles: Mapping[str, str],
               reading: float | None = None) -> float:
    """How likely the best candidate answers the question at all (0-1), from its closeness and what it leaves out,
    and above all from the reader's log-odds for it when the reader read it."""
    if not scored:
        return 0.0
    signals = confidence_signals(question, scored, titles)
    if reading is None:
        logit = signals @ CONFIDENCE_WEIGHTS + CONFIDENCE_BIAS
    else:
        logit = np.append(signals, reading) @ READER_CONFIDENCE_WEIGHTS + READER_CONFIDENCE_BIAS
    return float(1.0 / (1.0 + math.exp(-logit)))

"""Choose the sentences that answer a question, or abstain (pure functions over dataclasses)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np

from index.errors import EngineError
from index.models import Answer, ArticleInfo, Candidate, Citation, Quote
from index.settings import AnswerPolicy
from index.text import WORD, one_line, words

__all__ = ["AnswerPolicy", "QuestionError", "build_answer", "check_question", "nearest_articles", "needs_context",
           "on_topic", "with_context"]

# A sentence opening on a pronoun or a linking word leans on the one before it ("He said ...", "But it fell").
_LEANS_BACK = re.compile(r"^[\"'\u201c\u2018(]?(?:he|she|they|it|its|his|her|their|this|that|these|those|but|however|"
                         r"also|and|yet|still|instead|such)\b", re.IGNORECASE)
# An attribution to a bare pronoun: '"We will not give up," he said.'
_PRONOUN_SPEAKER = re.compile(r"\b(?:(?:he|she|they) (?:said|says|added|told|claimed|warned|noted|insisted)|"
                              r"(?:said|added|says) (?:he|she|they))\b", re.IGNORECASE)


class QuestionError(EngineError, ValueError):
    """The question cannot be searched for (empty, only punctuation, too long)."""


def check_question(question: str, max_chars: int) -> str:
    """Return the question stripped, or raise QuestionError saying why it cannot be asked."""
    text = one_line(question)
    if not text:
        raise QuestionError("the question is empty")
    if len(text) > max_chars:
        raise QuestionError(f"the question is {len(text):,} characters long; the limit is {max_chars:,}")
    if not WORD.search(text):
        raise QuestionError("the question has no words to search for")
    return text


def _words(text: str) -> set[str]:
    """Lower-cased words of a sentence."""
    return {w.lower() for w in words(text)}


def _repeats(text: str, chosen: Sequence[Candidate]) -> bool:
    """True when `text` says nearly the same words as a sentence already chosen."""
    words = _words(text)
    for other in chosen:
        other_words = _words(other.text)
        union = words | other_words
        if union and len(words & other_words) / len(union) > 0.7:
            return True
    return False


def on_topic(candidate: Candidate, min_similarity: float, min_similarity_without_terms: float) -> bool:
    """Close enough in meaning to quote (in answers and summaries alike), closer still when it shares no word."""
    return bool(close_enough(candidate.similarity, candidate.lexical > 0, min_similarity, min_similarity_without_terms))


def close_enough(similarity: np.ndarray | float, shares_words: np.ndarray | bool, min_similarity: float,
                 min_similarity_without_terms: float) -> np.ndarray | bool:
    """The relevance bar of answers, summaries and follows, for one sentence or many at once: the lower bar with a
    word of the question or topic, the higher one without."""
    return similarity >= np.where(shares_words, min_similarity, min_similarity_without_terms)


def select_sentences(scored: Sequence[tuple[float, Candidate]], policy: AnswerPolicy) -> list[tuple[float, Candidate]]:
    """The best sentence, plus up to max_sentences-1 others nearly as likely and not repeating it."""
    bars = policy.min_similarity, policy.min_similarity_without_terms
    relevant = [(score, c) for score, c in scored if on_topic(c, *bars)]
    if not relevant:
        return []
    best_score = relevant[0][0]
    chosen: list[tuple[float, Candidate]] = []
    for score, candidate in relevant:
        # Scores are log-odds of answering: their difference says how much less likely this sentence is.
        if len(chosen) == policy.max_sentences or math.exp(score - best_score) < policy.companion_likelihood:
            break
        if not _repeats(candidate.text, [c for _, c in chosen]):
            chosen.append((score, candidate))
    return chosen


def cite(
    chosen: Sequence[tuple[float, Candidate]], articles: Mapping[str, ArticleInfo]
) -> tuple[tuple[Quote, ...], tuple[Citation, ...]]:
    """Number the sources in order of first quotation and point each quote at its number."""
    numbers: dict[str, int] = {}
    citations: list[Citation] = []
    quotes: list[Quote] = []
    for score, candidate in chosen:
        info = articles[candidate.article_id]
        if candidate.article_id not in numbers:
            numbers[candidate.article_id] = len(numbers) + 1
            citations.append(info.citation(numbers[candidate.article_id], info.also_reported))
        # info.id, not candidate.article_id: a scope's article is stored under "<scope>/<id>", shown as <id>.
        quotes.append(Quote(text=candidate.text, source=numbers[candidate.article_id], article_id=info.id,
                            score=round(score, 4), sentence_id=candidate.sentence_id))
    return tuple(quotes), tuple(citations)


def build_answer(question: str, scored: Sequence[tuple[float, Candidate]], confidence: float,
                 articles: Mapping[str, ArticleInfo], policy: AnswerPolicy, read: bool = False) -> Answer:
    """Quote the best 1-3 sentences with their sources, or abstain and say why (`read`: the reader judged them)."""
    if not scored:
        return Answer(question=question, quotes=(), sources=(), reason="no article mentions anything like this")
    bar = policy.min_confidence if read else policy.min_confidence_without_reader
    chosen = select_sentences(scored, policy) if confidence >= bar else []
    if not chosen:
        return Answer(question=question, quotes=(), sources=(),
                      reason="the articles do not answer this closely enough to quote",
                      nearest=nearest_articles(scored, articles))
    quotes, sources = cite(chosen, articles)
    return Answer(question=question, quotes=quotes, sources=sources)


def nearest_articles(scored: Sequence[tuple[float, Candidate]], articles: Mapping[str, ArticleInfo],
                     limit: int = 3) -> tuple[Citation, ...]:
    """The articles of the best-scored sentences, best first: what the library has nearest a question."""
    seen: dict[str, Citation] = {}
    for _, candidate in scored:
        info = articles.get(candidate.article_id)
        if info is not None and candidate.article_id not in seen:
            # Without their copies: these are pointers to what the library covers, not sources of a quote.
            seen[candidate.article_id] = info.citation(len(seen) + 1)
        if len(seen) == limit:
            break
    return tuple(seen.values())


def needs_context(text: str) -> bool:
    """Whether a sentence needs the one before it to be understood (who "he" is, what "it" was)."""
    return bool(_LEANS_BACK.search(text) or _PRONOUN_SPEAKER.search(text))


def with_context(answer: Answer, previous: Mapping[int, str]) -> Answer:
    """The answer with each quote that needs it preceded by its article's previous sentence (unless quoted too)."""
    quoted = {quote.text for quote in answer.quotes}
    quotes = []
    for quote in answer.quotes:
        before = previous.get(quote.sentence_id)
        if before is not None and before not in quoted and needs_context(quote.text):
            quote = replace(quote, context=before)
        quotes.append(quote)
    return replace(answer, quotes=tuple(quotes))

"""Choose the sentences that answer a question, or abstain (pure functions over dataclasses)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from index.models import Answer, ArticleInfo, Candidate, Citation, Quote

_WORD = re.compile(r"\w+", re.UNICODE)


class QuestionError(ValueError):
    """The question cannot be searched for (empty, only punctuation, too long)."""


@dataclass(frozen=True)
class AnswerPolicy:
    """How candidate sentences are scored and how many are quoted."""

    max_sentences: int = 3
    min_similarity: float = 0.35
    # A sentence sharing no content word with the question must be this close to be quoted alone.
    min_similarity_without_terms: float = 0.55
    relative_cutoff: float = 0.8
    # Weights chosen on the dev splits of SQuAD (corpus-wide), WikiQA and TrecQA: see benchmarks/RESULTS.md.
    similarity_weight: float = 1.0
    lexical_weight: float = 0.5
    lexical_scale: float = 10.0
    passage_weight: float = 0.4
    # Newer articles win near-ties: a bonus halving every recency_half_life_days before the newest candidate.
    recency_weight: float = 0.05
    recency_half_life_days: float = 30.0
    max_question_chars: int = 1000
    # Keep each question, whether answered, and what was quoted: /stats' coverage gaps and feedback need it.
    log_questions: bool = True


def check_question(question: str, max_chars: int) -> str:
    """Return the question stripped, or raise QuestionError saying why it cannot be asked."""
    text = " ".join(question.split())
    if not text:
        raise QuestionError("the question is empty")
    if len(text) > max_chars:
        raise QuestionError(f"the question is {len(text):,} characters long; the limit is {max_chars:,}")
    if not _WORD.search(text):
        raise QuestionError("the question has no words to search for")
    return text


def score_candidates(candidates: Sequence[Candidate], policy: AnswerPolicy) -> list[tuple[float, Candidate]]:
    """Score each candidate: closeness in meaning, shared words (BM25) and its passage's rank."""
    newest = max((c.published for c in candidates if c.published), default=None)
    scored = []
    for candidate in candidates:
        # Raw BM25, not scaled to the best candidate: a weak best match must not count as a strong one.
        score = (
            policy.similarity_weight * candidate.similarity
            + policy.lexical_weight * candidate.lexical / policy.lexical_scale
            + policy.passage_weight * candidate.passage
            + policy.recency_weight * _freshness(candidate.published, newest, policy.recency_half_life_days)
        )
        scored.append((score, candidate))
    scored.sort(key=lambda pair: (-pair[0], pair[1].sentence_id))
    return scored


def _freshness(published: date | None, newest: date | None, half_life_days: float) -> float:
    """1.0 for the newest candidate's date, halving every half-life before it; 0.0 for undated sentences."""
    if published is None or newest is None or half_life_days <= 0:
        return 0.0
    return 0.5 ** ((newest - published).days / half_life_days)


def _is_relevant(candidate: Candidate, policy: AnswerPolicy) -> bool:
    """A sentence may be quoted only if it is close in meaning, closer still when it shares no word."""
    if candidate.lexical > 0:
        return candidate.similarity >= policy.min_similarity
    return candidate.similarity >= policy.min_similarity_without_terms


def _words(text: str) -> set[str]:
    """Lower-cased words of a sentence."""
    return {w.lower() for w in _WORD.findall(text)}


def _repeats(text: str, chosen: Sequence[Candidate]) -> bool:
    """True when `text` says nearly the same words as a sentence already chosen."""
    words = _words(text)
    for other in chosen:
        other_words = _words(other.text)
        union = words | other_words
        if union and len(words & other_words) / len(union) > 0.7:
            return True
    return False


def select_sentences(scored: Sequence[tuple[float, Candidate]], policy: AnswerPolicy) -> list[tuple[float, Candidate]]:
    """The best relevant sentence, plus up to max_sentences-1 others scoring near it and not repeating it."""
    relevant = [(score, c) for score, c in scored if _is_relevant(c, policy)]
    if not relevant:
        return []
    best_score = relevant[0][0]
    chosen: list[tuple[float, Candidate]] = []
    for score, candidate in relevant:
        if len(chosen) == policy.max_sentences or score < best_score * policy.relative_cutoff:
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
            citations.append(Citation(n=numbers[candidate.article_id], article_id=info.id, title=info.title,
                                      url=info.url, source=info.source, published=info.published))
        # info.id, not candidate.article_id: a scope's article is stored under "<scope>/<id>", shown as <id>.
        quotes.append(Quote(text=candidate.text, source=numbers[candidate.article_id], article_id=info.id,
                            score=round(score, 4), sentence_id=candidate.sentence_id))
    return tuple(quotes), tuple(citations)


def build_answer(
    question: str, candidates: Sequence[Candidate], articles: Mapping[str, ArticleInfo], policy: AnswerPolicy
) -> Answer:
    """Quote the best 1-3 sentences with their sources, or abstain and say why."""
    if not candidates:
        return Answer(question=question, quotes=(), sources=(), reason="no article mentions anything like this")
    chosen = select_sentences(score_candidates(candidates, policy), policy)
    if not chosen:
        return Answer(question=question, quotes=(), sources=(),
                      reason="the articles do not answer this closely enough to quote")
    quotes, sources = cite(chosen, articles)
    return Answer(question=question, quotes=quotes, sources=sources)

"""What the pair reader reads, and how its verdicts rerank candidates and decide abstention (pure functions)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from index.answers.selection import needs_context
from index.models import ArticleInfo, Candidate

Scored = list[tuple[float, Candidate]]

# Between the sentence, its article's title and the sentence before it: plain text, so any tokenizer reads it.
SEPARATOR = " | "
# A read candidate's score: the reader's log-odds plus this share of its first-stage score (chosen on dev questions).
FIRST_STAGE_WEIGHT = 1.0
# Log-odds between the last read candidate and the first unread one: e^10, so no companion quote is unread.
UNREAD_GAP = 10.0


@dataclass(frozen=True)
class Ranking:
    """What `ask` weighs for a question: the candidates scored best first, the learned first stage's own order, the
    articles they come from with their titles, and the reader's log-odds for those it read."""

    scored: Scored
    first_stage: Scored
    articles: dict[str, ArticleInfo]
    titles: dict[str, str]
    read: dict[int, float] = field(default_factory=dict)  # sentence id -> the reader's log-odds

    def best_reading(self) -> float | None:
        """The reader's log-odds for the best candidate; None when the reader is off or did not read it."""
        return self.read.get(self.scored[0][1].sentence_id) if self.scored else None


def passage_text(sentence: str, title: str, previous: str | None) -> str:
    """The second half of a reader pair: the sentence first (truncation cuts context, never it), then what it
    leans on: its title, and the sentence before it when it opens on a pronoun or a linking word."""
    parts = [sentence, title.strip()]
    if previous and needs_context(sentence):
        parts.append(previous)
    return SEPARATOR.join(part for part in parts if part)


def reader_passages(candidates: Sequence[Candidate], titles: Mapping[str, str],
                    previous: Mapping[int, str]) -> list[str]:
    """The reader's text for each candidate, in order."""
    return [passage_text(c.text, titles.get(c.article_id, ""), previous.get(c.sentence_id)) for c in candidates]


def rerank(scored: Sequence[tuple[float, Candidate]], logits: Sequence[float], first_stage_weight: float,
           boosts: Sequence[float] = ()) -> Scored:
    """The first len(logits) candidates rescored as the reader's log-odds plus a share of their first-stage score
    (plus any boost), best first, ahead of the rest (which the reader did not read) in their first-stage order."""
    extra = list(boosts) or [0.0] * len(logits)
    read = [(float(logit) + first_stage_weight * score + boost, candidate)
            for logit, boost, (score, candidate) in zip(logits, extra, scored, strict=False)]
    read.sort(key=lambda pair: (-pair[0], pair[1].sentence_id))
    floor = read[-1][0] if read else 0.0
    # The unread keep their order, far below every read one (the first stage put them below all those), so none is
    # quoted beside a read sentence as "nearly as likely".
    rest = [(floor - UNREAD_GAP - index, candidate) for index, (_, candidate) in enumerate(scored[len(read):])]
    return read + rest


"""The abstention part's figures: questions declined or answered right, per split and kind, and ask latency."""

from __future__ import annotations

from collections.abc import Sequence

from qa_data import AnswerableQuestion, UnanswerableQuestion
from qa_metrics import mean, percentile
from qa_report import Row

from index import Answer


def abstention_rows(part: str, refused: Sequence[tuple[UnanswerableQuestion, Answer]],
                    answered: Sequence[tuple[AnswerableQuestion, Answer]]) -> list[Row]:
    """Share of unanswerable questions abstained (all, and by kind); of answerable ones answered, and answered
    right, per split."""
    rows = []
    for split in ("dev", "test"):
        declined = [answer.abstained for question, answer in refused if question.split == split]
        rows.append(Row(part, f"unanswerable {split}", len(declined), "abstained", f"{mean(declined):.1%}",
                        target="≥ 85%" if split == "test" else ""))
        for kind in dict.fromkeys(question.kind for question, _ in refused):
            declined = [a.abstained for q, a in refused if (q.split, q.kind) == (split, kind)]
            target = "≥ 50%" if (split, kind) == ("test", "near misses") else ""
            rows.append(Row(part, f"unanswerable {split}: {kind}", len(declined), "abstained",
                            f"{mean(declined):.1%}", target=target))
    for split in ("dev", "test"):
        pairs = [(q, a) for q, a in answered if q.split == split]
        rows.append(Row(part, f"answerable {split}", len(pairs), "answered",
                        f"{mean(not a.abstained for _, a in pairs):.1%}", target="≥ 92%" if split == "test" else ""))
        rows.append(Row(part, f"answerable {split}", len(pairs), "answered correctly",
                        f"{mean(is_correct(q, a) for q, a in pairs):.1%}", target="≥ 70%" if split == "test" else ""))
    return rows


def latency_rows(part: str, seconds: Sequence[float]) -> list[Row]:
    """Median, 95th and 99th percentile of the question times, in milliseconds."""
    return [Row(part, "all questions above", len(seconds), "p50 ms", f"{percentile(seconds, 0.5) * 1000:.0f}",
                target="≤ 150"),
            Row(part, "all questions above", len(seconds), "p95 ms", f"{percentile(seconds, 0.95) * 1000:.0f}",
                target="≤ 300"),
            Row(part, "all questions above", len(seconds), "p99 ms", f"{percentile(seconds, 0.99) * 1000:.0f}")]


def is_correct(question: AnswerableQuestion, answer: Answer) -> bool:
    """True when the first quote comes from the question's article and holds its answer."""
    first = answer.quotes[0] if answer.quotes else None
    return first is not None and first.article_id == question.article_id and question.answer in first.text

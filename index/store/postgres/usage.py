"""The PostgreSQL store's usage log: the questions asked, votes on their answers, and what they add up to per scope."""

from __future__ import annotations

from collections.abc import Sequence

from index.models import Usage
from index.store.clock import timestamp
from index.store.postgres.database import Queries, changed, moment


class UsageLog(Queries):
    """Questions and feedback, kept beside the articles in the library's database."""

    async def record_question(self, question: str, scope: str | None, abstained: bool, top_score: float | None,
                              sentence_ids: Sequence[int]) -> int:
        """Log one asked question and what was quoted; return its id."""
        # question_key groups a question's spellings in usage(): PostgreSQL 16 has no casefold() to do it there.
        return int(await self._value(
            "INSERT INTO questions(asked_at, scope, question, question_key, abstained, top_score, sentence_ids)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            moment(timestamp()), scope, question, question.casefold(), abstained, top_score, list(sentence_ids)))

    async def record_feedback(self, question_id: int, user_hash: str, vote: int, scope: str | None) -> bool:
        """Store a user's vote (+1 or -1) on an answer, replacing their earlier one; False unless the scope asked it."""
        if isinstance(vote, bool) or vote not in (1, -1):
            raise ValueError(f"a vote is +1 or -1, not {vote!r}")
        # A question id is a plain number a front end was handed back: one of another scope's is not rated here.
        # One statement, so the question cannot go between the check and the vote.
        status = await self._execute(
            "INSERT INTO feedback(question_id, user_hash, vote, created_at) SELECT id, $3, $4, $5 FROM questions"
            " WHERE id = $1 AND scope IS NOT DISTINCT FROM $2::text"
            " ON CONFLICT (question_id, user_hash)"
            " DO UPDATE SET vote = excluded.vote, created_at = excluded.created_at",
            question_id, scope, user_hash, vote, moment(timestamp()))
        return changed(status) > 0

    async def usage(self, scope: str | None = None, gaps: int = 5) -> Usage:
        """Counts over the questions asked in a scope (None: asked without one), and its latest unanswered ones."""
        async with self._transaction(read_only=True):
            [(questions, abstained, helpful, unhelpful)] = await self._all(
                "WITH asked AS (SELECT id, abstained FROM questions WHERE scope IS NOT DISTINCT FROM $1::text)"
                " SELECT (SELECT count(*) FROM asked), (SELECT count(*) FROM asked WHERE abstained),"
                " (SELECT count(*) FROM feedback f JOIN asked ON asked.id = f.question_id WHERE f.vote = 1),"
                " (SELECT count(*) FROM feedback f JOIN asked ON asked.id = f.question_id WHERE f.vote = -1)", scope)
            # Distinct regardless of case; each shown as it was last asked.
            rows = await self._all(
                "SELECT question FROM (SELECT DISTINCT ON (question_key) question, id FROM questions"
                " WHERE scope IS NOT DISTINCT FROM $1::text AND abstained ORDER BY question_key, id DESC) latest"
                " ORDER BY id DESC LIMIT $2", scope, gaps)
        return Usage(questions=questions, abstained=abstained, helpful=helpful, unhelpful=unhelpful,
                     gaps=tuple(r[0] for r in rows))

"""The store's usage log: the questions asked, votes on their answers, and what they add up to per scope."""

from __future__ import annotations

import json
from collections.abc import Sequence

from index.models import Usage
from index.store.clock import timestamp
from index.store.sqlite.database import Queries, inserted_id


class UsageLog(Queries):
    """Questions and feedback, kept beside the articles so a library's data directory holds everything."""

    async def record_question(self, question: str, scope: str | None, abstained: bool, top_score: float | None,
                              sentence_ids: Sequence[int]) -> int:
        """Log one asked question and what was quoted; return its id."""
        async with self._transaction():
            cursor = await self._db.execute(
                "INSERT INTO questions(asked_at, scope, question, abstained, top_score, sentence_ids)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (timestamp(), scope, question, int(abstained), top_score, json.dumps(list(sentence_ids))),
            )
            return inserted_id(cursor)

    async def record_feedback(self, question_id: int, user_hash: str, vote: int, scope: str | None) -> bool:
        """Store a user's vote (+1 or -1) on an answer, replacing their earlier one; False unless the scope asked it."""
        if isinstance(vote, bool) or vote not in (1, -1):
            raise ValueError(f"a vote is +1 or -1, not {vote!r}")
        async with self._transaction():
            # A question id is a plain number a front end was handed back: one of another scope's is not rated here.
            if await self._one("SELECT 1 FROM questions WHERE id = ? AND scope IS ?", (question_id, scope)) is None:
                return False
            await self._db.execute(
                "INSERT INTO feedback(question_id, user_hash, vote, created_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(question_id, user_hash) DO UPDATE SET vote = excluded.vote,"
                " created_at = excluded.created_at",
                (question_id, user_hash, vote, timestamp()),
            )
        return True

    async def usage(self, scope: str | None = None, gaps: int = 5) -> Usage:
        """Counts over the questions asked in a scope (None: asked without one), and its latest unanswered ones."""
        questions, abstained = await self._row(
            "SELECT count(*), coalesce(sum(abstained), 0) FROM questions WHERE scope IS ?", (scope,))
        helpful, unhelpful = await self._row(
            "SELECT coalesce(sum(f.vote = 1), 0), coalesce(sum(f.vote = -1), 0)"
            " FROM feedback f JOIN questions q ON q.id = f.question_id WHERE q.scope IS ?",
            (scope,),
        )
        # Distinct regardless of case; each shown as it was last asked.
        rows = await self._all(
            "SELECT question, max(id) FROM questions WHERE scope IS ? AND abstained = 1"
            " GROUP BY casefold(question) ORDER BY max(id) DESC LIMIT ?",
            (scope, gaps),
        )
        return Usage(questions=questions, abstained=abstained, helpful=helpful, unhelpful=unhelpful,
                     gaps=tuple(r[0] for r in rows))

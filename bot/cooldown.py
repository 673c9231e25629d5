"""Per-user rate limits for questions and summaries (pure logic, tested without Discord)."""

from __future__ import annotations

from collections import deque

from bot.wording import plural


class Cooldown:
    """Allow each user `rate` questions in any window of `per` seconds."""

    def __init__(self, rate: int, per: float) -> None:
        self.rate = rate
        self.per = per
        self._uses: dict[int, deque[float]] = {}

    def retry_after(self, user_id: int, now: float) -> float:
        """Seconds the user must wait, or 0.0 when the question may go ahead (and is then counted)."""
        if self.rate <= 0:
            return 0.0
        uses = self._uses.setdefault(user_id, deque())
        while uses and now - uses[0] >= self.per:
            uses.popleft()
        if len(uses) >= self.rate:
            return self.per - (now - uses[0])
        uses.append(now)
        self._forget_idle(now)
        return 0.0

    def _forget_idle(self, now: float) -> None:
        """Drop users with no use inside the window, so memory stays bounded on a busy bot."""
        if len(self._uses) > 10_000:
            self._uses = {user: uses for user, uses in self._uses.items() if uses and now - uses[-1] < self.per}


def wait_message(seconds: float) -> str:
    """The polite private note for someone asking faster than the cooldown allows."""
    return f"You're asking quickly! Please wait {plural(round(seconds), 'more second')}."

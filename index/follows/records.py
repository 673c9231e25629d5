"""A followed topic and an alert it made, as the store keeps them and the front ends show them; a bot's shards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from index.text import one_line


@dataclass(frozen=True)
class Follow:
    """A topic followed in a scope, for a target its front end names ("cli", "channel:1", "user:2")."""

    id: int
    topic: str
    scope: str | None
    target: str
    created_at: str


def topic_key(topic: str) -> str:
    """A topic as the store compares it for "already followed": case-folded, its spaces tidied."""
    return one_line(topic).casefold()


@dataclass(frozen=True)
class Alert:
    """A stored article about a followed topic: the sentence most about it, verbatim, with what a citation needs."""

    id: int
    follow_id: int
    topic: str
    target: str
    scope: str | None
    article_id: str  # as its users know it, without the scope
    title: str
    url: str | None
    outlet: str | None
    published: date | None
    text: str
    created_at: str


@dataclass(frozen=True)
class Shards:
    """The Discord shards one bot process runs, of `count` in all: a guild is on shard (guild id >> 22) % count."""

    ids: frozenset[int]
    count: int

    def __post_init__(self) -> None:
        """Refuse shards no bot can run, in one line."""
        if self.count < 1:
            raise ValueError(f"the shard count is at least 1, not {self.count}")
        if not self.ids:
            raise ValueError("a process runs at least one shard")
        if outside := sorted(shard for shard in self.ids if not 0 <= shard < self.count):
            raise ValueError(f"shard ids go from 0 to {self.count - 1} with {self.count} shards, "
                             f"so not {', '.join(map(str, outside))}")

    def holds(self, guild_id: int) -> bool:
        """Whether a guild is on one of these shards, by Discord's rule."""
        return (guild_id >> 22) % self.count in self.ids

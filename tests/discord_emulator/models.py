"""World-state records the emulator keeps: users, guilds, channels, requests and interactions."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from typing import Any

import discord

DISCORD_EPOCH_MS = 1420070400000

VIEW_CHANNEL = 1 << 10
MANAGE_GUILD = 1 << 5
EVERYONE_PERMISSIONS = (
    (1 << 0) | (1 << 6) | VIEW_CHANNEL | (1 << 11) | (1 << 14) | (1 << 15) | (1 << 16) | (1 << 18)
    | (1 << 20) | (1 << 21) | (1 << 26) | (1 << 31) | (1 << 35) | (1 << 36) | (1 << 38)
)
BOT_PERMISSIONS = EVERYONE_PERMISSIONS | (1 << 13) | (1 << 34)
ALL_PERMISSIONS = discord.Permissions.all().value

# Interaction callback types that are a final visible answer on their own.
FINAL_CALLBACKS = frozenset({4, 7})
FORUM = 15
DEFERRED_CALLBACKS = frozenset({5, 6})


class SnowflakeFactory:
    """Generates increasing time-based snowflakes ((ms - epoch) << 22 | counter)."""

    def __init__(self) -> None:
        self._counter = 0
        self._last = 0

    def __call__(self) -> int:
        """Return the next unique snowflake."""
        self._counter = (self._counter + 1) & 0xFFF
        value = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22 | self._counter
        self._last = max(value, self._last + 1)
        return self._last


@dataclass
class User:
    """A Discord user (the bot or a human)."""

    id: int
    name: str
    bot: bool = False


@dataclass
class Role:
    """A guild role; the @everyone role has the guild's id."""

    id: int
    name: str
    permissions: int
    position: int = 0


@dataclass
class Member:
    """A user's membership in one guild."""

    user: User
    guild_id: int
    role_ids: list[int] = field(default_factory=list)
    joined_at: str = "2024-01-01T00:00:00+00:00"

    @property
    def id(self) -> int:
        """The member's user id."""
        return self.user.id

    @property
    def name(self) -> str:
        """The member's user name."""
        return self.user.name


@dataclass
class Channel:
    """A guild channel: text (type 0) or forum (type 15, whose threads are its posts)."""

    id: int
    guild_id: int
    name: str
    type: int = 0
    position: int = 0
    parent_id: int | None = None


@dataclass
class DMChannel(Channel):
    """A direct-message channel (type 1) between the bot and one user; it has no guild (guild_id 0)."""

    type: int = 1
    recipient: User | None = None


@dataclass
class Thread(Channel):
    """A thread channel (type 11 public, 12 private) whose parent is a text channel, or a forum's post."""

    type: int = 11
    owner_id: int = 0
    auto_archive_duration: int = 1440
    created_at: str = ""


@dataclass
class Guild:
    """A guild with its roles, channels, members and threads."""

    id: int
    name: str
    owner_id: int
    roles: list[Role] = field(default_factory=list)
    channels: list[Channel] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)
    threads: list[Thread] = field(default_factory=list)

    def permissions_of(self, member: Member) -> int:
        """Effective guild-level permissions of a member (owner gets all)."""
        if member.id == self.owner_id:
            return ALL_PERMISSIONS
        value = 0
        for role in self.roles:
            if role.id == self.id or role.id in member.role_ids:
                value |= role.permissions
        return ALL_PERMISSIONS if value & (1 << 3) else value

    def member(self, user_id: int) -> Member | None:
        """The member with this user id, if any."""
        return next((m for m in self.members if m.id == user_id), None)


@dataclass
class RecordedRequest:
    """One REST request the bot made, as the emulator saw it."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    headers: dict[str, str]
    files: list[tuple[str, bytes]] = field(default_factory=list)
    status: int = 0


@dataclass
class Interaction:
    """An interaction the emulator dispatched, and everything the bot answered to it."""

    id: int
    token: str
    type: int
    payload: dict[str, Any]
    created_at: float
    responses: list[dict[str, Any]] = field(default_factory=list)
    followups: list[dict[str, Any]] = field(default_factory=list)
    original: dict[str, Any] | None = None
    edits: int = 0
    _done: asyncio.Event = field(default_factory=asyncio.Event, repr=False)

    @property
    def acknowledged(self) -> bool:
        """Whether a callback was accepted."""
        return bool(self.responses)

    def update_done(self) -> None:
        """Mark the interaction done once it has a final visible answer."""
        types = {r.get("type") for r in self.responses}
        if types & FINAL_CALLBACKS or (types & DEFERRED_CALLBACKS and (self.edits or self.followups)):
            self._done.set()

    async def wait_done(self, timeout: float = 10) -> Interaction:
        """Wait until the bot gave a final visible answer (4/7, or 5/6 then edit or followup)."""
        try:
            await asyncio.wait_for(self._done.wait(), timeout)
        except TimeoutError:
            answered = f"responses={self.responses} followups={len(self.followups)} edits={self.edits}"
            raise AssertionError(f"interaction {self.id} not answered in {timeout}s; {answered}") from None
        return self


class Waiter:
    """Lets coroutines wait for a predicate over emulator state, re-checked on every notify()."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        """Wake every waiter so it re-checks its predicate."""
        self._event.set()
        self._event = asyncio.Event()

    async def wait_for(self, predicate: Any, timeout: float, what: str) -> Any:
        """Return predicate()'s first truthy value, or raise AssertionError after timeout seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not (result := predicate()):
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"timed out after {timeout}s waiting for {what}")
            event = self._event
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)
        return result

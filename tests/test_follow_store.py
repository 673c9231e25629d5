"""The store's follows on both backends (SQLite, PostgreSQL): the same records in the same order, Discord's shards
filtered, and alerts held by one bot process for a lease so that another of the same shards leaves them alone."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import AsyncIterator
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path

import asyncpg
import pytest

from index import Alert, Follow, Shards
from index.store.postgres.database import Database, moment
from index.store.postgres.follows import FollowStore as PgFollowStore
from index.store.protocols import FollowsPart
from index.store.scopes import scoped_id
from index.store.sqlite.schema import MIGRATIONS
from index.store.sqlite.store import Store
from tests.pg import pg_library, pg_url

__all__ = ["pg_library", "pg_url"]  # the imported fixtures are used by name

STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00")
LEASE = timedelta(minutes=2)
T0 = "2030-05-01T10:00:00+00:00"


class Backend:
    """One library on one backend: handles on its follows (each another process's view), and articles put in by
    hand, since the follows part only points at them."""

    def __init__(self, kind: str, path: Path, url: str | None) -> None:
        self.kind, self._path, self._url = kind, path, url
        self._closers: list = []

    async def follows(self) -> FollowsPart:
        """A new handle on the library's follows: its own connection (SQLite) or pool (PostgreSQL)."""
        if self._url is None:
            store = await Store.open(self._path)
            self._closers.append(store.close)
            return store.follows
        database = await Database.connect(self._url, "test", 3)
        self._closers.append(database.close)
        return PgFollowStore(database)

    async def article(self, article_id: str, scope: str | None = None, published: date | None = None) -> str:
        """Store an article's row (no sentences: alerts only show its citation); its stored id."""
        stored = scoped_id(article_id, scope)
        title, url, outlet = f"Story {article_id}", f"https://gazette.example/{article_id}", "Coast Gazette"
        if self._url is None:
            with closing(sqlite3.connect(self._path)) as db:
                db.execute("INSERT INTO articles(id, title, url, source, published, content_hash, ingested_at, scope)"
                           " VALUES (?, ?, ?, ?, ?, 'h', ?, ?)",
                           (stored, title, url, outlet, published and published.isoformat(), T0, scope))
                db.commit()
        else:
            await self._sql("INSERT INTO articles(id, title, url, source, published, content_hash, ingested_at, scope,"
                            " search_key) VALUES ($1, $2, $3, $4, $5, 'h', $6, $7, '')",
                            stored, title, url, outlet, published, moment(T0), scope)
        return stored

    async def remove_article(self, stored_id: str) -> None:
        """Delete an article's row, as removing it does."""
        if self._url is None:
            with closing(sqlite3.connect(self._path)) as db:
                db.execute("DELETE FROM articles WHERE id = ?", (stored_id,))
                db.commit()
        else:
            await self._sql("DELETE FROM articles WHERE id = $1", stored_id)

    async def _sql(self, sql: str, *params: object) -> None:
        connection = await asyncpg.connect(self._url)
        try:
            await connection.execute(sql, *params)
        finally:
            await connection.close()

    async def close(self) -> None:
        for close in reversed(self._closers):
            await close()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest) -> str | None:
    """Each backend in turn: None for SQLite, then a PostgreSQL database of the test's own."""
    return None if request.param == "sqlite" else request.getfixturevalue("pg_library")


@pytest.fixture
async def backend(store_url: str | None, tmp_path: Path) -> AsyncIterator[Backend]:
    opened = Backend("sqlite" if store_url is None else "postgresql", tmp_path / "newsbot.db", store_url)
    yield opened
    await opened.close()


def guild_on(shard: int, count: int, n: int = 0) -> str:
    """A guild id (as a scope) that Discord's formula puts on `shard` of `count`."""
    return str(((1_000_000 + n) * count + shard) << 22 | 7)


async def alerts_for(backend: Backend, follows: FollowsPart, targets: list[tuple[str | None, str]]) -> list[Alert]:
    """One follow per (scope, target), each alerted by an article of its scope."""
    found = []
    for n, (scope, target) in enumerate(targets):
        follow = await follows.add("harbour wall storm", scope, target)
        assert follow is not None
        found.append((follow.id, await backend.article(f"story-{target}", scope), f"Sentence {n}."))
    return await follows.record(found)


async def test_follows_are_added_once_listed_and_removed_alike(backend):
    follows = await backend.follows()
    first = await follows.add("  Harbour   wall storm ", "111", "channel:5")
    assert first == Follow(1, "Harbour wall storm", "111", "channel:5", first.created_at)
    assert STAMP.fullmatch(first.created_at)
    assert await follows.add("harbour WALL storm", "111", "channel:5") is None  # the same topic, told apart by case
    assert (await follows.add("harbour wall storm", "111", "user:9")).id == 3  # a refused repeat spends a number
    assert (await follows.add("harbour wall storm", "222", "channel:5")).id == 4
    cli = await follows.add("storm", None, "cli")
    assert cli is not None and cli.id == 5
    assert await follows.add("Storm", None, "cli") is None  # the operator's library follows a topic once too
    assert [f.id for f in await follows.listed("111")] == [1, 3]
    assert [f.id for f in await follows.listed("111", "user:9")] == [3]
    assert [f.id for f in await follows.listed(None)] == [5]
    assert [f.id for f in await follows.watching(None)] == [1, 3, 4, 5]
    assert [f.id for f in await follows.watching("222")] == [4]
    assert await follows.remove(1, "222") is None  # another scope's
    assert await follows.remove(1, "111", "user:9") is None  # another target's
    assert await follows.remove(1, "111", "channel:5") == first
    assert await follows.remove(5, None) == cli
    assert [f.id for f in await follows.watching(None)] == [3, 4]


async def test_alerts_are_recorded_once_and_read_with_their_citation(backend):
    follows = await backend.follows()
    follow = await follows.add("harbour wall storm", "111", "channel:5")
    other = await follows.add("harbour wall storm", None, "cli")
    stored = await backend.article("storm", "111", published=date(2030, 5, 1))
    undated = await backend.article("wire")
    made = await follows.record([(follow.id, stored, "A storm breached the wall."),
                                 (follow.id, stored, "Another sentence of it."),  # the same pair: the first counts
                                 (other.id, undated, "Waves.")])
    assert made == [
        Alert(1, follow.id, "harbour wall storm", "channel:5", "111", "storm", "Story storm",
              "https://gazette.example/storm", "Coast Gazette", date(2030, 5, 1), "A storm breached the wall.",
              made[0].created_at),
        Alert(3, other.id, "harbour wall storm", "cli", None, "wire", "Story wire", "https://gazette.example/wire",
              "Coast Gazette", None, "Waves.", made[0].created_at)]
    assert STAMP.fullmatch(made[0].created_at)
    assert await follows.record([(follow.id, stored, "Again.")]) == []  # whichever worker stores it again
    assert (await follows.record([(follow.id, undated, "Waves.")]))[0].id == 5  # the repeats spent numbers
    await follows.remove(other.id, None)
    assert await follows.record([(other.id, stored, "Too late.")]) == []  # a follow removed since the check
    assert [a.id for a in await follows.pending("")] == [1, 5]


async def test_pending_alerts_by_target_kind_oldest_first_until_told(backend):
    follows = await backend.follows()
    made = await alerts_for(backend, follows, [("1", "channel:1"), ("1", "user:2"), ("1", "channel:3"),
                                               (None, "cli")])
    assert [a.target for a in await follows.pending("channel:")] == ["channel:1", "channel:3"]
    assert [a.target for a in await follows.pending("user:")] == ["user:2"]
    assert [a.id for a in await follows.pending("")] == [a.id for a in made]
    assert [a.id for a in await follows.pending("", limit=2)] == [made[0].id, made[1].id]
    await follows.delivered([made[0].id])
    assert [a.target for a in await follows.pending("channel:")] == ["channel:3"]
    await backend.remove_article(scoped_id("story-channel:3", "1"))  # an alert of a removed article has nothing to tell
    assert await follows.pending("channel:") == []


async def test_with_shards_only_the_alerts_of_their_guilds_are_pending(backend):
    follows = await backend.follows()
    scopes = [guild_on(shard, 4, n) for n in range(2) for shard in range(4)]
    odd = [None, "server-1", "9999999999999999999", "99999999999999999999", "12a"]
    made = await alerts_for(backend, follows, [(scope, f"channel:{n}") for n, scope in enumerate(scopes + odd)])
    shards = Shards(frozenset({1, 3}), 4)
    # Guild ids only; 19 digits past 2^63 - 1 read as 2^63 - 1 (shard 3 of 4), as SQLite's CAST reads them.
    expected = [a.id for a in made if a.scope in scopes and shards.holds(int(a.scope))] + [made[-3].id]
    assert [a.id for a in await follows.pending("channel:", shards=shards)] == expected
    assert len(expected) == 5
    assert [a.scope for a in await follows.pending("channel:", shards=Shards(frozenset({0}), 1))] == [
        *scopes, "9999999999999999999"]  # one shard of one: every guild
    assert len(await follows.pending("channel:")) == len(made)  # no shards: every follow's


async def test_a_lease_keeps_taken_alerts_from_other_takers_until_it_ends_or_they_are_let_go(backend):
    first, second = await backend.follows(), await backend.follows()  # two processes of the same shards
    made = await alerts_for(backend, first, [("1", "channel:1"), ("1", "channel:2")])
    ids = [a.id for a in made]
    assert [a.id for a in await first.pending("channel:", lease=LEASE, now=T0)] == ids
    assert await second.pending("channel:", lease=LEASE, now="2030-05-01T10:01:59+00:00") == []
    assert [a.id for a in await second.pending("channel:")] == ids  # a listing shows them, held or not
    newer = await alerts_for(backend, first, [("1", "user:3")])
    assert [a.id for a in await second.pending("", lease=LEASE, now="2030-05-01T10:01:00+00:00")] == [newer[0].id]
    # The first lease has ended; the second holds the newer alert until 10:03.
    assert [a.id for a in await second.pending("", lease=LEASE, now="2030-05-01T10:02:00+00:00")] == ids
    assert await first.pending("", lease=LEASE, now="2030-05-01T10:02:30+00:00") == []
    await second.release([ids[0], newer[0].id])
    await second.delivered([newer[0].id])
    assert [a.id for a in await first.pending("", lease=LEASE, now="2030-05-01T10:02:30+00:00")] == [ids[0]]


async def test_two_takers_at_once_share_the_alerts_out_without_overlap(backend):
    first, second = await backend.follows(), await backend.follows()
    made = await alerts_for(backend, first, [("1", f"channel:{n}") for n in range(6)])
    both = await asyncio.gather(first.pending("channel:", 4, lease=LEASE, now=T0),
                                second.pending("channel:", 4, lease=LEASE, now=T0))
    taken = [a.id for alerts in both for a in alerts]
    assert sorted(taken) == [a.id for a in made]  # every alert taken, none twice


async def test_a_take_cancelled_as_it_starts_leaves_the_library_writable(tmp_path):
    store = await Store.open(tmp_path / "newsbot.db")
    try:
        taking = asyncio.create_task(store.follows.pending("channel:", lease=LEASE))
        await asyncio.sleep(0)  # the task has handed BEGIN to the connection's thread
        taking.cancel()
        with pytest.raises(asyncio.CancelledError):
            await taking
        assert await store.follows.add("harbour wall storm", "1", "channel:1") is not None
    finally:
        await store.close()


async def test_a_library_made_before_leases_gets_them(tmp_path):
    path = tmp_path / "newsbot.db"
    with closing(sqlite3.connect(path)) as db:
        for script in MIGRATIONS[:8]:
            db.executescript(script)
        db.execute("PRAGMA user_version = 8")
        db.execute("INSERT INTO articles(id, title, content_hash, ingested_at) VALUES ('a', 'A', 'h', ?)", (T0,))
        db.execute("INSERT INTO follows(scope, target, topic, key, created_at) VALUES ('1', 'channel:1', 't', 't', ?)",
                   (T0,))
        db.execute("INSERT INTO alerts(follow_id, article_id, text, created_at) VALUES (1, 'a', 'Told.', ?)", (T0,))
        db.commit()
    store = await Store.open(path)
    try:
        assert [a.text for a in await store.follows.pending("channel:", lease=LEASE, now=T0)] == ["Told."]
        assert await store.follows.pending("channel:", lease=LEASE, now=T0) == []
    finally:
        await store.close()


def test_discords_shard_formula():
    assert Shards(frozenset({1}), 4).holds(5 << 22) and not Shards(frozenset({1}), 4).holds(6 << 22)
    assert Shards(frozenset({0}), 2).holds(175928847299117063)  # (175928847299117063 >> 22) % 2 == 0
    assert Shards(frozenset({0}), 1).holds((1 << 22) - 1)  # the low 22 bits never count
    with pytest.raises(ValueError, match="shard ids go from 0 to 1 with 2 shards, so not 2, 5"):
        Shards(frozenset({0, 2, 5}), 2)
    with pytest.raises(ValueError, match="the shard count is at least 1, not 0"):
        Shards(frozenset({0}), 0)
    with pytest.raises(ValueError, match="at least one shard"):
        Shards(frozenset(), 2)

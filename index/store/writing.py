"""How a batch of articles is written, whichever backend: the order of the steps, over each backend's statements."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

from index.ingest.duplicates import Copy, Links, Signed
from index.models import PreparedArticle
from index.store.clock import timestamp
from index.store.scopes import scoped_id

# The store's delete of an article of a scope (and of any older version under a url): returns their chunk ids.
Delete = Callable[[str, str | None, str | None], Awaitable[list[int]]]


class CopyLinks(ABC):
    """Applying an ingest's or a removal's changes to the near-duplicate groups, over a backend's statements."""

    async def apply(self, links: Links, scope: str | None, now: str, delete: Delete) -> list[int]:
        """Write what an ingest or a removal changed in the groups (inside its transaction); return removed chunks."""
        removed: list[int] = []
        for item in links.signed:
            await self._sign(scoped_id(item.id, scope), item)
        for match in links.demoted:
            await self._demote(scoped_id(match.copy, scope), scoped_id(match.original, scope), scope,
                               match.similarity)
            removed += await self._hand_over(match.copy, match.original, scope, delete)
        for gone, heir in links.succeeded:
            removed += await self._hand_over(gone, heir, scope, delete)
        for copy in links.copies:
            removed += await self._add_copy(copy, scope, now, delete)
        return removed

    async def sign(self, signed: Sequence[tuple[str, Signed]]) -> None:
        """Store signatures of stored originals, by stored id, in one transaction."""
        async with self._transaction():
            for stored_id, item in signed:
                await self._sign(stored_id, item)

    async def make_original(self, stored_id: str, url: str | None, scope: str | None) -> None:
        """Before an article is written as an original: the copies of its older versions follow it; no copy of it."""
        await self._release(stored_id, url, scope, heir=stored_id)

    @abstractmethod
    def _transaction(self) -> AbstractAsyncContextManager[Any]:
        """All or nothing (joined by the statements inside)."""

    @abstractmethod
    async def _sign(self, stored_id: str, item: Signed) -> None:
        """Store one original's signature and its band keys (inside a transaction)."""

    @abstractmethod
    async def _demote(self, stored_id: str, original: str, scope: str | None, similarity: float) -> None:
        """Keep a stored original's row and text as a copy of an earlier article (its sentences go)."""

    @abstractmethod
    async def _hand_over(self, gone: str, heir: str, scope: str | None, delete: Delete) -> list[int]:
        """Delete the original `gone` (public id) from the index; its copies go to `heir`."""

    @abstractmethod
    async def _add_copy(self, copy: Copy, scope: str | None, now: str, delete: Delete) -> list[int]:
        """Store a newcomer as a copy, replacing any version of it stored before (as an original or a copy)."""

    @abstractmethod
    async def _release(self, stored_id: str, url: str | None, scope: str | None, heir: str) -> None:
        """Before the versions of an article (by id, else url) are replaced: their copies go to `heir`, copy rows go."""


class ArticleWrites(ABC):
    """Replacing a batch of one scope's articles in one transaction, over a backend's statements."""

    copies: CopyLinks

    async def write_articles(self, prepared: Sequence[PreparedArticle], scope: str | None = None,
                             links: Links | None = None) -> tuple[list[int], list[int]]:
        """Replace these articles of one scope, and apply `links` to its copies, in one transaction.

        Returns (removed chunk ids, added chunk ids).
        """
        removed: list[int] = []
        added: list[int] = []
        now = timestamp()
        async with self._transaction():
            for item in prepared:
                stored_id = scoped_id(item.article.id, scope)
                await self.copies.make_original(stored_id, item.article.url, scope)
                removed += await self._delete_article(stored_id, scope, item.article.url)
                added += await self._insert_article(item, stored_id, scope, now)
            removed += await self.copies.apply(links or Links(), scope, now, self._delete_article)
        return removed, added

    @abstractmethod
    def _transaction(self) -> AbstractAsyncContextManager[Any]:
        """All or nothing."""

    @abstractmethod
    async def _delete_article(self, stored_id: str, scope: str | None, url: str | None = None) -> list[int]:
        """Delete an article of one scope, and any older version under the same url; return their chunk ids."""

    @abstractmethod
    async def _insert_article(self, item: PreparedArticle, stored_id: str, scope: str | None, now: str) -> list[int]:
        """Insert one prepared article under its stored id; return its new chunk ids in window order."""


async def finish(statement: Awaitable[object]) -> None:
    """Run a statement (a COMMIT, a ROLLBACK) to its end even when the task is cancelled (Ctrl-C), then pass the
    cancellation on: a COMMIT already sent still commits, so waiting for it keeps the batch it finishes."""
    running = asyncio.ensure_future(statement)
    try:
        await asyncio.shield(running)
    except asyncio.CancelledError:
        await running
        raise

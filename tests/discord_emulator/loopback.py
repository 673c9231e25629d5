"""Guards that keep tests off the network: any non-loopback aiohttp request raises AssertionError."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import aiohttp
import yarl

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


class NonLoopbackRequest(AssertionError):
    """Raised when code under test tries to reach a host other than loopback."""


def check_loopback(url: yarl.URL | str) -> None:
    """Raise NonLoopbackRequest unless the URL's host is loopback."""
    url = yarl.URL(str(url))
    if url.host not in LOOPBACK_HOSTS:
        raise NonLoopbackRequest(f"refused non-loopback request to {url}")


def loopback_trace_config() -> aiohttp.TraceConfig:
    """A TraceConfig (e.g. commands.Bot(http_trace=...)) that fails any request to a non-loopback host."""

    async def on_request_start(
        session: aiohttp.ClientSession, context: SimpleNamespace, params: aiohttp.TraceRequestStartParams
    ) -> None:
        """Fail the request before any connection is made."""
        check_loopback(params.url)

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(on_request_start)
    return trace


@contextlib.contextmanager
def refuse_non_loopback() -> Iterator[list[str]]:
    """Patch every aiohttp.ClientSession so non-loopback requests raise before connecting; yields refused URLs."""
    refused: list[str] = []
    original = aiohttp.ClientSession._request

    @functools.wraps(original)
    async def guarded(self: aiohttp.ClientSession, method: str, str_or_url: Any, *args: Any, **kwargs: Any) -> Any:
        """ClientSession._request, refusing non-loopback URLs first."""
        url = self._build_url(str_or_url)
        try:
            check_loopback(url)
        except NonLoopbackRequest:
            refused.append(str(url))
            raise
        return await original(self, method, str_or_url, *args, **kwargs)

    aiohttp.ClientSession._request = guarded  # type: ignore[method-assign]
    try:
        yield refused
    finally:
        aiohttp.ClientSession._request = original  # type: ignore[method-assign]

"""A real aiohttp.web server on loopback for tests, and a news page in the shape real sites have."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
from collections.abc import AsyncIterator, Callable, Iterator

from aiohttp import web


def news_page(title: str, paragraphs: list[str], published: str = "2023-03-14T08:00:00Z",
              outlet: str = "Example Gazette", canonical: str | None = None) -> str:
    """An article page wrapped in a menu, a cookie banner, ads, related links, a newsletter box and a footer."""
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{title} | {outlet}</title>{link}
<meta property="og:site_name" content="{outlet}">
<meta property="article:published_time" content="{published}">
<meta name="author" content="Dana Reporter"></head>
<body>
<div id="cookie-banner" class="cookie-consent">We use cookies to improve your experience. Accept all cookies or
manage your preferences.<button>Accept</button></div>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
<li><a href="/business">Business</a></li><li><a href="/sport">Sport</a></li></ul></nav></header>
<div class="ad ad-banner"><a href="/ads/1">Sponsored: Holiday deals you will not believe</a></div>
<main><article><h1>{title}</h1><p class="byline">By Dana Reporter</p>
{body}
</article>
<aside class="related"><h2>Related stories</h2><ul><li><a href="/r1">Lighthouse keeper retires after forty
years</a></li><li><a href="/r2">Ferry timetable changes for the summer</a></li></ul></aside>
<div class="newsletter">Sign up for our morning newsletter and never miss a story.</div></main>
<footer><p>Copyright {outlet}. All rights reserved.</p><a href="/privacy">Privacy policy</a></footer>
</body></html>"""


@contextlib.asynccontextmanager
async def serve(app: web.Application, host: str = "127.0.0.1") -> AsyncIterator[str]:
    """Run `app` on a free port of `host` until the block ends; yields its base URL."""
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, host, 0)
    await site.start()
    try:
        yield f"http://{host}:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


@contextlib.contextmanager
def serve_in_thread(make_app: Callable[[], web.Application]) -> Iterator[str]:
    """Run an app on 127.0.0.1 in a thread of its own (for tests of commands that run their own event loop)."""
    loop = asyncio.new_event_loop()
    ready: concurrent.futures.Future[str] = concurrent.futures.Future()
    stop = asyncio.Event()

    async def run() -> None:
        async with serve(make_app()) as base:
            ready.set_result(base)
            await stop.wait()

    thread = threading.Thread(target=loop.run_until_complete, args=(run(),), daemon=True)
    thread.start()
    try:
        yield ready.result(timeout=5)
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(5)
        loop.close()

"""Fetching web pages with the async client, against a real aiohttp server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import web

from index import AnswerPolicy, EngineSettings, Library
from index.embedder import HashingEmbedder
from index.ingest.files import SourceError
from index.settings import WebSettings
from index.web.addresses import public_only
from index.web.fetching import FetchError, WebClient, retry_delay, url_scheme, web_url
from tests.local_site import news_page, serve

PAGE = news_page("Crane collapses at harbour", [
    "A container crane collapsed at the northern harbour on Tuesday morning during a violent storm.",
    "Nobody was hurt, the port authority said, but two ships were damaged by falling steel.",
    "Engineers will inspect the other cranes before the harbour reopens on Thursday.",
])
OPEN = WebSettings(allow_private_addresses=True, timeout_seconds=0.5)
MB = 1024 * 1024
SENT = web.AppKey("sent", list)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def page(body: str | bytes, kind: str = "text/html") -> Handler:
    """A handler that serves a fixed body."""
    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=body.encode() if isinstance(body, str) else body, content_type=kind)
    return handler


def redirect(location: str) -> Handler:
    """A handler that redirects; "{n}" in the location counts up from the path's own {n}."""
    async def handler(request: web.Request) -> web.Response:
        raise web.HTTPFound(location.format(n=int(request.match_info.get("n", 0)) + 1))
    return handler


async def stream_forever(request: web.Request) -> web.StreamResponse:
    """50 MB without a Content-Length, a megabyte at a time; records how much went out."""
    response = web.StreamResponse(headers={"Content-Type": "text/html"})
    await response.prepare(request)
    sent = request.app[SENT]
    try:
        for _ in range(50):
            await response.write(b"<p>" + b"x" * (MB - 3))
            sent.append(MB)
    except (ConnectionResetError, RuntimeError):
        pass  # the client hung up: exactly what the size cap should do
    return response


def build_app() -> web.Application:
    """Routes for each case the fetcher must handle."""
    app = web.Application()
    app[SENT] = []

    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(1)
        return web.Response(text=PAGE, content_type="text/html")

    async def declared_huge(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/html", "Content-Length": str(50 * MB)})
        await response.prepare(request)
        await response.write(b"<p>only the start</p>")
        return response

    app.router.add_get("/article.html", page(PAGE))
    app.router.add_get("/latin.html", page("<html><head><meta charset='iso-8859-1'></head><body>"
                                                     "<article><p>Caf\xe9 prices rose again this week.</p></article>"
                                                     "</body></html>".encode("latin-1")))
    app.router.add_get("/image.png", page(b"\x89PNG...", "image/png"))
    app.router.add_get("/empty.html", page("<html><body><nav>Menu</nav></body></html>"))
    app.router.add_get("/moved", redirect("/article.html?utm_source=feed"))
    app.router.add_get("/loop-a", redirect("/loop-b"))
    app.router.add_get("/loop-b", redirect("/loop-a"))
    app.router.add_get("/chain/{n}", redirect("/chain/{n}"))
    app.router.add_get("/to-ftp", redirect("ftp://example.com/file"))
    app.router.add_get("/slow.html", slow)
    app.router.add_get("/stream.html", stream_forever)
    app.router.add_get("/declared-huge.html", declared_huge)
    return app


@pytest.fixture
async def site() -> AsyncIterator[tuple[str, web.Application]]:
    """The test site on 127.0.0.1: (base URL, app)."""
    app = build_app()
    async with serve(app) as base:
        yield base, app


@pytest.fixture
async def client() -> AsyncIterator[WebClient]:
    """A client that may fetch from loopback, as tests and intranets need."""
    async with WebClient(OPEN) as web_client:
        yield web_client


async def test_only_the_article_text_comes_through_menus_ads_related_links_and_cookie_banner(site, client):
    base, _ = site
    article = await client.fetch_article(f"{base}/article.html")
    assert article.title.startswith("Crane collapses at harbour")
    assert article.text.split("\n\n") == [
        "A container crane collapsed at the northern harbour on Tuesday morning during a violent storm.",
        "Nobody was hurt, the port authority said, but two ships were damaged by falling steel.",
        "Engineers will inspect the other cranes before the harbour reopens on Thursday."]
    assert article.url == f"{base}/article.html" and article.id == article.url
    assert article.published.isoformat() == "2023-03-14" and article.source == "Example Gazette"


async def test_redirects_are_followed_and_tracking_parameters_dropped(site, client):
    base, _ = site
    assert (await client.fetch_article(f"{base}/moved")).url == f"{base}/article.html"


async def test_a_declared_charset_is_honoured(site, client):
    base, _ = site
    assert "Café prices" in (await client.fetch_article(f"{base}/latin.html")).text


@pytest.mark.parametrize("path, message", [
    ("/missing.html", "the server answered HTTP 404 Not Found"),
    ("/image.png", r"not a web page \(image/png\)"),
    ("/empty.html", "no article text found"),
    ("/loop-a", "redirect loop"),
    ("/chain/0", "more than 5 redirects"),
    ("/to-ftp", r"not an http\(s\) URL \(redirected to ftp://example.com/file\)"),
    ("/slow.html", "no answer within 0.5 s"),
])
async def test_what_cannot_be_read_is_one_clear_line(site, client, path, message):
    base, _ = site
    with pytest.raises(SourceError, match=message) as error:
        await client.fetch_article(base + path)
    assert str(error.value).startswith(base + path) and "\n" not in str(error.value)


async def test_a_50_mb_answer_is_capped_without_reading_it_all(site):
    base, app = site
    started = time.monotonic()
    async with WebClient(replace(OPEN, max_page_mb=1.0)) as capped:
        with pytest.raises(FetchError, match="over the 1 MB limit"):
            await capped.fetch(f"{base}/stream.html")
        with pytest.raises(FetchError, match="over the 1 MB limit"):
            await capped.fetch(f"{base}/declared-huge.html")
    await asyncio.sleep(0.1)
    assert time.monotonic() - started < 1.0 and sum(app[SENT]) < 10 * MB


async def test_a_closed_port_and_a_bad_url(client):
    with pytest.raises(FetchError, match="cannot connect"):
        await client.fetch_article("http://127.0.0.1:9/nothing.html")
    with pytest.raises(FetchError, match="not an http"):
        await client.fetch_article("ftp://example.com/file")


@pytest.mark.parametrize("url, refusal", [
    ("http://127.0.0.1:9/a.html", "127.0.0.1, a loopback address"),
    ("http://10.1.2.3/a.html", "10.1.2.3, a private address"),
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254, a cloud metadata address"),
    ("http://[::ffff:127.0.0.1]/a.html", "::ffff:7f00:1, a loopback address"),
    ("http://[fe80::1]/a.html", "fe80::1, a link-local address"),
    ("http://224.0.0.1/a.html", "224.0.0.1, a multicast address"),
    ("http://0.0.0.0/a.html", "0.0.0.0, a"),
])
async def test_private_targets_are_refused_when_the_switch_is_off(url, refusal):
    async with WebClient(WebSettings()) as guarded:
        with pytest.raises(FetchError, match="refusing to fetch") as error:
            await guarded.fetch(url)
    assert refusal in str(error.value) and "allow_private_addresses is off" in str(error.value)


async def test_a_host_name_is_checked_at_connect_time(site):
    base, _ = site
    async with WebClient(WebSettings(timeout_seconds=1.0)) as guarded:
        with pytest.raises(FetchError, match=r"refusing to fetch from (127\.0\.0\.1|::1), a loopback address"):
            await guarded.fetch(base.replace("127.0.0.1", "localhost") + "/article.html")


async def test_redirects_from_an_allowed_host_to_private_ones_are_refused():
    """127.0.0.2 stands in for a public host; its redirects lead into the private network."""
    def public_stand_in(ip) -> str | None:
        return None if str(ip) == "127.0.0.2" else public_only(ip)

    async with serve(build_app()) as inside:
        app = web.Application()
        app.router.add_get("/literal", redirect(f"{inside}/article.html"))
        app.router.add_get("/by-name", redirect(inside.replace("127.0.0.1", "localhost")))
        app.router.add_get("/ok", page(PAGE))
        async with serve(app, host="127.0.0.2") as outside, \
                WebClient(WebSettings(timeout_seconds=1.0), address_check=public_stand_in) as guarded:
            assert (await guarded.fetch(f"{outside}/ok")).status == 200
            with pytest.raises(FetchError, match=r"redirected to .*: refusing to fetch from 127\.0\.0\.1, a loopback"):
                await guarded.fetch(f"{outside}/literal")
            with pytest.raises(FetchError, match=r"refusing to fetch from (127\.0\.0\.1|::1), a loopback"):
                await guarded.fetch(f"{outside}/by-name")


@pytest.mark.parametrize("given, scheme, address", [
    ("https://example.com/a", "https", "https://example.com/a"),
    ("HTTP://Example.com/A", "http", "http://Example.com/A"),
    ("  \thttps://example.com/a \n", "https", "https://example.com/a"),
    ("file:///etc/passwd", "file", None), ("File:/etc/passwd", "file", None), ("ftp://example.com/a", "ftp", None),
    ("examples/", None, None), ("http.txt", None, None), ("/etc/passwd", None, None), ("~/notes.md", None, None),
    ("C:/news/a.md", None, None), ("notes:2024.txt", None, None), ("http:example.com", None, None),
])
def test_a_url_is_told_from_a_path_by_its_scheme_in_any_case(given, scheme, address):
    assert url_scheme(given) == scheme and web_url(given) == address


async def test_the_library_ingests_urls_beside_files(site, tmp_path):
    base, _ = site
    settings = EngineSettings(policy=AnswerPolicy(min_confidence=0.0, min_similarity=0.1), web=OPEN)
    library = await Library.open(tmp_path, HashingEmbedder(), settings)
    report = await library.ingest_urls([f"{base}/article.html", f"{base}/missing.html"])
    assert (report.files, report.new, report.failed) == (2, 1, 1) and "HTTP 404" in report.errors[0]
    assert (await library.ingest_urls([f"{base}/moved"])).unchanged == 1
    answer = await library.ask("What collapsed at the harbour?")
    assert answer.sources[0].url == f"{base}/article.html"
    await library.close()
    guarded = await Library.open(tmp_path, HashingEmbedder(), EngineSettings())
    refused = await guarded.ingest_urls([f"{base}/article.html"], scope="7")
    assert refused.failed == 1 and "refusing to fetch from 127.0.0.1" in refused.errors[0]
    await guarded.close()


async def test_ingest_urls_fetches_web_pages_only_and_never_opens_a_file(site, tmp_path, monkeypatch):
    base, _ = site
    secret = tmp_path / "secret.md"
    secret.write_text("# Vault\n\nThe vault password is swordfish-tangerine-42.\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    library = await Library.open(tmp_path / "data", HashingEmbedder(), EngineSettings(web=OPEN))
    try:
        given = [str(secret), str(tmp_path), f"file://{secret}", "~/secret.md", "secret.md"]
        refused = await library.ingest_urls(given)
        assert (refused.files, refused.new, refused.failed) == (5, 0, 5)
        assert [error.split(": ")[-1] for error in refused.errors] == ["not an http(s) URL"] * 5
        with pytest.raises(TypeError, match="ingest_urls"):
            await library.ingest_files([str(secret)])
        assert (await library.stats()).articles == 0
        spelled = await library.ingest_urls([f"  {base.upper()}/article.html\n"])
        assert (spelled.new, spelled.failed) == (1, 0)
        assert [a.url for a in await library.articles()] == [f"{base}/article.html"]
    finally:
        await library.close()


async def test_a_feed_given_as_an_article_is_reported_as_a_feed(tmp_path):
    rss = '<?xml version="1.0"?><!-- news --><rss version="2.0"><channel><title>T</title></channel></rss>'
    app = web.Application()
    for path, body, kind in (("/rss", rss, "application/rss+xml"), ("/atom", "<feed>", "application/atom+xml"),
                             ("/xml", rss, "text/xml"), ("/png", b"\x89PNG", "image/png")):
        app.router.add_get(path, page(body, kind))
    async with serve(app) as base:
        library = await Library.open(tmp_path / "data", HashingEmbedder(), EngineSettings(web=OPEN))
        try:
            report = await library.ingest_urls([f"{base}/rss", f"{base}/atom", f"{base}/xml", f"{base}/png"])
        finally:
            await library.close()
    assert report.feeds == (f"{base}/rss", f"{base}/atom", f"{base}/xml") and report.failed == 4
    assert report.errors == (f"{base}/png: not a web page (image/png)",)


@pytest.mark.parametrize("header, wait", [
    ("120", timedelta(minutes=2)), (" 0 ", timedelta(0)),
    ("Wed, 25 Nov 2026 03:00:00 GMT", timedelta(hours=3)), ("Tue, 24 Nov 2026 23:00:00 GMT", timedelta(0)),
    ("99999999999999999999", timedelta(days=366)),
    ("-5", None), ("1.5", None), ("soon", None), ("", None), (None, None),
])
def test_retry_after_in_seconds_or_as_an_http_date(header, wait):
    assert retry_delay(header, datetime(2026, 11, 25, tzinfo=UTC)) == wait


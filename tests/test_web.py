"""Fetching articles from web pages, against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from index import AnswerPolicy, EngineSettings, Library
from index.embedder import HashingEmbedder
from index.sources import SourceError
from index.web import fetch_article, fetch_page, is_url

PAGE = """<!doctype html><html><head><title>Crane collapses at harbour | Example Gazette</title>
<meta property="og:site_name" content="Example Gazette">
<meta property="article:published_time" content="2023-03-14T08:00:00Z"></head>
<body><nav><a href="/">Home</a> <a href="/sport">Sport</a></nav>
<article><h1>Crane collapses at harbour</h1>
<p>A container crane collapsed at the northern harbour on Tuesday morning during a violent storm.</p>
<p>Nobody was hurt, the port authority said, but two ships were damaged by falling steel.</p>
<p>Engineers will inspect the other cranes before the harbour reopens on Thursday.</p></article>
<footer>Copyright Example Gazette. Cookie settings.</footer></body></html>"""


class Handler(BaseHTTPRequestHandler):
    """Pages for each case the fetcher must handle."""

    def do_GET(self) -> None:
        """Serve by path."""
        routes = {
            "/article.html": (200, "text/html; charset=utf-8", PAGE.encode()),
            "/image.png": (200, "image/png", b"\x89PNG..."),
            "/big.html": (200, "text/html", b"<p>" + b"x" * 5000 + b"</p>"),
            "/empty.html": (200, "text/html", b"<html><body><nav>Menu</nav></body></html>"),
        }
        if self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/article.html?utm_source=feed")
            self.end_headers()
            return
        if self.path == "/slow.html":
            time.sleep(1.5)
        status, kind, body = routes.get(self.path.split("?")[0], (404, "text/html", b"not here"))
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        """Keep test output quiet."""


class QuietServer(ThreadingHTTPServer):
    """Does not print the broken pipe of a client that gave up waiting (the timeout test)."""

    def handle_error(self, request: object, client_address: object) -> None:
        """Ignore the client's hang-up."""


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    """A real HTTP server on 127.0.0.1; yields its base URL."""
    server = QuietServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_a_page_becomes_an_article_without_menus_and_footers(site):
    article = fetch_article(f"{site}/article.html")
    assert article.title.startswith("Crane collapses at harbour")
    assert "container crane collapsed" in article.text and "Cookie" not in article.text and "Home" not in article.text
    assert article.url == f"{site}/article.html" and article.id == article.url
    assert article.published.isoformat() == "2023-03-14" and article.source == "Example Gazette"


def test_redirects_are_followed_and_tracking_parameters_dropped(site):
    assert fetch_article(f"{site}/moved").url == f"{site}/article.html"


@pytest.mark.parametrize("path, message", [
    ("/missing.html", "HTTP 404"),
    ("/image.png", r"not a web page \(image/png\)"),
    ("/empty.html", "no article text found"),
])
def test_pages_that_are_not_articles_get_one_clear_line(site, path, message):
    with pytest.raises(SourceError, match=message) as error:
        fetch_article(site + path)
    assert str(error.value).startswith(site + path) and "\n" not in str(error.value)


def test_limits_on_size_and_time(site):
    with pytest.raises(SourceError, match="over 0 KB"):
        fetch_page(f"{site}/big.html", max_bytes=1000)
    with pytest.raises(SourceError, match=r"no answer within|cannot connect"):
        fetch_page(f"{site}/slow.html", timeout=0.3)


def test_a_closed_port_and_a_bad_url():
    with pytest.raises(SourceError, match="cannot connect"):
        fetch_article("http://127.0.0.1:9/nothing.html", timeout=2)
    with pytest.raises(SourceError, match="not an http"):
        fetch_article("ftp://example.com/file")


def test_private_addresses_are_refused_when_asked(site):
    with pytest.raises(SourceError, match="private address"):
        fetch_article(f"{site}/article.html", public_only=True)


def test_is_url():
    assert is_url("https://example.com/a") and not is_url("examples/") and not is_url("http.txt")


async def test_the_library_ingests_urls_beside_files(site, tmp_path):
    library = await Library.open(tmp_path, HashingEmbedder(),
                                 EngineSettings(policy=AnswerPolicy(min_similarity=0.1)))
    report = await library.ingest_paths([f"{site}/article.html", f"{site}/missing.html"])
    assert (report.files, report.new, report.failed) == (2, 1, 1) and "HTTP 404" in report.errors[0]
    assert (await library.ingest_paths([f"{site}/moved"])).unchanged == 1
    answer = await library.ask("What collapsed at the harbour?")
    assert answer.sources[0].url == f"{site}/article.html"
    refused = await library.ingest_paths([f"{site}/article.html"], scope="7", public_urls_only=True)
    assert refused.failed == 1 and "private address" in refused.errors[0]
    await library.close()

"""Articles from web pages: fetch a URL and read its main text (the engine's only network code)."""

from __future__ import annotations

import ipaddress
import socket
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from index.models import Article
from index.sources import SourceError, article_from_html, canonical_url

USER_AGENT = "newsbot/0.1 (news question-answering bot)"
PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml"})


def is_url(value: str) -> bool:
    """Whether a command-line argument names a web page rather than a file."""
    return value.startswith(("http://", "https://"))


def check_public(url: str) -> None:
    """Refuse URLs whose host resolves to a private, loopback or link-local address (no probing inside)."""
    host = urlsplit(url).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except socket.gaierror as error:
        raise SourceError(f"{url}: cannot find the host {host!r} ({error.strerror})") from None
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast:
            raise SourceError(f"{url}: refusing to fetch from a private address ({ip})")


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects, re-checking each new host when private addresses are refused."""

    def __init__(self, public_only: bool) -> None:
        self.public_only = public_only

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # urllib's own signature
        """Check where a redirect leads before following it."""
        if self.public_only:
            check_public(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch_page(url: str, *, timeout: float = 20.0, max_bytes: int = 10 * 1024 * 1024,
               public_only: bool = False) -> tuple[str, str]:
    """Download a web page; return (final URL, HTML text), or raise SourceError in one line."""
    if public_only:
        check_public(url)
    opener = urllib.request.build_opener(_CheckedRedirects(public_only))
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "text/html,*/*;q=0.5"})
    try:
        with opener.open(request, timeout=timeout) as response:
            kind = response.headers.get_content_type()
            if kind not in PAGE_TYPES:
                raise SourceError(f"{url}: not a web page ({kind})")
            body = response.read(max_bytes + 1)
            charset = response.headers.get_content_charset() or "utf-8"
            final_url = response.geturl()
    except urllib.error.HTTPError as error:
        raise SourceError(f"{url}: the server answered HTTP {error.code} {error.reason}") from None
    except urllib.error.URLError as error:
        raise SourceError(f"{url}: cannot connect ({error.reason})") from None
    except TimeoutError:
        raise SourceError(f"{url}: no answer within {timeout:.0f} s") from None
    if len(body) > max_bytes:
        raise SourceError(f"{url}: the page is over {max_bytes // 1024:,} KB, too big for one article")
    return final_url, body.decode(charset, errors="replace")


def fetch_article(url: str, *, timeout: float = 20.0, public_only: bool = False) -> Article:
    """The article on a web page: its main text, title, date, outlet and canonical URL."""
    try:
        canonical_url(url)
    except ValueError as error:
        raise SourceError(f"{url}: {error}") from None
    final_url, html = fetch_page(url, timeout=timeout, public_only=public_only)
    return article_from_html(html, url, urlsplit(final_url).hostname or url, canonical_url(final_url))

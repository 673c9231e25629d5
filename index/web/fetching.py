"""Fetching web pages and feeds: async HTTP(S) with time and size caps, checked redirects, no private addresses."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import TYPE_CHECKING

from yarl import URL

from index.ingest.files import SourceError, article_from_html, canonical_url
from index.models import Article
from index.settings import WebSettings
from index.text import MB, one_line
from index.web.addresses import (
    AddressCheck,
    AddressGuard,
    public_only,
    recorded_refusal,
    start_recording,
    stop_recording,
)

if TYPE_CHECKING:
    # aiohttp is imported where a fetch starts: it takes over half a second, which commands that fetch nothing
    # (`newsbot stats`, `ask`) should not pay.
    import aiohttp

PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml"})
WEB_SCHEMES = ("http", "https")
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024
_LONGEST_WAIT = 366 * 24 * 3600
_SWITCH = "web.allow_private_addresses is off"
_META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([\w-]+)""", re.IGNORECASE)
_URL_START = re.compile(r"([a-z][a-z0-9+.-]+):/", re.IGNORECASE)
# A feed's root element, for one served as plain XML: RSS 2.0 and 0.9x, Atom, RSS 1.0 (RDF).
_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF)[\s>]")
_HEAD_BYTES = 4096


class FeedNotArticle(SourceError):
    """A URL given as an article's that serves an RSS or Atom feed: one to follow, not to read as an article."""

    def __init__(self, url: str) -> None:
        super().__init__(f"{url}: an RSS or Atom feed, not an article page")
        self.url = url


class FetchError(SourceError):
    """A URL that cannot be fetched; the message is one line starting with the URL."""

    def __init__(self, message: str, status: int | None = None, retry_after: timedelta | None = None) -> None:
        super().__init__(message)
        self.status = status  # the HTTP status of an error answer; None when there was no answer to read
        self.retry_after = retry_after  # how long the server asked us to wait (Retry-After), if it said


def retry_delay(value: str | None, now: datetime) -> timedelta | None:
    """A Retry-After header (delay in seconds, or an HTTP date) as a wait from `now`; None when absent or unreadable."""
    value = (value or "").strip()
    if value.isdigit():  # capped: a billion seconds would overflow a timedelta, and any wait is capped later anyway
        return timedelta(seconds=min(int(value), _LONGEST_WAIT))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):  # not a date at all: as if the server had said nothing
        return None
    # An HTTP date is GMT; a date without a zone is read as such too.
    wait = (when if when.tzinfo else when.replace(tzinfo=UTC)) - now
    return max(wait, timedelta(0))


@dataclass(frozen=True)
class Fetched:
    """One HTTP answer: 200 with a body, or 304 (not modified) without one."""

    url: str
    status: int
    body: bytes
    content_type: str
    charset: str | None = None
    etag: str | None = None
    last_modified: str | None = None

    def text(self) -> str:
        """The body as text: the declared charset, else a <meta charset>, else UTF-8."""
        sniffed = _META_CHARSET.search(self.body[:4096])
        for charset in (self.charset, sniffed[1].decode("ascii") if sniffed else None):
            if charset:
                try:
                    return self.body.decode(charset, errors="replace")
                except LookupError:  # an unknown charset name: try the next clue
                    continue
        return self.body.decode("utf-8", errors="replace")


def url_scheme(value: str) -> str | None:
    """The scheme, in lower case, of a value written as a URL ("HTTP://...", " file:///x", "ftp://..."); else None."""
    # Two letters at least, then ":/": a Windows drive ("C:/x") and a file named "notes:2024.txt" stay paths.
    match = _URL_START.match(value.strip())
    return match[1].lower() if match else None


def web_url(value: str) -> str | None:
    """An http(s) URL as given (spaces around it dropped, its scheme in lower case); None for anything else."""
    value = value.strip()
    scheme = url_scheme(value)
    return scheme + value[len(scheme):] if scheme in WEB_SCHEMES else None


class WebClient:
    """One aiohttp session for the library's fetches; every connection goes through the address guard."""

    def __init__(self, settings: WebSettings, address_check: AddressCheck | None = None) -> None:
        self.settings = settings
        self._guard = AddressGuard(None if settings.allow_private_addresses else address_check or public_only)
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> WebClient:
        return self

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        trace: TracebackType | None) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the session and its connections."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _open_session(self) -> aiohttp.ClientSession:
        """The session, made on first use (aiohttp needs a running event loop)."""
        import aiohttp

        if self._session is None:
            connector = aiohttp.TCPConnector(socket_factory=self._guard.socket_factory, limit=20)
            # No cookies kept and no proxy from the environment: each fetch stands alone.
            self._session = aiohttp.ClientSession(
                connector=connector, cookie_jar=aiohttp.DummyCookieJar(), trust_env=False,
                headers={"User-Agent": self.settings.user_agent},
                timeout=aiohttp.ClientTimeout(total=None, sock_connect=self.settings.timeout_seconds))
        return self._session

    async def fetch(self, url: str, accept: str = "*/*", max_bytes: int | None = None,
                    etag: str | None = None, last_modified: str | None = None) -> Fetched:
        """GET a URL (conditionally, given validators); raise FetchError in one line on any failure."""
        import aiohttp

        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        limit = max_bytes if max_bytes is not None else int(self.settings.max_page_mb * MB)
        token = start_recording()
        try:
            async with asyncio.timeout(self.settings.timeout_seconds):
                return await self._follow(url, headers, limit)
        except TimeoutError:
            raise FetchError(f"{url}: no answer within {self.settings.timeout_seconds:g} s") from None
        except aiohttp.ClientConnectorError as error:
            refusal = recorded_refusal()
            reason = f"{refusal} ({_SWITCH})" if refusal else f"cannot connect ({error.os_error.strerror or error})"
            raise FetchError(f"{url}: {reason}") from None
        except (aiohttp.ClientError, ValueError) as error:
            raise FetchError(f"{url}: {one_line(str(error)) or type(error).__name__}") from None
        finally:
            stop_recording(token)

    async def _follow(self, url: str, headers: dict[str, str], limit: int) -> Fetched:
        """Request the URL and follow up to max_redirects redirects, checking every target before connecting."""
        session, seen, current = self._open_session(), {url}, url
        for _ in range(self.settings.max_redirects + 1):
            target = self._checked(url, current)
            async with session.get(target, headers=headers, allow_redirects=False) as response:
                location = response.headers.get("Location")
                if response.status not in _REDIRECTS or not location:
                    return await _read(url, response, limit)
            current = str(target.join(URL(location)))
            if current in seen:
                raise FetchError(f"{url}: redirect loop (back to {current})")
            seen.add(current)
        raise FetchError(f"{url}: more than {self.settings.max_redirects} redirects")

    def _checked(self, url: str, current: str) -> URL:
        """A URL that may be requested: http(s) only, and no literal address the guard refuses."""
        target = URL(current)
        if target.scheme not in WEB_SCHEMES or not target.host:
            where = "" if current == url else f" (redirected to {current})"
            raise FetchError(f"{url}: not an http(s) URL{where}")
        if refusal := self._guard.refusal(target.host):
            where = "" if current == url else f"redirected to {current}: "
            raise FetchError(f"{url}: {where}{refusal} ({_SWITCH})")
        return target

    async def fetch_article(self, url: str) -> Article:
        """The article on a web page: its main text, title, date, outlet and canonical URL."""
        try:
            canonical_url(url)
        except ValueError as error:
            raise FetchError(f"{url}: {error}") from None
        page = await self.fetch(url, accept="text/html,application/xhtml+xml;q=0.9,*/*;q=0.5")
        return await asyncio.to_thread(read_page, url, page)


def read_page(url: str, page: Fetched) -> Article:
    """The article of a fetched HTML page (trafilatura does the reading, off the event loop)."""
    if page.content_type not in PAGE_TYPES:
        if "rss" in page.content_type or "atom" in page.content_type or _FEED_ROOT.search(page.body[:_HEAD_BYTES]):
            raise FeedNotArticle(url)
        raise FetchError(f"{url}: not a web page ({page.content_type})")
    host = URL(page.url).host or url
    return article_from_html(page.text(), url, host, canonical_url(page.url))


async def _read(url: str, response: aiohttp.ClientResponse, limit: int) -> Fetched:
    """The body of a final answer, refusing errors and anything over `limit` bytes without reading it all."""
    if response.status >= 400 or response.status < 200:
        raise FetchError(f"{url}: the server answered HTTP {response.status} {response.reason or ''}".rstrip(),
                         response.status, retry_delay(response.headers.get("Retry-After"), datetime.now(UTC)))
    body = bytearray()
    too_big = FetchError(f"{url}: over the {limit / MB:g} MB limit")
    if response.content_length is not None and response.content_length > limit:
        response.close()  # drop the connection: the rest of the body is never read
        raise too_big
    async for chunk in response.content.iter_chunked(_CHUNK):
        body += chunk
        if len(body) > limit:
            response.close()
            raise too_big
    return Fetched(url=str(response.url), status=response.status, body=bytes(body),
                   content_type=response.content_type, charset=response.charset,
                   etag=response.headers.get("ETag"), last_modified=response.headers.get("Last-Modified"))


"""RSS 0.9x/2.0 and Atom feeds -> items, parsed safely (no entities, so no XML bombs; no external fetches)."""

from __future__ import annotations

import calendar
import hashlib
import html
import io
import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING
from urllib.parse import urljoin
from xml.etree.ElementTree import ParseError

import defusedxml.ElementTree
from defusedxml import DefusedXmlException

from index.errors import EngineError
from index.ingest.dates import parse_date
from index.text import one_line

if TYPE_CHECKING:
    # feedparser is imported where a feed is parsed: its import takes about 0.06 s, which commands that read no
    # feed (`newsbot stats`, `ask`) should not pay.
    import feedparser

# A document that is not well-formed goes to feedparser's forgiving parser, which expands declared entities
# itself (and does not mind their case): any declaration at all is refused first.
_ENTITY_MARK = re.compile(rb"<!\s*entity", re.IGNORECASE)
_ENTITIES_REFUSED = "the XML declares entities (refused: a possible XML bomb)"
_TAG = re.compile(r"<[^>]*>")
_LINK_TAG = re.compile(r"<link\b[^>]*>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/rdf+xml"})
_HEAD_CHARS = 200_000  # feed links live in the <head>
# Teasers end like this; the article itself is on the linked page.
_CUT_ENDINGS = ("...", "…", "[…]", "[...]", "read more", "continue reading")


class FeedError(EngineError, ValueError):
    """A document that is not a feed newsbot will read; the message is a short reason."""


@dataclass(frozen=True)
class FeedItem:
    """One entry of a feed."""

    key: str  # what identifies it across polls: its guid, else its link, else a hash of its text
    link: str | None
    title: str
    published: date | None
    html: str  # its content if it has any, else its summary
    full: bool  # True when `html` holds the article itself, not a teaser
    author: str | None = None


@dataclass(frozen=True)
class ParsedFeed:
    """A feed's own title and its first items."""

    title: str | None
    version: str
    items: tuple[FeedItem, ...]
    total: int  # items in the document, before the cap


def parse_feed(data: bytes, url: str, content_type: str | None = None, max_items: int = 100,
               full_text_chars: int = 600) -> ParsedFeed:
    """Parse a feed document fetched from `url` (relative links resolve against it), keeping `max_items` items."""
    import feedparser

    headers = {"content-location": url, **({"content-type": content_type} if content_type else {})}
    malformed = _check_xml(_as_parsed(data, headers))
    # A stream, never bytes: feedparser treats a string that looks like a URL or a path as one to open.
    parsed = feedparser.parse(io.BytesIO(data), response_headers=headers, resolve_relative_uris=True,
                              sanitize_html=True)
    if not parsed.get("version"):
        problem = parsed.get("bozo_exception")
        detail = f" ({one_line(str(problem))})" if problem else ""
        raise FeedError(f"not an RSS or Atom feed{detail}")
    entries = parsed.entries
    # An item with neither a link nor any text has nothing to read (a broken document's debris).
    items = tuple(item for item in (_item(entry, full_text_chars) for entry in entries[:max_items])
                  if item.link or plain_text(item.html))
    if malformed and not items:
        raise FeedError(f"not well-formed XML ({malformed})")
    feed = parsed.feed
    return ParsedFeed(title=one_line(feed.get("title")) or None, version=parsed.version, items=items,
                      total=len(entries))


def _as_parsed(data: bytes, headers: dict[str, str]) -> bytes:
    """The document as feedparser will parse it: decoded as it decodes it (BOM, XML declaration, Content-Type),
    in UTF-8, so a bomb in UTF-32 or EBCDIC is checked in the very form that would be expanded."""
    from feedparser.encodings import convert_to_utf8

    found: dict[str, object] = {}
    converted = convert_to_utf8(dict(headers), data, found)
    if not found.get("encoding"):
        raise FeedError("the feed's character encoding cannot be told, so it cannot be checked for entities (refused)")
    return converted


def _check_xml(data: bytes) -> str | None:
    """Raise FeedError for entity declarations or external references (XML bombs); say why XML is malformed."""
    try:
        defusedxml.ElementTree.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise FeedError(_ENTITIES_REFUSED) from None
    except ParseError as error:
        # Not well-formed: feedparser reads it leniently, but only if it declares no entities at all.
        if _ENTITY_MARK.search(data):
            raise FeedError(_ENTITIES_REFUSED) from None
        # Without the position: feedparser's own declaration, added on a line above, would shift it.
        return str(error).split(": line ")[0]
    return None


def _item(entry: feedparser.FeedParserDict, full_text_chars: int) -> FeedItem:
    """A FeedItem from one feedparser entry."""
    contents = [c.get("value", "") for c in entry.get("content", []) if c.get("value")]
    body = max(contents, key=len) if contents else entry.get("summary", "")
    text = plain_text(body)
    full = len(text) >= full_text_chars and not text.lower().endswith(_CUT_ENDINGS)
    title = one_line(entry.get("title")) or (text[:80] if text else "Untitled")
    link = entry.get("link") or None
    key = entry.get("id") or link or _text_key(title, text)
    return FeedItem(key=key, link=link, title=title, published=_published(entry), html=body, full=full,
                    author=_author(entry))


def _author(entry: feedparser.FeedParserDict) -> str | None:
    """The item's author by name: RSS 2.0's <author> is an e-mail address, which is nobody's byline."""
    name = one_line(entry.get("author_detail", {}).get("name") or entry.get("author"))
    return name if name and "@" not in name else None


def _published(entry: feedparser.FeedParserDict) -> date | None:
    """The item's date as written (its calendar day, whatever the zone), else feedparser's UTC reading."""
    for name in ("published", "updated", "created"):
        raw, parsed = entry.get(name), entry.get(f"{name}_parsed")
        for value in (raw, calendar.timegm(parsed) if parsed else None):
            try:
                if (day := parse_date(value)) is not None:
                    return day
            except ValueError:  # a form dateutil does not know, or a date in the future: try the next clue
                continue
    return None


def feed_links(page: str, base: str) -> list[str]:
    """The feeds a web page names (<link rel="alternate" type="application/rss+xml" href=...>), as absolute URLs."""
    found = []
    for tag in _LINK_TAG.findall(page[:_HEAD_CHARS]):
        attributes = {name.lower(): html.unescape(double or single or bare)
                      for name, double, single, bare in _ATTRIBUTE.findall(tag)}
        rel = attributes.get("rel", "").lower().split()
        if "alternate" in rel and attributes.get("type", "").lower() in _FEED_TYPES and attributes.get("href"):
            found.append(urljoin(base, attributes["href"]))
    return found


def plain_text(markup: str) -> str:
    """Visible text of an HTML fragment, on one line."""
    return one_line(html.unescape(_TAG.sub(" ", markup or "")))


def _text_key(title: str, text: str) -> str:
    """A stable key for an item with neither guid nor link."""
    return "sha1:" + hashlib.sha1(f"{title}\n{text}".encode(), usedforsecurity=False).hexdigest()[:16]

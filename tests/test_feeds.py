"""Parsing feeds: RSS 2.0, Atom and RSS 0.91, dates in several formats, caps, and XML that is refused."""

from __future__ import annotations

from datetime import date

import pytest

from index.feeds.parsing import FeedError, feed_links, parse_feed, plain_text
from tests.feed_site import BOMB, BROKEN, EXTERNAL, STORIES, atom, rss091, rss2, teasers

BASE = "http://news.example"


def parse(document: str, **options: int):
    """Parse a test feed as if fetched from BASE."""
    return parse_feed(document.encode("utf-8"), f"{BASE}/feed.xml", "application/rss+xml", **options)


def test_rss2_items_with_full_text_and_dates_in_three_formats():
    feed = parse(rss2(BASE), full_text_chars=100)
    assert (feed.title, feed.version, feed.total) == ("Example Gazette", "rss20", 4)
    assert [item.title for item in feed.items] == [story[0] for story in STORIES[:4]]
    # RFC 822 in GMT, RFC 822 late in the evening at -0500 (the day as written), ISO 8601, none.
    assert [item.published for item in feed.items] == [date(2023, 3, 14), date(2023, 3, 15), date(2023, 3, 16), None]
    assert all(item.full for item in feed.items) and feed.items[0].key == "rss2-0"
    assert plain_text(feed.items[1].html) == f"{STORIES[1][1]} {STORIES[1][2]}"


def test_atom_relative_links_and_published_before_updated():
    feed = parse(atom(BASE), full_text_chars=100)
    assert (feed.title, feed.version) == ("Atom Courier", "atom10")
    assert [item.link for item in feed.items] == [f"{BASE}/story/{n}" for n in (2, 3, 4)]
    assert [item.published for item in feed.items] == [date(2023, 3, 14), date(2023, 3, 17), date(2023, 3, 18)]
    assert [item.key for item in feed.items] == ["urn:atom:2", "urn:atom:3", "urn:atom:4"]


def test_rss091_with_netscapes_doctype_and_teasers_only():
    feed = parse(rss091(BASE))
    assert (feed.title, feed.version) == ("Old Times", "rss091n")
    assert [item.link for item in feed.items] == [f"{BASE}/story/0", f"{BASE}/story/5"]
    assert not any(item.full for item in feed.items)


def test_a_teaser_is_not_full_text_however_long():
    long_teaser = teasers(BASE, 1).replace(STORIES[0][1][:60], "word " * 200)
    assert not parse(long_teaser, full_text_chars=100).items[0].full
    assert parse(rss2(BASE), full_text_chars=100_000).items[0].full is False


def test_items_are_capped():
    many = rss2(BASE).replace("</channel>", "".join(
        f"<item><title>Extra {n}</title><link>{BASE}/extra/{n}</link></item>" for n in range(150)) + "</channel>")
    feed = parse(many, max_items=100)
    assert (len(feed.items), feed.total) == (100, 154)


@pytest.mark.parametrize("document, message", [
    (BOMB, "declares entities"),
    (EXTERNAL, "declares entities"),
    (BROKEN, "not well-formed XML"),
    ("<html><body><p>A web page, not a feed.</p></body></html>", "not an RSS or Atom feed"),
    ("", "not an RSS or Atom feed"),
])
def test_bombs_external_entities_and_broken_documents_are_refused(document, message):
    with pytest.raises(FeedError, match=message):
        parse(document)


def declared(document: str, encoding: str) -> str:
    """The document with an XML declaration naming `encoding`."""
    return document.replace('"1.0"?>', f'"1.0" encoding="{encoding}"?>', 1)


@pytest.mark.parametrize("codec, declared_as", [
    ("utf-16", "utf-16"), ("utf-32", "utf-32"), ("utf-32-le", "utf-32le"), ("utf-32-be", "utf-32be"),
    ("cp037", "cp037"), ("cp500", "cp500"), ("utf-7", "utf-7"), ("latin-1", "iso-8859-1"),
])
@pytest.mark.parametrize("tail", ["", "<unclosed>"], ids=["well-formed", "malformed"])
def test_a_bomb_is_refused_in_any_encoding_feedparser_reads(codec, declared_as, tail):
    with pytest.raises(FeedError, match=r"^the XML declares entities \(refused: a possible XML bomb\)$"):
        parse_feed((declared(BOMB, declared_as) + tail).encode(codec), f"{BASE}/f")


@pytest.mark.parametrize("spelling", ["entity", "Entity", "ENTITY"])
def test_entity_declarations_in_malformed_xml_are_refused_in_any_case(spelling):
    for document in (BOMB, EXTERNAL):
        with pytest.raises(FeedError, match="declares entities"):
            parse((document + "<unclosed>").replace("ENTITY", spelling))


def test_a_malformed_feed_is_named_without_a_position_feedparser_would_shift():
    with pytest.raises(FeedError, match=r"^not well-formed XML \(no element found\)$"):
        parse(BROKEN)


def test_a_stray_ampersand_does_not_lose_the_feed():
    feed = parse(rss2(BASE).replace("Example Gazette", "Example Gazette & Post"), full_text_chars=100)
    assert feed.title == "Example Gazette & Post" and len(feed.items) == 4


def test_rss090_in_rdf():
    document = ('<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                'xmlns="http://my.netscape.com/rdf/simple/0.9/"><channel><title>First Wire</title>'
                f"<link>{BASE}/</link><description>News</description></channel>"
                f"<item><title>{STORIES[1][0]}</title><link>{BASE}/story/1</link></item></rdf:RDF>")
    feed = parse(document)
    assert (feed.title, feed.version) == ("First Wire", "rss090")
    assert [(item.title, item.link, item.full) for item in feed.items] == [(STORIES[1][0], f"{BASE}/story/1", False)]


def test_the_feeds_a_page_names():
    page = ('<html><head><link rel="stylesheet" href="/a.css"><link rel="alternate" type="application/rss+xml" '
            "href='/rss.xml?a=1&amp;b=2'><LINK TYPE=application/atom+xml REL=alternate HREF=atom.xml>"
            '<link rel="alternate" hreflang="fr" href="/fr/"></head><body></body></html>')
    assert feed_links(page, f"{BASE}/news/") == [f"{BASE}/rss.xml?a=1&b=2", f"{BASE}/news/atom.xml"]

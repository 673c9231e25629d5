"""Tests for JSON records as Articles: their fields, ids and canonical URLs."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest

from index.ingest.files import (
    article_from_record,
    canonical_url,
    content_id,
)

# --- records and ids --------------------------------------------------------------------------------------


def test_article_from_record_fields() -> None:
    article = article_from_record({"id": " abc ", "title": "  Storm\nwarning ", "body": "Winds reach 90 km/h.",
                                   "url": "https://example.com/a", "source": "Radio North", "published": 1672531200},
                                  "feed.jsonl:3")
    assert (article.id, article.title, article.url) == ("abc", "Storm warning", "https://example.com/a")
    assert (article.published, article.origin) == (date(2023, 1, 1), "feed.jsonl:3")


@pytest.mark.parametrize(("record", "reason"), [
    ({}, 'no "text" or "body"'),
    ({"text": None, "body": None}, 'no "text" or "body"'),
    ({"body": ["a"]}, '"body" is not a string'),
    ({"text": "x", "title": 3}, '"title" is not a string'),
    ({"text": "x", "id": 1.5}, '"id" is not a string'),
    ({"text": "x", "url": "mailto:desk@example.com"}, 'not an http(s) URL "mailto:desk@example.com"'),
    ({"text": "x", "date": "March 2022"}, 'bad date "March 2022"'),
    ({"text": "x", "published": "2999-01-01"}, 'bad date "2999-01-01" (in the future)'),
])
def test_article_from_record_rejects(record: dict, reason: str) -> None:
    with pytest.raises(ValueError) as caught:
        article_from_record(record, "x.jsonl:1")
    assert str(caught.value) == reason


def test_id_rules() -> None:
    given = article_from_record({"id": 12, "text": "t", "url": "https://example.com/x"}, "o")
    by_url = article_from_record({"text": "t", "url": "HTTPS://example.com:443/x/?fbclid=1"}, "o")
    by_content = article_from_record({"title": " Fire  drill ", "text": "All staff\n\nleft   the building."}, "o")
    assert (given.id, by_url.id) == ("12", "https://example.com/x")
    expected = "sha1:" + hashlib.sha1(b"Fire drill\nAll staff left the building.").hexdigest()[:16]
    assert by_content.id == expected == content_id("Fire drill", "All staff left the building.")
    assert article_from_record({"text": "t"}, "o").id == content_id("Untitled", "t")


@pytest.mark.parametrize(("url", "expected"), [
    ("https://Example.COM/News/Story", "https://example.com/News/Story"),
    ("HTTP://example.com:80/a/", "http://example.com/a"),
    ("https://example.com:8443/a", "https://example.com:8443/a"),
    ("https://example.com/", "https://example.com/"),
    ("https://example.com", "https://example.com/"),
    ("https://example.com/a#comments", "https://example.com/a"),
    ("https://example.com/a?utm_source=x&UTM_campaign=y&b=2&a=1&fbclid=z", "https://example.com/a?a=1&b=2"),
    ("https://example.com/a?gclid=1&ref=home&cmpid=9", "https://example.com/a"),
    ("https://example.com/a?q=two%20words&empty=", "https://example.com/a?empty=&q=two%20words"),
    ("  https://[2001:db8::1]:443/a  ", "https://[2001:db8::1]/a"),
])
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


@pytest.mark.parametrize("url", ["ftp://example.com/a", "example.com/a", "https://", "http://example.com:99999/"])
def test_canonical_url_rejects(url: str) -> None:
    with pytest.raises(ValueError, match="not an http"):
        canonical_url(url)

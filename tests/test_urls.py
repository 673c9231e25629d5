"""Canonical URLs: the spellings of one article's address that must come out as one URL, and those that must not."""

import pytest

from index.ingest.files import article_from_html
from index.web.urls import canonical_url

SAME_ARTICLE = [
    # (as found, canonical)
    ("https://example.com/news/story", "https://example.com/news/story"),
    ("HTTPS://Example.COM/news/story", "https://example.com/news/story"),
    ("https://example.com/news/story/", "https://example.com/news/story"),
    ("https://example.com:443/news/story", "https://example.com/news/story"),
    ("http://example.com:80/news/story", "http://example.com/news/story"),
    ("https://example.com/news/story#comments", "https://example.com/news/story"),
    ("https://example.com/news/story?utm_source=twitter&utm_medium=social&utm_campaign=x",
     "https://example.com/news/story"),
    ("https://example.com/news/story?fbclid=IwAR0abc", "https://example.com/news/story"),
    ("https://example.com/news/story?gclid=abc&mc_cid=1&mc_eid=2", "https://example.com/news/story"),
    ("https://example.com/news/story?ref=homepage&ref_src=twsrc", "https://example.com/news/story"),
    ("https://example.com/news/story?UTM_Source=x", "https://example.com/news/story"),
    ("https://example.com/news/story/amp", "https://example.com/news/story"),
    ("https://example.com/amp/news/story", "https://example.com/news/story"),
    ("https://example.com/news/story.amp", "https://example.com/news/story"),
    ("https://example.com/news/story.amp.html", "https://example.com/news/story.html"),
    ("https://example.com/news/story?amp=1", "https://example.com/news/story"),
    ("https://example.com/news/story?amp", "https://example.com/news/story"),
    ("https://example.com/news/story?outputType=amp", "https://example.com/news/story"),
    ("https://amp.example.com/news/story", "https://example.com/news/story"),
    ("https://www-example-com.cdn.ampproject.org/c/s/www.example.com/news/story",
     "https://www.example.com/news/story"),
    ("https://example.com/news/story?id=7&page=2", "https://example.com/news/story?id=7&page=2"),
    ("https://example.com/news/story?page=2&id=7", "https://example.com/news/story?id=7&page=2"),
    ("https://example.com/news/story?id=7&utm_source=rss", "https://example.com/news/story?id=7"),
    ("https://example.com", "https://example.com/"),
    ("https://[2001:db8::1]:8443/a/", "https://[2001:db8::1]:8443/a"),
]

DIFFERENT_ARTICLES = [
    ("https://example.com/news/story?id=7", "https://example.com/news/story?id=8"),
    ("https://example.com/news/story", "http://example.com/news/story"),
    ("https://example.com/news/story", "https://example.com/news/story-2"),
    ("https://example.com/news/ampersand-shortage", "https://example.com/news/shortage"),
    ("https://example.com/news/story?outputType=print", "https://example.com/news/story"),
    ("https://example.com:8080/news/story", "https://example.com/news/story"),
]


@pytest.mark.parametrize(("found", "canonical"), SAME_ARTICLE)
def test_spellings_of_one_address_become_one_url(found, canonical):
    assert canonical_url(found) == canonical
    assert canonical_url(canonical) == canonical


@pytest.mark.parametrize(("first", "second"), DIFFERENT_ARTICLES)
def test_different_articles_keep_different_urls(first, second):
    assert canonical_url(first) != canonical_url(second)


@pytest.mark.parametrize("bad", ["ftp://example.com/file", "example.com/story", "https://", "mailto:a@example.com"])
def test_what_is_not_a_web_address_is_refused(bad):
    with pytest.raises(ValueError, match="not an http"):
        canonical_url(bad)


PAGE = """<html><head><title>Port Halden closes its northern terminal</title>
<link rel="canonical" href="{canonical}"></head><body><article><h1>Port Halden closes its northern terminal</h1>
<p>The harbour authority of Port Halden said on Tuesday that it would close the northern container terminal for
six weeks from March to repair storm damage to two of its cranes, diverting about forty ships a week.</p>
<p>Shipping companies said they expected delays of one to two days for cargo bound for inland warehouses.</p>
</article></body></html>"""


@pytest.mark.parametrize("declared", ["https://example.com/news/port-halden?utm_source=amp", "/news/port-halden"])
def test_an_amp_page_is_stored_under_the_canonical_link_it_declares(declared):
    article = article_from_html(PAGE.format(canonical=declared), "amp page", "fallback",
                                "https://example.com/amp/news/port-halden")
    assert article.url == article.id == "https://example.com/news/port-halden"

"""Tests for turning Markdown and HTML into plain article prose."""

from __future__ import annotations

import dataclasses

import pytest

from index.ingest.markup import HtmlArticle, extract_html, split_front_matter, strip_markdown


def test_split_front_matter_reads_keys_and_unquotes() -> None:
    text = "---\nTitle: 'Quay: opened'\nurl: \"https://example.org/q\"\ntags:\n  - a\n# note\n---\nBody.\n"
    assert split_front_matter(text) == ({"title": "Quay: opened", "url": "https://example.org/q", "tags": ""},
                                        "Body.\n")


@pytest.mark.parametrize("text", [
    "No front matter.\n---\nkey: value\n",
    "---\nA rule, then prose.\n---\nMore.\n",
    "---\nkey: value but never closed\n",
])
def test_split_front_matter_leaves_other_text_alone(text: str) -> None:
    assert split_front_matter(text) == ({}, text)


def test_split_front_matter_accepts_dots_as_end() -> None:
    assert split_front_matter("---\nid: 7\n...\nText") == ({"id": "7"}, "Text")


@pytest.mark.parametrize(("markdown", "plain"), [
    ("## Heading ##", "Heading"),
    ("Text\n# Heading\nMore", "Text\n\nHeading\n\nMore"),
    ("A [link](https://x.org) and ![img](a.png)", "A link and "),
    ("**bold** _em_ ~~gone~~ `code`", "bold em gone code"),
    ("- item\n1. step", "item\nstep"),
    ("> quoted", "quoted"),
    ("\\*kept\\* snake_case 2*3", "*kept* snake_case 2*3"),
    ("before\n```\ncode\n```\nafter", "before\n\nafter"),
    ("<!-- hidden -->shown <b>bold</b>", "shown bold"),
    ("- tight\n- list\n\nThen prose.", "tight\nlist\n\nThen prose."),
    ("> # Quoted heading\n> and text", "Quoted heading\n\nand text"),
    ("[Kept][ref], no ![alt][ref].\n\n[ref]: https://x.org", "Kept, no ."),
    ("K&ouml;ln &amp; <https://x.org>", "Köln & https://x.org"),
    ('<div class="note">\n<p>Raw <em>HTML</em> &lt;kept&gt;</p><p>as text</p>\n</div>', "Raw HTML <kept>\nas text"),
    ("<script>var x = 1;</script>\n\n    indented code\n\n~~~\nfenced\n~~~", ""),
])
def test_strip_markdown(markdown: str, plain: str) -> None:
    assert strip_markdown(markdown) == plain


def test_extract_html_returns_text_and_metadata() -> None:
    html = """<html><head><title>Dock  closes</title><meta property="og:site_name" content="Port News">
<meta property="article:published_time" content="2023-03-14T23:30:00-05:00">
<link rel="canonical" href="https://example.com/dock"></head><body><nav><a href="/">Home</a></nav>
<article><p>The dock closed at noon.</p><ul><li>Boats wait.</li><li>Crews rest.</li></ul></article></body></html>"""
    page = extract_html(html)
    assert page == HtmlArticle(title="Dock closes", text="The dock closed at noon.\n\nBoats wait.\nCrews rest.",
                               url="https://example.com/dock", date="2023-03-14", sitename="Port News")
    with pytest.raises(dataclasses.FrozenInstanceError):
        page.title = "changed"  # type: ignore[misc]


def test_extract_html_without_a_page() -> None:
    assert extract_html("<html><body></body></html>") is None

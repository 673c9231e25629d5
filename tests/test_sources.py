"""Tests for reading article files (.txt, .md, .html, .json, .jsonl) and records into Articles."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from index.ingest.files import (
    SourceError,
    content_id,
    read_file,
)
from index.models import Article

FERRY_HTML = """<!DOCTYPE html>
<html><head>
<title>Harbour ferry resumes after storm | Coastline Gazette</title>
<meta property="article:published_time" content="2023-03-14T23:30:00-05:00">
<meta property="og:site_name" content="Coastline Gazette">
<link rel="canonical" href="https://WWW.Example.com/news/ferry-resumes/?utm_source=feed">
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/sport">Sport</a></li>
<li><a href="/weather">Weather</a></li></ul></nav>
<div class="cookie-banner" id="cookie-consent">We use cookies to improve your experience. Accept all cookies?</div>
<article>
<h1>Harbour ferry resumes after storm</h1>
<p>The harbour ferry between Northport and Gull Island resumed service on Tuesday after a three-day
suspension caused by high winds.</p>
<p>Operators said the first crossing left at seven in the morning with forty passengers on board,
most of them commuters.<br>Two more crossings ran before noon.</p>
<ul><li>Fares are unchanged.</li><li>Timetables are online.</li></ul>
<p>The council will review the storm response at its next meeting, a spokesperson confirmed.</p>
</article>
<footer><p>Copyright 2021 Coastline Gazette. All rights reserved.</p><a href="/privacy">Privacy policy</a></footer>
</body></html>"""


def write(path: Path, content: str | bytes) -> Path:
    """Write a test file as UTF-8 text or raw bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def read_one(path: Path) -> Article:
    """Read a file that must hold exactly one good article."""
    items = list(read_file(path))
    assert len(items) == 1 and isinstance(items[0], Article), items
    return items[0]


def whole_file_error(path: Path, **kwargs: float) -> str:
    """Return the message of the SourceError that reading a file raises."""
    with pytest.raises(SourceError) as caught:
        list(read_file(path, **kwargs))
    return str(caught.value)


# --- .txt and .md -----------------------------------------------------------------------------------------


def test_txt_first_line_is_title(tmp_path: Path) -> None:
    path = write(tmp_path / "bridge.txt", "Bridge reopens to cyclists\n\nThe old bridge reopened on Monday.\n\n"
                 "Repairs took   six weeks.\n")
    article = read_one(path)
    assert article.title == "Bridge reopens to cyclists"
    assert article.text == "The old bridge reopened on Monday.\n\nRepairs took six weeks."
    assert article.origin == str(path)
    assert article.id == content_id(article.title, article.text)
    assert (article.url, article.source, article.published) == (None, None, None)


def test_txt_without_title_line_uses_file_name(tmp_path: Path) -> None:
    # A first paragraph that is a sentence, or hard-wrapped prose, is article text, not a title.
    sentence = write(tmp_path / "market_day-notes.txt", "The market opened early.\n\nStalls sold out by ten.\n")
    wrapped = write(tmp_path / "wrapped.txt", "Rain fell all night and\nthe river rose.\n\nRoads closed.\n")
    single = write(tmp_path / "single.txt", "Only one line of text here\n")
    assert read_one(sentence).title == "market day notes"
    assert read_one(sentence).text.startswith("The market opened early.")
    assert read_one(wrapped).text.startswith("Rain fell all night and\nthe river rose.")
    assert (read_one(single).title, read_one(single).text) == ("single", "Only one line of text here")


def test_long_first_line_is_not_a_title(tmp_path: Path) -> None:
    long_line = "word " * 40
    article = read_one(write(tmp_path / "long.txt", f"{long_line}\n\nSecond paragraph.\n"))
    assert article.title == "long"
    assert article.text.startswith("word word")


def test_front_matter(tmp_path: Path) -> None:
    path = write(tmp_path / "pier.md", """---
title: "Pier lights: switched on"
url: https://News.example.org/pier/?utm_medium=social&b=2&a=1
date: 'December 30, 2022'
outlet: Bayside Weekly
author: A. Writer
tags:
  - local
  - events
---
The pier lights were switched on at dusk.

Crowds gathered along the seafront.
""")
    article = read_one(path)
    assert article.title == "Pier lights: switched on"
    assert article.url == "https://news.example.org/pier?a=1&b=2"
    assert article.id == article.url
    assert article.published == date(2022, 12, 30)
    assert article.source == "Bayside Weekly"
    assert article.text == "The pier lights were switched on at dusk.\n\nCrowds gathered along the seafront."


def test_front_matter_id_and_published_keys(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "---\nid: ' story-42 '\npublished: 2022-12-30T14:05:00Z\nsource: Daily Post\n"
                 "---\nHeadline here\n\nBody sentence one.\n")
    article = read_one(path)
    assert (article.id, article.title, article.source) == ("story-42", "Headline here", "Daily Post")
    assert article.published == date(2022, 12, 30)


def test_front_matter_errors_name_the_file(tmp_path: Path) -> None:
    bad_date = write(tmp_path / "bad.md", "---\ndate: yesterday-ish\n---\nSome text.\n")
    bad_url = write(tmp_path / "url.md", "---\nurl: ftp://example.org/x\n---\nSome text.\n")
    only_meta = write(tmp_path / "meta.md", "---\ntitle: Nothing else\n---\n\n")
    assert whole_file_error(bad_date) == f'{bad_date}: bad date "yesterday-ish"'
    assert whole_file_error(bad_url).startswith(f'{bad_url}: not an http(s) URL "ftp://')
    assert whole_file_error(only_meta) == f"{only_meta}: no article text in the file"


def test_dashes_without_key_lines_are_not_front_matter(tmp_path: Path) -> None:
    path = write(tmp_path / "rule.txt", "---\nThe vote was close, officials said.\n---\nA recount follows.\n")
    assert read_one(path).text == "---\nThe vote was close, officials said.\n---\nA recount follows."


def test_markdown_is_reduced_to_plain_prose(tmp_path: Path) -> None:
    path = write(tmp_path / "council.md", """# Council *approves* new park

The [city council](https://example.org/council "Council") voted on _Tuesday_ to build a **new park**.
Its budget_line was ~~small~~ modest. ![aerial view](park.png)

<!-- editor: check the figures
before publishing -->

```python
print("not prose")
```

## What happens next

- Work starts in *May*.
* Trees are planted in autumn.
1. A survey follows.

> Residents welcomed the plan, see [the notes][1].

Setext heading
--------------

***

Costs rose by 2*3 percent, and \\*asterisks\\* stay. **Fares *will* rise** in `June`.

[1]: https://example.org/notes
""")
    article = read_one(path)
    assert article.title == "Council approves new park"
    assert article.text == (
        "The city council voted on Tuesday to build a new park.\n"
        "Its budget_line was small modest.\n\n"
        "What happens next\n\n"
        "Work starts in May.\nTrees are planted in autumn.\nA survey follows.\n\n"
        "Residents welcomed the plan, see the notes.\n\n"
        "Setext heading\n\n"
        "Costs rose by 2*3 percent, and *asterisks* stay. Fares will rise in June."
    )


def test_markdown_with_unmatched_markers_stays_fast(tmp_path: Path) -> None:
    # Each marker starting a scan to the end of the line would make this take minutes.
    noise = "a _b *c [d `e ~~f <g <!-- " * 20_000
    article = read_one(write(tmp_path / "noise.md", f"Noise\n\n{noise}\n"))
    # The backticks pair up into code spans, as CommonMark reads them; the rest stays as written.
    assert article.text.startswith("a _b *c [d e ~~f <g <!-- a _b *c [d e")
    assert len(article.text) > 19 * len(noise) // 20


def test_markdown_heading_repeating_front_matter_title_is_dropped(tmp_path: Path) -> None:
    path = write(tmp_path / "t.md", "---\ntitle: Tram line opens\n---\n# Tram line opens\n\nThe first tram ran.\n")
    assert read_one(path).text == "The first tram ran."


def test_bom_and_crlf_are_accepted(tmp_path: Path) -> None:
    path = write(tmp_path / "win.txt", "\ufeffSchool roof fixed\r\n\r\nWorkers finished on Friday.\r\n".encode())
    article = read_one(path)
    assert (article.title, article.text) == ("School roof fixed", "Workers finished on Friday.")


# --- .html ------------------------------------------------------------------------------------------------


def test_html_article_without_boilerplate(tmp_path: Path) -> None:
    article = read_one(write(tmp_path / "ferry.html", FERRY_HTML))
    assert article.title == "Harbour ferry resumes after storm"
    assert article.published == date(2023, 3, 14)  # the date as written, not converted to UTC
    assert article.url == "https://www.example.com/news/ferry-resumes"
    assert article.id == article.url
    assert article.source == "Coastline Gazette"
    paragraphs = article.text.split("\n\n")
    assert paragraphs[0].startswith("The harbour ferry between Northport")
    assert "three-day suspension" in paragraphs[0]
    assert paragraphs[1] == ("Operators said the first crossing left at seven in the morning with forty passengers "
                             "on board, most of them commuters.\nTwo more crossings ran before noon.")
    assert paragraphs[2] == "Fares are unchanged.\nTimetables are online."
    assert paragraphs[3].startswith("The council will review")
    for boilerplate in ("Home", "Sport", "cookies", "Copyright", "Privacy", "Coastline Gazette"):
        assert boilerplate not in article.text


def test_short_html_article(tmp_path: Path) -> None:
    html = """<html><head><title>Library opens late</title></head><body>
<nav><a href="/">Home</a> <a href="/about">About us</a></nav>
<article><p>The town library will open until nine on Thursdays.</p><p>Staff asked for the change.</p>
<p>It starts next week.</p></article><footer>Contact us | Privacy | Terms</footer></body></html>"""
    article = read_one(write(tmp_path / "library-hours.htm", html))
    assert article.title == "Library opens late"
    assert article.text == ("The town library will open until nine on Thursdays.\n\nStaff asked for the change.\n\n"
                            "It starts next week.")
    assert article.published is None  # no guessing from other text on the page
    assert article.id.startswith("sha1:")


def test_short_html_keeps_paragraph_structure(tmp_path: Path) -> None:
    # Under 250 characters trafilatura's fallback extractors would merge all of this into one paragraph.
    html = """<html><head><title>Quay plan</title></head><body><article><p>The mayor backed the quay plan.</p>
<blockquote><p>We will build it.</p><p>It will be done soon.</p></blockquote><p>Costs are below.</p>
<table><tr><td>Quay</td><td>2m</td></tr></table></article></body></html>"""
    article = read_one(write(tmp_path / "quay.html", html))
    assert article.text == ("The mayor backed the quay plan.\n\nWe will build it.\n\nIt will be done soon.\n\n"
                            "Costs are below.")


def test_html_paragraphs_made_of_line_breaks(tmp_path: Path) -> None:
    html = """<html><head><title>Rail strike</title></head><body><div id="menu"><a href="/">Home</a></div>
<div class="story">Train drivers will strike on Friday.<br><br>Buses will replace some trains.<br>
Check before you travel.</div></body></html>"""
    article = read_one(write(tmp_path / "strike.html", html))
    assert article.text == ("Train drivers will strike on Friday.\n\nBuses will replace some trains.\n"
                            "Check before you travel.")


@pytest.mark.parametrize("html", [
    "<html><head><title>Menu</title></head><body><nav><ul><li><a href='/'>Home</a></li><li>News</li></ul></nav>"
    "<footer>Copyright 2021 Example Ltd. All rights reserved.</footer></body></html>",
    "<html><head><title>x</title></head><body><div class='cookie-banner'>We use cookies. Accept all cookies to "
    "continue browsing this site.</div></body></html>",
    "<html><body></body></html>",
])
def test_html_without_article_text(tmp_path: Path, html: str) -> None:
    path = write(tmp_path / "page.html", html)
    assert whole_file_error(path) == f"{path}: no article text found in the HTML"


# --- .json and .jsonl -------------------------------------------------------------------------------------

RECORD = {"title": "Zoo welcomes twin otters", "text": "Two otter pups were born at the city zoo.",
          "url": "https://example.net/zoo/otters#top", "published": "2023-05-02", "outlet": "Metro Daily"}


def test_json_single_object(tmp_path: Path) -> None:
    path = write(tmp_path / "one.json", json.dumps(RECORD))
    article = read_one(path)
    assert article == Article(id="https://example.net/zoo/otters", title="Zoo welcomes twin otters",
                              text="Two otter pups were born at the city zoo.", url="https://example.net/zoo/otters",
                              source="Metro Daily", published=date(2023, 5, 2), origin=str(path))


def test_json_list_and_articles_key(tmp_path: Path) -> None:
    records = [RECORD, {"body": "Snow closed the mountain pass.", "date": "8-APR-1987 00:38:26.78"}]
    for name, data in (("list.json", records), ("wrapped.json", {"articles": records})):
        articles = list(read_file(write(tmp_path / name, json.dumps(records if name == "list.json" else data))))
        assert [a.title for a in articles] == ["Zoo welcomes twin otters", "Untitled"]
        assert articles[1].published == date(1987, 4, 8)


def test_json_bad_record_does_not_stop_the_rest(tmp_path: Path) -> None:
    path = write(tmp_path / "mixed.json", json.dumps([RECORD, {"title": "No body"}, {"text": 5}]))
    items = list(read_file(path))
    assert isinstance(items[0], Article)
    assert [str(item) for item in items[1:]] == [f'{path}: record 2: no "text" or "body"',
                                                 f'{path}: record 3: "text" is not a string']


@pytest.mark.parametrize(("content", "reason"), [
    ('{"text": "a",}', "not valid JSON (Expecting property name enclosed in double quotes at line 1 column 14)"),
    ("[1, 2", "not valid JSON (Expecting ',' delimiter at line 1 column 6)"),
    ('"just a string"', 'expected an article object, a list of them or {"articles": [...]}'),
    ('{"articles": []}', "no articles in the list"),
    ('{"title": "No text"}', 'no "text" or "body"'),
])
def test_json_whole_file_errors(tmp_path: Path, content: str, reason: str) -> None:
    path = write(tmp_path / "bad.json", content)
    items: list[object] = []
    try:
        items = list(read_file(path))
    except SourceError as error:
        items = [error]
    assert [str(item) for item in items] == [f"{path}: {reason}"]


def test_jsonl_good_and_bad_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps({"text": "Line one is fine.", "id": 7}),
        '{"text": "broken" "title": "x"}',
        "",
        json.dumps({"title": "No text here"}),
        json.dumps({"text": "Has a bad date.", "date": "yesterday-ish"}),
        json.dumps({"text": "Has a bad URL.", "url": "javascript:alert(1)"}),
        "[1, 2]",
        json.dumps({"text": "   "}),
        json.dumps({"text": "Last line is fine too.", "source": "Wire"}),
    ]
    path = write(tmp_path / "data.jsonl", "\n".join(lines) + "\n")
    items = list(read_file(path))
    good = [item for item in items if isinstance(item, Article)]
    assert [(a.id, a.origin) for a in good] == [("7", f"{path}:1"), (good[1].id, f"{path}:9")]
    assert good[1].source == "Wire"
    assert [str(item) for item in items if isinstance(item, SourceError)] == [
        f"{path}:2: not valid JSON (Expecting ',' delimiter at column 19)",
        f'{path}:4: no "text" or "body"',
        f'{path}:5: bad date "yesterday-ish"',
        f'{path}:6: not an http(s) URL "javascript:alert(1)"',
        f"{path}:7: not a JSON object",
        f'{path}:8: "text" is empty',
    ]


def test_deeply_nested_json(tmp_path: Path) -> None:
    path = write(tmp_path / "deep.json", "[" * 100_000)
    assert whole_file_error(path) == f"{path}: JSON nested too deeply"
    lines = write(tmp_path / "deep.jsonl", "[" * 100_000 + '\n{"text": "Fine."}\n')
    first, second = read_file(lines)
    assert str(first) == f"{lines}:1: JSON nested too deeply"
    assert isinstance(second, Article) and second.text == "Fine."


def test_jsonl_bom_and_bad_utf8_line(tmp_path: Path) -> None:
    content = b'\xef\xbb\xbf{"text": "First."}\n{"text": "caf\xe9"}\n{"text": "Third."}\n'
    path = write(tmp_path / "mixed.jsonl", content)
    items = list(read_file(path))
    assert [a.text for a in items if isinstance(a, Article)] == ["First.", "Third."]
    assert [str(e) for e in items if isinstance(e, SourceError)] == [
        f"{path}:2: not valid UTF-8 (byte 0xe9 at column 14)"]


def test_big_jsonl_streams_without_size_limit(tmp_path: Path) -> None:
    line = json.dumps({"text": "Tide tables were updated for the season. " * 50}) + "\n"
    path = tmp_path / "big.jsonl"
    path.write_text(line * (21_000_000 // len(line) + 1), encoding="utf-8")
    assert path.stat().st_size > 20 * 1024 * 1024
    items = read_file(path, max_file_mb=1)
    first = next(items)
    assert isinstance(first, Article) and first.origin == f"{path}:1"
    assert sum(1 for _ in items) + 1 == 21_000_000 // len(line) + 1


def test_a_jsonl_line_over_the_file_limit_is_skipped_unread(tmp_path: Path) -> None:
    good = json.dumps({"id": "ok", "text": "Short and sweet."}) + "\n"
    huge = json.dumps({"id": "huge", "text": "word " * 500_000}) + "\n"
    path = tmp_path / "mixed.jsonl"
    path.write_text(good + huge + good.replace("ok", "ok2") + huge.rstrip("\n"), encoding="utf-8")
    items = list(read_file(path, max_file_mb=1))
    assert [item.id for item in items if isinstance(item, Article)] == ["ok", "ok2"]
    limit = "the 1 MB limit for one file or record (ingest.max_file_mb)"
    assert [str(item) for item in items if isinstance(item, SourceError)] == [
        f"{path}:2: the line is 2.4 MB, over {limit}", f"{path}:4: the line is 2.4 MB, over {limit}"]

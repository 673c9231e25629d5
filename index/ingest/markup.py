"""Turn Markdown and HTML into plain article prose, with the metadata each format carries."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from html import unescape
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from configparser import ConfigParser

    from markdown_it import MarkdownIt
    from markdown_it.token import Token
    from trafilatura.settings import Document

from index.text import one_line

# Pruned before extraction: on pages with little text, trafilatura's fallback
# extractors would otherwise return the menu or the cookie notice as the article.
_BOILERPLATE_XPATH = ["//nav", "//footer", "//aside",
                      "//*[contains(@class, 'cookie') or contains(@id, 'cookie') or contains(@class, 'consent')]"]
# No extensive search: it guesses dates from any text, such as "Copyright 2021".
_HTML_DATE_PARAMS = {"original_date": True, "extensive_search": False}
_HTML_OPTIONS: dict[str, Any] = {"with_metadata": True, "include_comments": False, "include_tables": False,
                                 "prune_xpath": _BOILERPLATE_XPATH, "date_extraction_params": _HTML_DATE_PARAMS}
_BLOCK_TAGS = frozenset({"p", "head", "list", "quote", "div", "code", "table"})

# Not one_line: a space at either end stays, as it parts this text from the neighbouring text of its element.
_WHITESPACE = re.compile(r"\s+")
_CANONICAL_LINK = re.compile(r"<link\b[^>]*\brel\s*=\s*[\"']?canonical\b[^>]*>", re.IGNORECASE)
_HREF = re.compile(r"\bhref\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))", re.IGNORECASE)
_FRONT_MATTER_LINE = re.compile(r"([A-Za-z][\w-]*)[ \t]*:[ \t]*(.*)")
# Tags that start or end a block of text in an HTML block; any other tag sits inside a line.
_HTML_BLOCK_TAGS = frozenset({"address", "article", "aside", "blockquote", "br", "dd", "details", "div", "dl", "dt",
                              "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
                              "li", "main", "nav", "ol", "p", "section", "summary", "table", "td", "th", "tr", "ul"})
# Code and scripts in an HTML block are no more prose than a fenced code block is.
_HTML_SKIPPED_TAGS = frozenset({"pre", "script", "style"})


@dataclass(frozen=True)
class HtmlArticle:
    """The main text and metadata of an HTML page; paragraphs are separated by blank lines."""

    title: str
    text: str
    url: str | None = None
    date: str | None = None
    sitename: str | None = None
    author: str | None = None


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """Split a leading block of "key: value" lines between "---" lines from the body."""
    lines = text.split("\n")
    if lines[0].strip() != "---":
        return {}, text
    meta: dict[str, str] = {}
    for number, line in enumerate(lines[1:], start=1):
        if line.strip() in ("---", "..."):
            return meta, "\n".join(lines[number + 1 :])
        match = _FRONT_MATTER_LINE.fullmatch(line.rstrip())
        if match:
            value = match[2].strip()
            # Chained comparison: quoted with the same quote character at both ends.
            meta[match[1].lower()] = value[1:-1] if len(value) > 1 and value[0] == value[-1] in "\"'" else value
        # Indented lines, YAML list items and comments belong to keys we ignore;
        # anything else means the "---" was a rule in the text, not front matter.
        elif line.strip() and not line[0].isspace() and not line.startswith(("-", "#")):
            return {}, text
    return {}, text


def strip_markdown(text: str) -> str:
    """Reduce Markdown to plain prose: quoted sentences must not carry markup."""
    # Blocks are parted by a blank line, as the sentence splitter reads one as a paragraph end; the items of a tight
    # list by a newline, as written. Code blocks, rules and images carry no prose and are left out.
    parts: list[str] = []
    tight_before = False
    tokens = _markdown_parser().parse(text)
    for number, token in enumerate(tokens):
        if token.type == "inline":
            block, tight = _inline_words(token.children or []), tokens[number - 1].hidden
        elif token.type == "html_block":
            block, tight = _html_text(token.content), False
        else:
            continue
        if block.strip():
            if parts:
                parts.append("\n" if tight and tight_before else "\n\n")
            parts.append(block)
            tight_before = tight
    return "".join(parts)


@cache
def _markdown_parser() -> MarkdownIt:
    """A CommonMark parser that also reads ~~strikethrough~~, whose words are kept."""
    # Imported here, as trafilatura is below: commands that read no Markdown need not pay for it.
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("strikethrough")


def _inline_words(children: list[Token]) -> str:
    """The words of a paragraph or heading: link text without its URL, code spans as written, no images."""
    return "".join(child.content if child.type in ("text", "code_inline")
                   else "\n" if child.type in ("softbreak", "hardbreak") else "" for child in children)


def _html_text(html: str) -> str:
    """The text of an HTML block, a line for each of its blocks, entities decoded and tags dropped."""
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    return "\n".join(line for line in map(str.strip, "".join(parser.parts).split("\n")) if line)


class _HtmlText(HTMLParser):
    """Collects the text of raw HTML, a newline at each block tag, leaving out code and scripts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Start a line at a block tag; start skipping at code or a script."""
        if tag in _HTML_SKIPPED_TAGS:
            self.skipping += 1
        self.parts.append("\n" if tag in _HTML_BLOCK_TAGS else "")

    def handle_endtag(self, tag: str) -> None:
        """End a line at a block tag; stop skipping at the end of code or a script."""
        if tag in _HTML_SKIPPED_TAGS and self.skipping:
            self.skipping -= 1
        self.parts.append("\n" if tag in _HTML_BLOCK_TAGS else "")

    def handle_data(self, data: str) -> None:
        """Keep text outside code and scripts."""
        if not self.skipping:
            self.parts.append(data)


@cache
def _main_extractor_only() -> ConfigParser:
    """trafilatura's settings with its fallback extractors off (MIN_EXTRACTED_SIZE 0)."""
    from trafilatura.settings import use_config

    config = use_config()
    config.set("DEFAULT", "MIN_EXTRACTED_SIZE", "0")
    return config


def extract_html(html: str) -> HtmlArticle | None:
    """Extract an HTML page's main text and metadata with trafilatura, or None if it finds no page."""
    # Imported here: it takes a few tenths of a second, which commands that read no HTML should not pay.
    import trafilatura

    # Fallback extractors run only if the main one finds nothing: on short articles they
    # flatten the paragraphs into one and pick up menus.
    # Without as_dict=True trafilatura returns a Document (or None); its signature also allows the dict.
    document = cast("Document | None", trafilatura.bare_extraction(html, config=_main_extractor_only(), **_HTML_OPTIONS)
                    or trafilatura.bare_extraction(html, **_HTML_OPTIONS))
    if document is None:
        return None
    return HtmlArticle(title=one_line(document.title), text="\n\n".join(_paragraphs(document.body)),
                       url=document.url or _canonical_link(html), date=document.date, sitename=document.sitename,
                       author=one_line(document.author) or None)


def _canonical_link(html: str) -> str | None:
    """The href of the page's <link rel="canonical">, as written: trafilatura keeps only absolute ones."""
    tag = _CANONICAL_LINK.search(html)
    href = _HREF.search(tag.group(0)) if tag else None
    return unescape(next(part for part in href.groups() if part is not None)) if href else None


def _paragraphs(element: Any) -> Iterator[str]:
    """Yield the paragraphs in trafilatura's output tree; a list is one paragraph, an item per line."""
    for child in element:
        if child.tag == "list":
            groups = [[_inline_text(item) for item in child.iter("item")]]
        elif any(grandchild.tag in _BLOCK_TAGS for grandchild in child):
            yield from _paragraphs(child)  # a <div> or <quote> holding paragraphs of its own
            continue
        else:
            # Two <br> in a row separate paragraphs, as on pages laid out without <p>.
            groups = [chunk.split("\n") for chunk in re.split(r"\n *\n", _inline_text(child))]
        for lines in groups:
            if paragraph := "\n".join(line for line in map(one_line, lines) if line):
                yield paragraph


def _inline_text(element: Any) -> str:
    """Return an element's text with <lb/> as a newline, leaving nested list items to the caller."""
    # Line breaks in the HTML source are only spaces; <lb/> (a <br>) is the real one.
    parts = [_WHITESPACE.sub(" ", element.text or "")]
    for child in element:
        if child.tag == "lb":
            parts.append("\n")
        elif child.tag != "list":
            parts.append(_inline_text(child))
        parts.append(_WHITESPACE.sub(" ", child.tail or ""))
    return "".join(parts)


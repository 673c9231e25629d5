"""strip_markdown against the CommonMark specification's examples (tests/data/commonmark_spec.json): the text of
each example's expected HTML is the right plain text. Every example that passes or fails is pinned, so a
regression and an unnoticed improvement both show."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

from index.ingest.markup import strip_markdown

SPEC = Path(__file__).parent / "data" / "commonmark_spec.json"

# Text a browser does not show, and code blocks, which newsbot leaves out.
HIDDEN_TAGS = frozenset({"pre", "script", "style"})
# Tags whose start and end part the text around them, as paragraphs and list items do.
BLOCK_TAGS = frozenset({"blockquote", "br", "div", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "ol", "p",
                        "table", "td", "th", "tr", "ul"})
# Markdown (or HTML) syntax that should not reach a quoted sentence. A leak is a pattern found more often in the
# output than in the right text, since some examples show these characters as text, escaped.
LEAKS = {
    "link or reference brackets": re.compile(r"\[[^\[\]\n]*\]"),
    "image marker": re.compile(r"!\["),
    "entity": re.compile(r"&(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#[xX][0-9A-Fa-f]+);"),
    "backslash escape": re.compile(r"\\[!-/:-@\[-`{-~]"),
    "heading marker": re.compile(r"^[ \t]*#{1,6}(?:[ \t]|$)", re.MULTILINE),
    "block quote marker": re.compile(r"^[ \t]*>", re.MULTILINE),
    "list marker": re.compile(r"^[ \t]*(?:[-+*]|[0-9]{1,9}[.)])(?:[ \t]|$)", re.MULTILINE),
    "emphasis or code marker": re.compile(r"[*_`]"),
    "HTML tag": re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:[\s/>]|$)|<[!?]"),
}

# Of the 652 examples (spec 0.31.2), the number strip_markdown gets right, those it gets wrong and those whose
# output has syntax left. Both wrong ones are quirks of the expected HTML, not syntax left in the text:
# 148's raw <pre> is left open, so this test's reading of the HTML hides the Markdown paragraph after it, and
# Python's html.parser reads 626's "<!-->" as the start of a comment (HTML reads it as a whole, empty one).
PASSED = 650
FAILING = frozenset({148, 626})
LEAKING: frozenset[int] = frozenset()


class HtmlText(HTMLParser):
    """The text a reader sees in rendered HTML, less code blocks (images show none), a line break at each block."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in HIDDEN_TAGS:
            self.hidden += 1
        self.parts.append("\n" if tag in BLOCK_TAGS else "")

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN_TAGS and self.hidden:
            self.hidden -= 1
        self.parts.append("\n" if tag in BLOCK_TAGS else "")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def html_text(html: str) -> str:
    """The plain text of an example's expected HTML, block breaks as newlines."""
    parser = HtmlText()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def normalise(text: str) -> str:
    """Whitespace runs made one space, none at the ends: how the two texts are compared."""
    return " ".join(text.split())


def leaks(output: str, right: str) -> list[str]:
    """The kinds of syntax the output holds more of than the right text does."""
    return [name for name, pattern in LEAKS.items() if len(pattern.findall(output)) > len(pattern.findall(right))]


def examples() -> list[dict]:
    """The specification's examples: markdown, html, example number, section."""
    return json.loads(SPEC.read_text(encoding="utf-8"))


def score(strip: Callable[[str], str]) -> tuple[set[int], set[int]]:
    """The examples a stripper gets wrong, and those whose output has syntax left in it."""
    failing: set[int] = set()
    leaking: set[int] = set()
    for example in examples():
        output, right = strip(example["markdown"]), html_text(example["html"])
        if normalise(output) != normalise(right):
            failing.add(example["example"])
        if leaks(output, right):
            leaking.add(example["example"])
    return failing, leaking


def test_the_table_is_the_whole_specification() -> None:
    assert len(examples()) == 652
    assert [example["example"] for example in examples()] == list(range(1, 653))


def test_the_right_text_for_the_pinned_examples() -> None:
    failing, _ = score(strip_markdown)
    assert (652 - len(failing), sorted(failing - FAILING), sorted(FAILING - failing)) == (PASSED, [], []), (
        "passed, newly failing examples, newly passing examples (pin them)")


def test_syntax_left_only_in_the_pinned_examples() -> None:
    _, leaking = score(strip_markdown)
    assert (sorted(leaking - LEAKING), sorted(LEAKING - leaking)) == ([], []), (
        "newly leaking examples, examples no longer leaking (pin them)")

"""An article's one-line fields as the library stores them: no control characters in an id, title, outlet or byline."""

from __future__ import annotations

import re
from dataclasses import replace

from index.models import Article
from index.text import one_line as collapsed  # this module's one_line also clears control characters

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SHOWN_ID = 60


def control_characters(text: str) -> bool:
    """Whether text holds a control character (C0, DEL or C1)."""
    return _CONTROL.search(text) is not None


def id_problem(article: Article) -> str | None:
    """Why an article's id cannot be stored (one line naming the article), or None when it can."""
    if not control_characters(article.id):
        return None
    # Invisible, and one of them (U+001F) joins a scope to an id in a stored id: refused, and shown escaped.
    shown = article.id.encode("unicode_escape").decode("ascii")[:_SHOWN_ID]
    return f'{article.origin or shown}: the id "{shown}" holds control characters'


def one_line(text: str | None) -> str | None:
    """A one-line field with its control characters made spaces and then collapsed; a field without any as it is."""
    # As it is: the title is part of the content hash, and a clean stored article must stay unchanged.
    if text is None or not control_characters(text):
        return text
    return collapsed(_CONTROL.sub(" ", text))


def with_clean_lines(article: Article) -> Article:
    """The article without control characters (NUL, terminal escapes, ...) in its title, outlet and byline."""
    # They would be stored and printed raw: a title can clear a terminal or hide what it says.
    return replace(article, title=one_line(article.title) or "Untitled", source=one_line(article.source) or None,
                   author=one_line(article.author) or None)

"""What the library takes of an article's id: no control characters (invisible, and one joins scope and id)."""

from __future__ import annotations

import re

from index.models import Article

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

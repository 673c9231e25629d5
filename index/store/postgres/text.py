"""Text as PostgreSQL's search should see it: folded and split as FTS5's `unicode61 remove_diacritics 2` does."""

from __future__ import annotations

import re
import unicodedata

# unicode61 keeps letters and digits in a token and splits on everything else, underscores included.
_WORD = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """The text case-folded and without diacritics ("Dvořák" → "dvorak"): done here, as PostgreSQL may lack unaccent."""
    # Canonical (not compatibility) decomposition, as unicode61's: "½" and "ﬁ" stay one character, one token.
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return unicodedata.normalize("NFC", bare.casefold())


def token_count(text: str) -> int:
    """How many words FTS5's unicode61 would index in the text: the document length BM25 divides by."""
    return len(_WORD.findall(fold(text)))

"""Text basics the whole engine shares: whitespace, words, stop words and sizes (pure)."""

from __future__ import annotations

import re

MB = 1024 * 1024  # bytes: the size limits in the settings are in megabytes

# A word as every part of the engine counts words: a run of Unicode letters, digits or underscores.
WORD = re.compile(r"\w+")


def one_line(text: str | None) -> str:
    """The text on one line: every run of whitespace, newlines included, one space; none at either end."""
    return " ".join((text or "").split())


def words(text: str) -> list[str]:
    """The words of a text, in order, as written."""
    return WORD.findall(text)


# Three stop-word lists, each a superset of the next, because each was tuned or stored with its own: merging them
# would change what the engine finds and says.
# For search: words that never narrow an FTS5 query, including the requests around a question ("tell", "please").
QUERY_STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have
    having he her here hers herself him himself his how i if in into is it its itself just me more most my
    myself no nor not now of off on once only or other our ours ourselves out over own same she should so
    some such than that the their theirs them themselves then there these they this those through to too
    under until up very was we were what when where which while who whom whose why will with would you
    your yours yourself yourselves s t d ll m re ve tell say said says know please many much
    """.split()
)
# For the answer ranker's word features: question and function words, as its weights (RANKER_WEIGHTS) were fitted.
RANKING_STOPWORDS = frozenset(
    """
    a about after all also an and any are as at be been being but by can could did do does for from had has have
    he her his how i if in into is it its many much of on or our she so than that the their them they this to
    was we were what when where which who whom whose why will with would you s t
    """.split()
)
# For the hashing embedder: the commonest function words only; a library's stored vectors were made with these.
HASHING_STOPWORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in", "is",
    "it", "its", "of", "on", "or", "that", "the", "this", "to", "was", "were", "will", "with",
})

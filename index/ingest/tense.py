"""The tense of the clause a date sits in, so "on Friday" and "in August" point back or forward as meant."""

from __future__ import annotations

import re

from index.ingest.calendars import Tense

# Future first: "planned" and "scheduled" end like past verbs but look ahead.
_FUTURE = (r"will|'ll|shall|(?:is|are|was|were) due|due to|(?:is|are) to|plans? to|planned|planning|scheduled"
           r"|expected|expects?|set to|going to|aims? to|intends? to|upcoming|coming|next")
_PAST = (r"was|were|had|did|said|told|went|came|began|fell|rose|took|gave|made|won|lost|met|left|saw|held|found"
         r"|got|became|struck|ran|sold|bought|paid|spent|brought|thought|led|knew|grew|drew|wrote|spoke|broke"
         r"|chose|fought|sent|built|kept|felt|stood|fled|flew|sank|shot|stole|swore|threw|woke|wore|ago|earlier")
# Weaker: lower-case words in -ed ("United" is a name) are verbs or adjectives ("the damaged wall"), so they
# count only where the clause has no stronger marker; less the common ones that are never past verbs.
_PAST_ED = r"(?-i:[a-z]{2,}[^e\W]ed|[a-z]{2,}ied|[a-z]{3,}eed)"
_NOT_VERBS = frozenset({"need", "seed", "feed", "exceed", "proceed", "succeed", "hundred", "united", "limited",
                        "based"})
# A participle after "be" ("will be held") carries no tense of its own; "has been" looks back.
_MARKER = re.compile(rf"\b(?:(?P<future>{_FUTURE})|(?P<past>(?:has|have|had) been|(?<!\bbe )(?<!been )(?:{_PAST}))"
                     rf"|(?P<weak>(?<!\bbe )(?<!been ){_PAST_ED}))\b", re.IGNORECASE)
# Where one clause ends and the next begins: its tense says nothing about a date in the other.
_CLAUSE_BREAK = re.compile(r"[,;:()\"\u201c\u201d]|\s[-\u2013\u2014]+\s|\b(?:and|but|while|whereas|as|when)\b")


def _clause(sentence: str, start: int, end: int) -> tuple[str, str]:
    """The text of the clause before and after the span [start, end)."""
    breaks_before = [m.end() for m in _CLAUSE_BREAK.finditer(sentence, 0, start)]
    after = _CLAUSE_BREAK.search(sentence, end)
    return sentence[breaks_before[-1] if breaks_before else 0:start], sentence[end:after.start() if after else None]


def _markers(text: str) -> list[Tense]:
    """The tense of each marker in a piece of text, in order: the strong ones if there are any, else the -ed words."""
    found = [match for match in _MARKER.finditer(text) if match[0].lower() not in _NOT_VERBS]
    strong = [match for match in found if not match["weak"]]
    return ["future" if match["future"] else "past" for match in strong or found]


def tense_at(sentence: str, start: int, end: int) -> Tense:
    """The tense nearest a date in its own clause: the last marker before it, else the first after it."""
    before, after = _clause(sentence, start, end)
    markers = _markers(before)
    if markers:
        return markers[-1]
    if markers := _markers(after):
        return markers[0]
    next_clause = _CLAUSE_BREAK.search(sentence, end)
    if not before.strip() and next_clause:  # the date opens its clause ("On Friday, talks resumed"): the next tells
        markers = _markers(_clause(sentence, next_clause.end(), next_clause.end())[1])
        return markers[0] if markers else "none"
    return "none"

"""Clean article bodies and split them into paragraphs, sentences and windows."""

from __future__ import annotations

import re
import unicodedata
from itertools import pairwise

from index.ingest.abbreviations import FINAL, NON_FINAL, NOT_LAST, NUMBERED, SPEECH_VERBS, STARTERS
from index.models import Segment

# Invisible characters that scrapers leave behind; removing them changes no wording.
_INVISIBLE = "\u200b\u200c\u2060\ufeff\u00ad"
# Unicode spaces (non-breaking, thin, ideographic, ...) that should count as a plain space.
_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
_TRANSLATION = {
    **{c: None for c in range(32) if c not in (9, 10)},
    **{c: None for c in range(127, 160)},
    **{ord(c): None for c in _INVISIBLE},
    **{ord(c): " " for c in _SPACES},
}
# Vertical tab, form feed, NEL and the line separator all mean "new line" to a writer.
_LINE_BREAKS = re.compile(r"\r\n?|[\x0b\x0c\x85\u2028]")
# Runs after the first word only: indentation marks paragraphs in wire copy and must keep its width.
_SPACE_RUNS = re.compile(r"(?<=\S)[ \t]+")
_TRAILING_SPACE = re.compile(r"[ \t]+$", re.MULTILINE)
_BLANK_RUNS = re.compile(r"\n{3,}")
_BLANK_LINE = re.compile(r"\n\s*\n")
_BULLET = re.compile(r"(?:[-*•]|\d{1,3}(?:\.\)|[.)]))\s+")
_ENDS_SENTENCE = re.compile(r"[.?!…][”\"’')\]]*$")
# A line ending like this cannot be a headline or a paragraph end, so the block was hard-wrapped.
_ENDS_MID_SENTENCE = re.compile(r"(?:[,;(\-–—]|\b(?:the|a|an|of|to|and|or|in|on|for|with|at|by|from|that|as|but|is|"
                                r"was|were|are|has|have|had|its|their|his|her))$", re.IGNORECASE)
# Wire copy wraps at 60-80 columns; longer lines are whole paragraphs, not wrapped text.
_WRAP_WIDTH = 100
# Filled lines end within a long word's length of the wrap width.
_WRAP_SLACK = 15

_OPENERS = "“\"‘'«([—–-"
_CLOSERS = "”\"’'»)]"
# A stop before white space, or one glued to the next sentence by a lost space ("world.Today is").
_CANDIDATE = re.compile(r"([.?!…]+)([”\"’'»)\]]*)(?:\s+|(?<=[a-z\d]{2}\.)(?=[A-Z][a-z]*\.? ))")
# Where a word glued to the one before it begins ("Tuesday.Mr" -> "Mr").
_GLUED = re.compile(r"[a-z\d]{2}\.(?=[A-Z][a-z])")
_NEXT_WORD = re.compile(r"[“\"‘'«(\[]*(\S*)")
_WORD = re.compile(r"[\w’'-]*")
_ALNUM = re.compile(r"\w")
_DOTTED = re.compile(r"(?:[a-z]\.)+[a-z]")
# Two spaced dots just before a full stop: the stop is the third of a spaced ellipsis (". . .") or the fourth.
_SPACED_DOTS = re.compile(r"(?:\. ){2,}$")
# A stop after this cannot end a sentence: a list marker alone ("2.", "b.)") or a time that opens one ("At 5 a.m.").
_NOT_A_SENTENCE = re.compile(
    r"(?:\d{1,3}|[a-z])\.?\)?|(?:at|by|from|until|till|before|after|around|about|since)\s+\d{1,2}(?:[:.]\d\d)?\s?[ap]\.m\.",
    re.IGNORECASE,
)
_NOT_A_SENTENCE_CHARS = 30  # longer than any of those, so most stops skip the pattern
_CURRENCY = "$£€¥"
# Longer "sentences" (lists without full stops, a word of a million letters) are cut at a space before this
# length: what a sentence costs to split, embed and tokenise then stays bounded however the text runs on.
MAX_SENTENCE_CHARS = 2000


# A bare attribution after a quotation ("Harris asked reporters.") belongs to the quotation, as does a
# parenthesis with the stop outside it, such as a source or a citation ("(Smith 55).").
_CITATION = re.compile(r"\([^()]*\)[.!?]")
_ATTRIBUTION = re.compile(
    rf"[^\s“\"‘'«]\S*(?: \S+){{0,3}} (?:{SPEECH_VERBS})"
    r"(?: (?:reporters|journalists|on|in|at|to|during|after|before|from|via|when|while|"
    r"late|early|last|this|yesterday|today)(?: \S+){0,3})?(?:,[^“\"‘«]*)?[.!?]"
)


def clean_text(text: str) -> str:
    """Normalise unicode and whitespace without touching words or punctuation."""
    text = unicodedata.normalize("NFC", text)
    text = _LINE_BREAKS.sub("\n", text).replace("\u2029", "\n\n")
    text = text.translate(_TRANSLATION)
    text = _SPACE_RUNS.sub(" ", text)
    text = _TRAILING_SPACE.sub("", text)
    return _BLANK_RUNS.sub("\n\n", text).lstrip("\n").rstrip()


def split_paragraphs(text: str) -> list[str]:
    """Split cleaned text into paragraphs and list items, joining hard-wrapped lines."""
    blocks = [[line.rstrip() for line in block.split("\n") if line.strip()] for block in _BLANK_LINE.split(text)]
    widths = [len(line) for block in blocks for line in block]
    width = max(widths, default=0)
    if width > _WRAP_WIDTH:
        # Paragraph-long lines mean the text was never hard-wrapped, so there is no width to fit.
        width = 0
    # A full line is evidence of wrapping only if several lines are full, unlike a lone long headline.
    full = width if sum(w >= width - _WRAP_SLACK for w in widths) >= 3 else 0
    # Wrapping is a property of the whole document, so one clear mid-sentence break decides it.
    wrapped = any(_breaks_mid_sentence(block, full) for block in blocks)
    units: list[str] = []
    for lines in blocks:
        if wrapped:
            units.extend(_unwrap(lines, width))
        else:
            units.extend(line.strip() for line in lines)
    return units


def _breaks_mid_sentence(lines: list[str], full: int) -> bool:
    """True when some line of a block ends mid-sentence, so the text was hard-wrapped."""
    for line, following in pairwise(lines):
        start = following.lstrip()
        if not _BULLET.match(start) and not _looks_like_start(start.lstrip(_OPENERS)):
            return True
        if _ENDS_SENTENCE.search(line):
            # A title such as "Gov." or "e.g." never closes a paragraph, so only a wrapper breaks there.
            if _last_word(line) in NON_FINAL:
                return True
            continue
        if _ENDS_MID_SENTENCE.search(line) or (full and len(line) + 1 + _first_word_length(following) > full):
            return True
    return False


def _unwrap(lines: list[str], width: int) -> list[str]:
    """Join wrapped lines, starting a new unit wherever a break was deliberate."""
    base = min(_indent(line) for line in lines)
    units = [[lines[0]]]
    for previous, line in pairwise(lines):
        in_bullet = bool(_BULLET.match(units[-1][0].lstrip()))
        if _starts_unit(previous, line, width, base, in_bullet):
            units.append([line])
        else:
            units[-1].append(line)
    return [" ".join(part.strip() for part in unit) for unit in units]


def _starts_unit(previous: str, line: str, width: int, base: int, in_bullet: bool) -> bool:
    """Decide whether a line of a wrapped block begins a new paragraph or list item."""
    text = line.lstrip()
    # The next word did not fit, so the wrapper, not the writer, may have broken the line.
    forced = width > 0 and len(previous) + 1 + _first_word_length(text) > width
    if _BULLET.match(text):
        # A dash or number pushed to the line start mid-sentence ("on Feb." / "19.") is not a list marker.
        return not forced or (_ENDS_SENTENCE.search(previous) is not None and _last_word(previous) not in NOT_LAST)
    if _indent(line) > base:
        # An indented first line marks a paragraph, but under a bullet it continues the item.
        return not in_bullet
    if forced:
        return False
    return bool(_ENDS_SENTENCE.search(previous)) or _looks_like_start(text.lstrip(_OPENERS))


def _last_word(line: str) -> str:
    """The last word of a line, lower-cased and without its final mark, for abbreviation lookup."""
    return line.rsplit(" ", 1)[-1].lstrip(_OPENERS).lower()[:-1]


def _first_word_length(line: str) -> int:
    """Length of the first word of a line, which a wrapper would have tried to fit above."""
    return len(line.lstrip().split(" ", 1)[0])


def _indent(line: str) -> int:
    """Number of leading spaces or tabs of a line."""
    return len(line) - len(line.lstrip(" \t"))


def split_sentences(paragraph: str) -> list[str]:
    """Split one cleaned, unwrapped paragraph into sentences that are exact substrings of it."""
    text = paragraph.strip()
    bullet = _BULLET.match(text)
    if bullet:
        # The list marker is layout, not part of the sentence.
        text = text[bullet.end() :]
    spans: list[list[int]] = []
    start = 0
    for match in _CANDIDATE.finditer(text):
        if _is_break(text, match, start):
            _add_span(text, spans, start, match.end(2))
            start = match.end()
    _add_span(text, spans, start, len(text))
    return [piece for a, b in spans for c, d in _pieces(text, a, b) if (piece := text[c:d].strip())]


def _pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A span cut into pieces of at most MAX_SENTENCE_CHARS, each at the last space before that length if any."""
    pieces = []
    while end - start > MAX_SENTENCE_CHARS:
        cut = text.rfind(" ", start + 1, start + MAX_SENTENCE_CHARS + 1)
        cut = cut if cut > start else start + MAX_SENTENCE_CHARS
        pieces.append((start, cut))
        start = cut
    pieces.append((start, end))
    return pieces


def _add_span(text: str, spans: list[list[int]], start: int, end: int) -> None:
    """Append a sentence span, or extend the previous one when the piece cannot stand alone."""
    piece = text[start:end].strip()
    if not piece:
        return
    if spans and _belongs_to_previous(text[spans[-1][0] : spans[-1][1]].rstrip(), piece):
        spans[-1][1] = end
    else:
        spans.append([start, end])


def _belongs_to_previous(previous: str, piece: str) -> bool:
    """True for stray punctuation, and for a bare attribution or citation after a quotation."""
    if not _ALNUM.search(previous) or not _ALNUM.search(piece):
        return True
    return previous[-1] in _CLOSERS and (_ATTRIBUTION.fullmatch(piece) or _CITATION.fullmatch(piece)) is not None


def _is_break(text: str, match: re.Match[str], start: int) -> bool:
    """Decide whether a candidate full stop, ellipsis, ? or ! ends the sentence begun at start."""
    begin, close, end = match.start(), match.end(2), match.end()
    # "word. . . . Next": a full stop, then an ellipsis that opens the next sentence.
    opens_ellipsis = text.startswith(". . . ", end) and match.group(0) == ". " and not text[begin - 1].isspace()
    following = _NEXT_WORD.match(text, end + 6 * opens_ellipsis)
    assert following is not None  # every part of the pattern is optional: it always matches
    word = following.group(1)
    if not _looks_like_start(word):
        return False
    if close - start <= _NOT_A_SENTENCE_CHARS and _NOT_A_SENTENCE.fullmatch(text, start, close):
        return False
    if end == close and not _is_starter(word):
        return False  # a lost space only before a clear opener: "One.Tel" and "Zafi.D" are names
    if match.group(1) != "." or match.group(2) or opens_ellipsis:
        # Only a bare full stop can belong to an abbreviation; "U.S.)" or "etc.”" close a sentence.
        return True
    if spaced := _SPACED_DOTS.search(text, max(0, begin - 12), begin):  # ". . ." omits words
        # Mid-sentence; ". . . ." is an ellipsis and a full stop, unless that stop came first ("word. . . .").
        return spaced.group(0).count(".") >= 3 and not text[spaced.start() - 1 : spaced.start()].strip()
    # A short look-back finds the word before the stop without copying the whole paragraph.
    window = text[max(0, begin - 40) : begin].split()
    token = window[-1] if window else ""
    previous = (_GLUED.split(token)[-1] if "." in token else token).lstrip(_OPENERS)
    if previous == "I" and len(window) > 1 and window[-2].islower():
        return True  # "you and I.": the pronoun, not an initial
    return _abbreviation_allows_break(previous, word)


def _looks_like_start(word: str) -> bool:
    """True when a word could open a sentence: capital, digit, currency or a brand like iPhone."""
    first = word[:1]
    if first.isupper() or first.isdigit() or (first and first in _CURRENCY):
        return True
    return first.islower() and word[1:2].isupper()


def _abbreviation_allows_break(previous: str, word: str) -> bool:
    """After a full stop, rule out abbreviations and initials that do not end the sentence."""
    key = previous.lower()
    if key in NON_FINAL:
        return False
    abbreviation = key in FINAL or _DOTTED.fullmatch(key) is not None or (len(key) == 1 and key.isalpha())
    if word[:1].isdigit() or word[:1] in _CURRENCY:
        return not (abbreviation or key in NUMBERED)
    return not abbreviation or _is_starter(word)


def _is_starter(word: str) -> bool:
    """True when a capitalised word clearly opens a new sentence rather than continuing a name."""
    core = start.group(0) if (start := _WORD.match(word)) else ""  # it always matches: all of it is optional
    if len(core) == 1 and word[1:2] == ".":
        # "J. A. Smith": an initial, not the article "A".
        return False
    return core in STARTERS or core.lower() in NON_FINAL


def segment_article(text: str) -> list[Segment]:
    """Clean an article body and split it into sentences tagged with their paragraph index."""
    paragraphs = split_paragraphs(clean_text(text))
    return [
        Segment(text=sentence, paragraph=index)
        for index, paragraph in enumerate(paragraphs)
        for sentence in split_sentences(paragraph)
    ]


def make_windows(count: int, size: int, overlap: int) -> list[tuple[int, int]]:
    """Cover sentence positions 0..count with windows of `size` sharing `overlap` sentences."""
    if size < 1:
        raise ValueError(f"window size must be at least 1, got {size}")
    if not 0 <= overlap < size:
        raise ValueError(f"overlap must be in [0, {size}), got {overlap}")
    if count < 0:
        raise ValueError(f"count must not be negative, got {count}")
    windows: list[tuple[int, int]] = []
    for start in range(0, count, size - overlap):
        end = min(start + size, count)
        windows.append((start, end))
        if end == count:
            break
    return windows


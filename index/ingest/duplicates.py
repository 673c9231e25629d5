"""Near-duplicate articles: MinHash signatures of word shingles, LSH band keys, and which article is the original."""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from index.models import Article
from index.text import words

SHINGLE_WORDS = 5
PERMUTATIONS = 128
ROWS_PER_BAND = 2  # 64 bands of 2: a pair at similarity 0.2 shares a band 93% of the time, at 0.3 99.7%
# Two texts are one story when the estimated Jaccard similarity of their 5-word shingles reaches THRESHOLD, or
# when the shorter is mostly inside the longer (a wire story cut short): chosen in benchmarks/duplicates.py.
THRESHOLD = 0.45
CONTAINED = 0.8
MIN_CONTAINED_SIMILARITY = 0.2
# Below this many shingles a text is a template (dividend notices, results tables): only near-identical ones match.
MIN_SHINGLES = 30
SHORT_THRESHOLD = 0.8
_PRIME = (1 << 61) - 1
_SIGNATURE_SLICE = 4096  # shingles hashed at once: PERMUTATIONS x this x 8 bytes = 4 MB


def _constants(name: str, bound: int) -> np.ndarray:
    """PERMUTATIONS numbers in [1, bound) derived from hashes, the same on every install and numpy version."""
    # Stored signatures are only comparable with signatures made by the same permutations, forever.
    return np.array([int.from_bytes(hashlib.blake2b(f"{name}{n}".encode(), digest_size=8).digest(), "little")
                     % (bound - 1) + 1 for n in range(PERMUTATIONS)], dtype=np.uint64)


_A = _constants("a", 1 << 31)
_B = _constants("b", 1 << 61)


@dataclass(frozen=True, eq=False)  # compared by identity: equality of numpy fields is not a bool
class Signed:
    """An article (stored or incoming) with its MinHash signature, as the duplicate plan weighs it."""

    id: str
    url: str | None
    published: date | None
    signature: np.ndarray
    size: int  # how many distinct shingles the signature summarises


@dataclass(frozen=True)
class Match:
    """`copy` repeats `original` with this estimated similarity."""

    copy: str
    original: str
    similarity: float


@dataclass(frozen=True)
class Copy:
    """A newcomer to store as a copy of `original` (a public id): its row and text, not its sentences."""

    article: Article
    original: str
    similarity: float
    content_hash: str


@dataclass(frozen=True)
class Links:
    """What a write changes in the groups of copies, applied in the same transaction as its articles (public ids)."""

    signed: tuple[Signed, ...] = ()  # originals written now, with their signatures
    copies: tuple[Copy, ...] = ()  # newcomers stored as copies, not indexed
    demoted: tuple[Match, ...] = ()  # stored originals that become copies of an earlier newcomer
    succeeded: tuple[tuple[str, str], ...] = ()  # (removed original, its first copy, which takes its place)


def shingles(text: str) -> set[int]:
    """Hashes of the text's overlapping runs of SHINGLE_WORDS words (the whole text when it is shorter)."""
    tokens = words(text.casefold())
    runs = range(max(len(tokens) - SHINGLE_WORDS + 1, 1)) if tokens else range(0)
    return {zlib.crc32(" ".join(tokens[i:i + SHINGLE_WORDS]).encode()) for i in runs}


def signature(hashes: set[int]) -> np.ndarray:
    """The MinHash signature (uint32 x PERMUTATIONS) of a non-empty set of shingle hashes."""
    values = np.fromiter(hashes, dtype=np.uint64, count=len(hashes))
    lowest = np.full(PERMUTATIONS, np.iinfo(np.uint64).max, dtype=np.uint64)
    # A slice at a time: the whole PERMUTATIONS x shingles matrix of a long article would take gigabytes.
    for start in range(0, len(values), _SIGNATURE_SLICE):
        part = values[start:start + _SIGNATURE_SLICE]
        # a * x + b < 2**63 + 2**61 cannot overflow uint64; mod a prime above every crc32 keeps it a universal hash.
        np.minimum(lowest, ((np.outer(_A, part) + _B[:, None]) % np.uint64(_PRIME)).min(axis=1), out=lowest)
    return (lowest & np.uint64(0xFFFFFFFF)).astype(np.uint32)


def signed(article: Article) -> Signed | None:
    """An article with the signature of its title and text; None when they have no words to compare."""
    # The title counts too: in short templated items (dividend notices) it is what names the company.
    hashes = shingles(f"{article.title}\n{article.text}")
    if not hashes:
        return None
    return Signed(article.id, article.url, article.published, signature(hashes), len(hashes))


def band_keys(signature: np.ndarray) -> list[int]:
    """One signed 64-bit key per band: two signatures sharing a key are worth comparing."""
    keys = []
    for band, start in enumerate(range(0, PERMUTATIONS, ROWS_PER_BAND)):
        rows = signature[start:start + ROWS_PER_BAND].tobytes()
        digest = hashlib.blake2b(bytes([band]) + rows, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return keys


def similarity(first: np.ndarray, second: np.ndarray) -> float:
    """The share of equal MinHash values: an estimate of the two texts' shingle Jaccard similarity."""
    return float(np.mean(first == second))


def containment(score: float, first: int, second: int) -> float:
    """The share of the smaller shingle set inside the larger, from their Jaccard similarity and sizes."""
    shared = score * (first + second) / (1 + score)
    return min(shared / min(first, second), 1.0)


def is_copy(first: Signed, second: Signed) -> float | None:
    """The two articles' similarity when it makes them one story, else None."""
    score = similarity(first.signature, second.signature)
    if min(first.size, second.size) < MIN_SHINGLES:
        return score if score >= SHORT_THRESHOLD else None
    contained = score >= MIN_CONTAINED_SIMILARITY and containment(score, first.size, second.size) >= CONTAINED
    return score if score >= THRESHOLD or contained else None


def precedes(first: date | None, second: date | None) -> bool:
    """Whether an article published on `first` came strictly before one published on `second` (undated: last)."""
    return first is not None and (second is None or first < second)


class _Buckets:
    """The originals so far, filed under their LSH band keys: a newcomer is compared only with those sharing one."""

    def __init__(self) -> None:
        self._by_key: dict[int, list[Signed]] = {}
        # id() of a filed article -> (its place in the pool, its band keys): ties go to the earlier place, as they
        # did when every pair was compared.
        self._filed: dict[int, tuple[int, list[int]]] = {}

    def add(self, item: Signed, keys: list[int], place: int | None = None) -> None:
        """File an original under each of its band keys, last in the pool unless given a place."""
        self._filed[id(item)] = (len(self._filed) if place is None else place, keys)
        for key in keys:
            self._by_key.setdefault(key, []).append(item)

    def replace(self, old: Signed, new: Signed, keys: list[int]) -> None:
        """An earlier newcomer takes a filed original's place."""
        place, old_keys = self._filed.pop(id(old))
        for key in old_keys:
            self._by_key[key].remove(old)
        self.add(new, keys, place)

    def near(self, keys: list[int]) -> list[Signed]:
        """The filed originals sharing at least one of these band keys, each once, in pool order."""
        found = {id(other): other for key in keys for other in self._by_key.get(key, ())}
        return sorted(found.values(), key=lambda other: self._filed[id(other)][0])


def _best_match(item: Signed, pool: Sequence[Signed]) -> tuple[Signed, float] | None:
    """The article of the pool that `item` repeats most closely, if any; never another version of itself."""
    best: tuple[Signed, float] | None = None
    for other in pool:
        if other.id == item.id or (item.url is not None and other.url == item.url):
            continue  # the same article under its id or url: a new version of it, not a copy
        score = is_copy(item, other)
        if score is not None and (best is None or score > best[1]):
            best = (other, score)
    return best


def plan_duplicates(incoming: Sequence[Signed], stored: Sequence[Signed]) -> list[Match]:
    """Which incoming and stored articles become copies of which: the earliest published of a story stays original.

    Incoming articles are weighed earliest first, each against the originals so far (stored ones, then earlier
    incoming ones) that share an LSH band with it, as the store finds stored ones: never every pair. A newcomer
    published before the stored original it repeats takes its place, and the stored one (with its copies, which the
    store re-points) becomes its copy. Ties keep the article already there.
    """
    originals = _Buckets()
    for item in stored:
        originals.add(item, band_keys(item.signature))
    matches: list[Match] = []
    for item in sorted(incoming, key=lambda item: (item.published is None, item.published or date.min)):
        keys = band_keys(item.signature)
        found = _best_match(item, originals.near(keys))
        if found is None:
            originals.add(item, keys)
            continue
        original, score = found
        if precedes(item.published, original.published):
            originals.replace(original, item, keys)
            matches.append(Match(copy=original.id, original=item.id, similarity=round(score, 4)))
        else:
            matches.append(Match(copy=item.id, original=original.id, similarity=round(score, 4)))
    return matches

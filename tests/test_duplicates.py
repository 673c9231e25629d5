"""MinHash near-duplicate detection and the choice of the original (pure functions, no storage)."""

from datetime import date

import numpy as np

from index.ingest import duplicates
from index.ingest.duplicates import (
    PERMUTATIONS,
    ROWS_PER_BAND,
    Match,
    band_keys,
    is_copy,
    plan_duplicates,
    precedes,
    signature,
    signed,
    similarity,
)
from index.models import Article
from tests.stories import EDITED, SAME_TOPIC, WIRE


def sign(article_id: str, text: str, title: str = "A headline", published: date | None = None,
         url: str | None = None):
    return signed(Article(article_id, title, text, url=url, published=published))


def test_a_lightly_edited_wire_copy_under_another_headline_matches():
    original, copy = sign("a", WIRE, "Port Halden to close terminal"), sign("b", EDITED, "Cranes shut Halden port")
    assert is_copy(original, copy) is not None
    assert is_copy(copy, original) == is_copy(original, copy)


def test_a_different_story_on_the_same_topic_does_not_match():
    assert is_copy(sign("a", WIRE), sign("c", SAME_TOPIC)) is None


def test_the_same_text_matches_exactly_and_unrelated_texts_barely_agree():
    assert similarity(sign("a", WIRE).signature, sign("b", WIRE).signature) == 1.0
    assert similarity(sign("a", WIRE).signature, sign("c", SAME_TOPIC).signature) < 0.1


def test_a_story_cut_to_its_first_half_is_still_a_copy():
    half = "\n\n".join(WIRE.split("\n\n")[:3])
    assert is_copy(sign("a", WIRE), sign("b", half)) is not None


def test_short_templated_items_match_only_when_near_identical():
    notice = "Quarterly dividend {} cents a share, payable on {} to holders of record on {}."
    first = sign("a", notice.format(5, "July 1", "June 15"), "Northwind Bank sets dividend")
    other_company = sign("b", notice.format(5, "July 10", "June 15"), "Southport Mills sets dividend")
    repeated = sign("c", notice.format(5, "July 1", "June 15"), "Northwind Bank sets dividend")
    assert first.size < 30
    assert is_copy(first, other_company) is None
    assert is_copy(first, repeated) == 1.0


def test_a_text_without_words_has_no_signature():
    assert sign("a", "... --- !!!", title="--") is None
    assert sign("b", "Brief.").size == 1


def test_band_keys_agree_for_equal_signatures_and_mostly_differ_otherwise():
    first, second = sign("a", WIRE).signature, sign("c", SAME_TOPIC).signature
    assert len(band_keys(first)) == PERMUTATIONS // ROWS_PER_BAND
    assert band_keys(first) == band_keys(first.copy())
    assert len(set(band_keys(first)) & set(band_keys(second))) <= 2
    assert first.dtype == np.uint32


def test_the_earliest_published_article_of_a_story_is_the_original():
    assert precedes(date(2024, 3, 1), date(2024, 3, 2)) and precedes(date(2024, 3, 1), None)
    assert not precedes(None, date(2024, 3, 1)) and not precedes(date(2024, 3, 1), date(2024, 3, 1))
    stored = sign("late", WIRE, published=date(2024, 3, 5))
    newcomer = sign("early", EDITED, published=date(2024, 3, 4))
    [match] = plan_duplicates([newcomer], [stored])
    assert (match.copy, match.original) == ("late", "early")
    [match] = plan_duplicates([sign("later", EDITED, published=date(2024, 3, 6))], [stored])
    assert (match.copy, match.original) == ("later", "late")


def test_a_batch_links_every_copy_to_its_earliest_article_and_keeps_other_stories():
    batch = [sign("third", WIRE, published=date(2024, 3, 7)), sign("other", SAME_TOPIC, published=date(2024, 3, 6)),
             sign("first", EDITED, published=date(2024, 3, 5)), sign("undated", WIRE)]
    matches = plan_duplicates(batch, [])
    assert {(m.copy, m.original) for m in matches} == {("third", "first"), ("undated", "first")}
    assert all(isinstance(m, Match) and 0.45 <= m.similarity <= 1 for m in matches)


def test_a_new_version_of_an_article_is_never_its_own_copy():
    stored = sign("story", WIRE, url="https://example.com/a")
    assert plan_duplicates([sign("story", EDITED)], [stored]) == []
    assert plan_duplicates([sign("story-v2", EDITED, url="https://example.com/a")], [stored]) == []


def test_a_long_articles_signature_is_the_one_of_all_its_shingles_at_once() -> None:
    hashes = set(range(1, 3_000_000, 97))  # ~31,000 shingles: several slices
    values = np.fromiter(hashes, dtype=np.uint64)
    a, b = duplicates._A, duplicates._B
    whole = ((np.outer(a, values) + b[:, None]) % np.uint64(duplicates._PRIME)).min(axis=1)
    assert np.array_equal(signature(hashes), (whole & np.uint64(0xFFFFFFFF)).astype(np.uint32))


def test_a_batch_compares_only_articles_sharing_an_lsh_band_never_every_pair(monkeypatch):
    words = [f"word{n}" for n in range(4000)]
    rng = np.random.default_rng(7)
    batch = [sign(f"story{n}", " ".join(rng.choice(words, 80)), title=f"Story {n}") for n in range(200)]
    batch.append(sign("repeat", WIRE, published=date(2024, 3, 6)))
    batch.append(sign("first", EDITED, published=date(2024, 3, 5)))
    compared = []
    monkeypatch.setattr(duplicates, "is_copy", lambda first, second: compared.append(1) or is_copy(first, second))
    matches = plan_duplicates(batch, [])
    assert [(m.copy, m.original) for m in matches] == [("repeat", "first")]
    assert len(compared) < 200  # every pair would be 20,000 comparisons

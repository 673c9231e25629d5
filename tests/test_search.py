"""Tests of the pure retrieval helpers: question terms, FTS5 queries, rank fusion."""

from index.search.queries import fuse_rankings, query_terms, within_budget
from index.store.sqlite.fts import fts_match
from index.store.terms import TermQuery, term_query


def test_query_terms_drop_question_and_function_words():
    assert query_terms("How many drones did Ukraine shoot down?") == ["drones", "ukraine", "shoot"]


def test_query_terms_keep_numbers_and_unicode_and_drop_repeats():
    assert query_terms("Zelenskiy, Zelenskiy: 54 of 69 — São Paulo?") == ["zelenskiy", "54", "69", "são", "paulo"]


def test_query_terms_of_only_function_words_is_empty():
    assert query_terms("What is it?") == []


def test_an_fts5_match_quotes_every_term_so_syntax_is_literal():
    assert fts_match(TermQuery(("near", "or", 'say"x'))) == '"near" OR "or" OR "say""x"'
    assert fts_match(TermQuery(("drone", "kyiv"), every=True)) == '"drone" AND "kyiv"'


def test_a_word_search_of_no_words_is_none():
    assert term_query([]) is None and term_query(["", ""]) is None


def test_fusion_rewards_items_ranked_well_by_both():
    dense = [(1, 0.9), (2, 0.8), (3, 0.7)]
    lexical = [(3, 12.0), (2, 11.0), (4, 3.0)]
    fused = [item for item, _ in fuse_rankings([(dense, 1.0), (lexical, 1.0)])]
    assert set(fused[:2]) == {2, 3}
    assert set(fused) == {1, 2, 3, 4}


def test_fusion_weight_tilts_the_order():
    dense = [(1, 0.9), (2, 0.1)]
    lexical = [(2, 9.0), (1, 1.0)]
    assert fuse_rankings([(dense, 1.0), (lexical, 2.0)])[0][0] == 2
    assert fuse_rankings([(dense, 2.0), (lexical, 1.0)])[0][0] == 1


def test_fusion_of_nothing_is_empty():
    assert fuse_rankings([([], 1.0)]) == []


def test_budget_keeps_the_rarest_terms_in_question_order():
    terms = ["government", "cotis", "economist", "said"]
    assert within_budget(terms, [5000, 3, 40, 5000], 100) == ["cotis", "economist"]
    assert within_budget(terms, [5000, 3, 40, 5000], 100_000) == terms


def test_budget_always_keeps_the_rarest_term():
    assert within_budget(["war", "year"], [9000, 8000], 100) == ["year"]
    assert within_budget([], [], 100) == []

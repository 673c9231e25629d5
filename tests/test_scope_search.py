"""Search inside a scope at scale: approximate indexes, one per scope, never a candidate the scope cannot see."""

import contextlib
import random
import sqlite3
from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pytest

from index import AnswerPolicy, Article, EngineSettings, Library
from index.embedder import HashingEmbedder
from index.store.terms import TermQuery
from tests.pg import pg_library, pg_url, store_settings
from tests.stored import stored_rows

__all__ = ["pg_library", "pg_url", "store_settings"]  # the imported fixtures are used by name

# A small exact limit, so the operator's library is searched by an approximate (IVF) index as at a million sentences.
SETTINGS = EngineSettings(exact_up_to=150, policy=AnswerPolicy(min_confidence=0.0, min_similarity=0.1,
                                                               min_similarity_without_terms=0.5))
TOPICS = {
    "harbour": "ferry harbour crane dock cargo tide pier sailors container",
    "orchard": "apple orchard harvest cider blossom growers frost pickers",
    "railway": "railway signal platform commuters timetable freight carriage",
    "theatre": "theatre actors premiere stage curtain rehearsal audience",
    "glacier": "glacier ice melt climbers valley summit avalanche",
}
ZEBRA = Article(id="zebra", title="Zebra escapes from city zoo", source="Local Paper", published=date(2023, 1, 5),
                text="A zebra escaped from the city zoo on Monday. Keepers caught the zebra near the river. "
                     "The zoo said the animal was unhurt.")


def story(number: int, topic: str, rng: random.Random, prefix: str = "") -> Article:
    """An article of six made-up sentences about one topic."""
    words = TOPICS[topic].split()
    sentences = [f"The {rng.choice(words)} {rng.choice(words)} report number {number} mentions "
                 f"{rng.choice(words)} and {rng.choice(words)} in district {rng.randint(1, 90)}." for _ in range(6)]
    return Article(id=f"{prefix}{topic}-{number}", title=f"{topic.title()} news {number}", source="Wire",
                   published=date(2022, 1, 1) + timedelta(days=number % 700), text=" ".join(sentences))


def zebra_crowd(count: int) -> list[Article]:
    """Articles that are closer to a zebra question than anything else is."""
    return [Article(id=f"crowd-{n}", title=f"Zebra keepers {n}", source="Crowd",
                    text=f"Keepers caught the zebra near the river again, report {n} says. The zebra was unhurt.")
            for n in range(count)]


@pytest.fixture
async def library(tmp_path, store_settings):
    opened = await Library.open(tmp_path / "data", HashingEmbedder(), replace(SETTINGS, store=store_settings))
    yield opened
    await opened.close()


async def test_a_servers_article_is_found_however_many_other_servers_passages_are_nearer(library, store_settings):
    rng = random.Random(1)
    await library.ingest_articles([story(n, topic, rng) for n in range(60) for topic in TOPICS])
    await library.ingest_articles(zebra_crowd(300), scope="222")  # 4 x 50 passages nearer than the server's own
    await library.ingest_articles([ZEBRA], scope="111")
    vector = library._embedder.embed(["Where did keepers catch the zebra?"])[0]
    found = await library._vectors.search(vector, 50, scope="111")
    articles = await chunk_articles(library, [chunk_id for chunk_id, _ in found])
    assert articles[found[0][0]] == "111\x1fzebra"
    assert not any(stored.startswith("222") for stored in articles.values())
    assert len(found) == 50  # the rest filled from the operator's library, not left empty by a filter
    # The global library's index is the approximate one: FAISS's IVF, or pgvector's HNSW.
    if store_settings.url:
        assert await stored_rows(library, "SELECT indexdef FROM pg_indexes WHERE indexname = 'chunks_hnsw'") == [
            ("CREATE INDEX chunks_hnsw ON public.chunks USING hnsw (embedding vector_ip_ops) WHERE (scope IS NULL)",)]
    else:
        assert not library._vectors._indexes[None].exact
    answer = await library.ask("Where did keepers catch the zebra?", scope="111")
    assert answer.quotes[0].text == "Keepers caught the zebra near the river."


async def test_no_answer_summary_timeline_or_list_ever_shows_another_servers_article(library):
    rng = random.Random(2)
    await library.ingest_articles([story(n, topic, rng) for n in range(40) for topic in TOPICS])
    servers = [str(server) for server in range(101, 109)]
    for server in servers:
        await library.ingest_articles([story(n, topic, rng, prefix=f"s{server}-") for n in range(12)
                                       for topic in TOPICS], scope=server)
    for server in servers:
        own = f"s{server}-"
        for topic, words in TOPICS.items():
            answer = await library.ask(f"What happened to the {words.split()[0]} and {words.split()[3]}?",
                                       scope=server)
            summary = await library.summarize(topic, scope=server)
            timeline = await library.timeline(topic, scope=server)
            cited = [source.article_id for source in answer.sources + answer.nearest + summary.sources
                     + timeline.sources]
            assert cited and all(not article.startswith("s") or article.startswith(own) for article in cited)
        listed = [article.id for article in await library.articles(scope=server, limit=10_000)]
        assert len(listed) == 200 + 60
        assert all(not article.startswith("s") or article.startswith(own) for article in listed)


async def test_a_servers_own_copy_hides_the_global_article_from_its_search(tmp_path):
    library = await Library.open(tmp_path / "data", HashingEmbedder(), EngineSettings())  # exact: about hiding only
    rng = random.Random(3)
    await library.ingest_articles([story(n, topic, rng) for n in range(60) for topic in TOPICS])
    await library.ingest_articles([ZEBRA])
    await library.ingest_articles([Article(id="zebra", title="Our zebra story", source="Server",
                                           text="The escaped zebra was found by a boy at the station.")], scope="111")
    vector = library._embedder.embed(["Where did keepers catch the zebra?"])[0]
    articles = await chunk_articles(library, [c for c, _ in await library._vectors.search(vector, 50, scope="111")])
    assert "111\x1fzebra" in articles.values() and "zebra" not in articles.values()
    articles = await chunk_articles(library, [c for c, _ in await library._vectors.search(vector, 50)])
    assert "zebra" in articles.values() and "111\x1fzebra" not in articles.values()
    await library.close()


async def test_indexes_grow_into_approximate_ones_are_saved_per_scope_and_reload_without_rebuilding(tmp_path):
    rng = random.Random(4)
    data = tmp_path / "data"
    library = await Library.open(data, HashingEmbedder(), SETTINGS)
    for start in range(0, 60, 10):  # in batches, as feeds arrive: the index changes kind on the way
        await library.ingest_articles([story(n, topic, rng) for n in range(start, start + 10) for topic in TOPICS])
    await library.ingest_articles([ZEBRA], scope="111")
    vector = library._embedder.embed(["Where did keepers catch the zebra?"])[0]
    before = await library._vectors.search(vector, 20, scope="111")
    await library.close()
    assert sorted(path.name for path in data.glob("*.faiss")) == ["vectors-313131.faiss", "vectors.faiss"]
    saved = {path: path.stat().st_mtime_ns for path in data.glob("*.faiss")}
    reopened = await Library.open(data, HashingEmbedder(), SETTINGS)
    try:
        assert not reopened._vectors._indexes[None].exact
        assert await reopened._vectors.search(vector, 20, scope="111") == before
        assert {path: path.stat().st_mtime_ns for path in data.glob("*.faiss")} == saved  # loaded, not rebuilt
        assert await reopened.remove("zebra", scope="111")
    finally:
        await reopened.close()
    assert [path.name for path in data.glob("*.faiss")] == ["vectors.faiss"]  # an emptied server's file goes


async def test_indexes_out_of_step_with_sqlite_are_rebuilt(tmp_path):
    rng = random.Random(5)
    data = tmp_path / "data"
    library = await Library.open(data, HashingEmbedder(), SETTINGS)
    await library.ingest_articles([story(n, topic, rng) for n in range(40) for topic in TOPICS])
    await library.ingest_articles([ZEBRA], scope="111")
    await library.close()
    (data / "vectors-313131.faiss").write_bytes(b"damaged")
    stale = data / "vectors.faiss"
    stale.write_bytes(b"")
    reopened = await Library.open(data, HashingEmbedder(), SETTINGS)
    try:
        stored = await reopened._store.chunk_ids()
        for scope, index in reopened._vectors._indexes.items():
            np.testing.assert_array_equal(index.ids(), stored[scope])
        assert (await reopened.ask("Where did keepers catch the zebra?", scope="111")).quotes
    finally:
        await reopened.close()


async def chunk_articles(library: Library, chunk_ids: list[int]) -> dict[int, str]:
    """The stored article id of each chunk."""
    marks = ",".join("?" * len(chunk_ids))
    return dict(await stored_rows(library, f"SELECT id, article_id FROM chunks WHERE id IN ({marks})", *chunk_ids))


async def test_a_common_word_beyond_the_budget_is_left_out_of_the_bm25_search(tmp_path):
    settings = EngineSettings(lexical_budget=20)
    library = await Library.open(tmp_path / "data", HashingEmbedder(), settings)
    try:
        rng = random.Random(6)
        await library.ingest_articles([story(n, "harbour", rng) for n in range(30)] + [ZEBRA])
        words = [TermQuery((word,)) for word in ("report", "zebra", "nothing")]
        assert await library._store.term_matches(words, 20) == [20, 2, 0]
        found = await library._asker._retriever.lexical(["report", "zebra"], None)
        assert found.matches == {"report": 20, "zebra": 2}
        articles = await chunk_articles(library, [chunk_id for chunk_id, _ in found.chunks + found.sentences])
        assert set(articles.values()) == {"zebra"}  # "report", in 180 sentences, was not searched
    finally:
        await library.close()


async def test_an_older_librarys_float32_embeddings_are_rewritten_as_float16_once(tmp_path):
    data = tmp_path / "data"
    library = await Library.open(data, HashingEmbedder(), EngineSettings())
    await library.ingest_articles([ZEBRA, story(1, "harbour", random.Random(7))])
    before = await library.ask("Where did keepers catch the zebra?")
    await library.close()
    with contextlib.closing(sqlite3.connect(data / "newsbot.db")) as db, db:  # as an older newsbot left it
        for table in ("sentences", "chunks"):
            rows = db.execute(f"SELECT id, embedding FROM {table}").fetchall()
            db.executemany(f"UPDATE {table} SET embedding = ? WHERE id = ?",
                           [(np.frombuffer(blob, dtype=np.float16).astype(np.float32).tobytes(), row_id)
                            for row_id, blob in rows])
        db.execute("DELETE FROM meta WHERE key = 'embedding_format'")
    reopened = await Library.open(data, HashingEmbedder(), EngineSettings())
    try:
        after = await reopened.ask("Where did keepers catch the zebra?")
        assert (after.quotes, after.sources) == (before.quotes, before.sources) and before.quotes
        assert not await reopened._store.compaction.needed()
    finally:
        await reopened.close()
    with contextlib.closing(sqlite3.connect(data / "newsbot.db")) as db:
        lengths = db.execute("SELECT DISTINCT length(embedding) FROM sentences UNION"
                             " SELECT DISTINCT length(embedding) FROM chunks").fetchall()
    assert lengths == [(2 * HashingEmbedder().dimension,)]

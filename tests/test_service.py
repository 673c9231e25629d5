"""End-to-end tests of the library with real SQLite and FAISS and the small deterministic embedder."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from index import AnswerPolicy, EngineSettings, Library, LibraryError, QuestionError
from index.embedder import HashingEmbedder
from index.store.backends import VECTORS_FILE
from index.store.sqlite.vectors import VectorIndex

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SETTINGS = EngineSettings(policy=AnswerPolicy(min_confidence=0.0, min_similarity=0.1, min_similarity_without_terms=0.5))


async def open_library(data_dir: Path, embedder=None) -> Library:
    return await Library.open(data_dir, embedder or HashingEmbedder(), SETTINGS)


@pytest.fixture
async def library(tmp_path):
    opened = await open_library(tmp_path / "data")
    yield opened
    await opened.close()


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


async def test_examples_answer_a_question_with_a_quoted_cited_sentence(library):
    report = await library.ingest_files([EXAMPLES])
    assert report.new == len(list(EXAMPLES.glob("*.md"))) and report.failed == 0
    answer = await library.ask("How many of the 69 missiles did Ukraine's air defences shoot down?")
    assert not answer.abstained
    assert "54 of the 69 missiles" in answer.quotes[0].text
    source = answer.sources[answer.quotes[0].source - 1]
    assert source.title.startswith("Russia launches 69 missiles")
    assert source.url == "https://example.com/demo/2022/12/29/missile-barrage"
    sources_text = "".join(p.read_text(encoding="utf-8") for p in EXAMPLES.glob("*.md"))
    assert all(quote.text in sources_text for quote in answer.quotes)


async def test_reingesting_the_same_articles_changes_nothing(library):
    await library.ingest_files([EXAMPLES])
    before = await library.stats()
    report = await library.ingest_files([EXAMPLES])
    assert (report.new, report.updated, report.unchanged) == (0, 0, before.articles)
    after = await library.stats()
    assert (after.sentences, after.passages, after.vectors) == (before.sentences, before.passages, before.vectors)


async def test_new_text_under_the_same_id_replaces_the_old_everywhere(library, tmp_path):
    feed = tmp_path / "feed.jsonl"
    write_jsonl(feed, [{"id": "story-1", "title": "Zoo news", "text": "The zebra escaped from the zoo."}])
    await library.ingest_files([feed])
    write_jsonl(feed, [{"id": "story-1", "title": "Zoo news", "text": "The giraffe stayed in its pen."}])
    report = await library.ingest_files([feed])
    assert report.updated == 1
    stats = await library.stats()
    assert (stats.articles, stats.passages, stats.vectors) == (1, 1, 1)
    assert (await library.ask("Where did the giraffe stay?")).quotes[0].text == "The giraffe stayed in its pen."
    assert (await library.ask("Did the zebra escape?")).abstained


async def test_bad_files_are_reported_and_the_rest_still_goes_in(library, tmp_path):
    await library.ingest_files([EXAMPLES])
    before = await library.articles()
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "empty.txt").write_text("")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    (folder / "latin.txt").write_bytes("Caf\xe9 news".encode("latin-1"))
    write_jsonl(folder / "good.jsonl", [{"title": "Bridge opens", "text": "A new bridge opened on Monday."}])
    (folder / "good.jsonl").open("a").write("{not json\n")
    report = await library.ingest_files([folder])
    assert report.new == 1 and report.failed == 4
    joined = "\n".join(report.errors)
    for name in ("empty.txt", "binary.txt", "latin.txt", "good.jsonl:2"):
        assert name in joined
    after = {a.id: a for a in await library.articles()}
    assert all(after[a.id] == a for a in before) and len(after) == len(before) + 1


async def test_a_failing_batch_leaves_what_was_stored_untouched(library, tmp_path, monkeypatch):
    await library.ingest_files([EXAMPLES])
    before = await library.stats()

    def broken_embed(texts):
        raise RuntimeError("embedding failed")

    monkeypatch.setattr(library._embedder, "embed", broken_embed)
    doc = tmp_path / "new.md"
    doc.write_text("---\ntitle: Later news\n---\nSomething else happened later on.\n")
    with pytest.raises(RuntimeError):
        await library.ingest_files([doc])
    after = await library.stats()
    assert (after.articles, after.sentences, after.vectors) == (before.articles, before.sentences, before.vectors)


async def test_remove_deletes_the_article_everywhere(library):
    await library.ingest_files([EXAMPLES])
    articles = await library.articles()
    target = next(a for a in articles if "Putin" in a.title)
    assert await library.remove(target.id)
    assert not await library.remove(target.id)
    stats = await library.stats()
    assert stats.articles == len(articles) - 1 and stats.vectors == stats.passages
    answer = await library.ask("Did Putin invite Xi to visit Moscow?")
    assert all(q.article_id != target.id for q in answer.quotes)


async def test_vectors_are_rebuilt_when_the_faiss_file_is_lost_or_stale(tmp_path):
    data = tmp_path / "data"
    library = await open_library(data)
    await library.ingest_files([EXAMPLES])
    expected = await library.ask("What did Konashenkov claim about the railways?", log=False)
    await library.close()
    (data / VECTORS_FILE).unlink()
    reopened = await open_library(data)
    assert (await reopened.stats()).vectors == (await reopened.stats()).passages
    assert await reopened.ask("What did Konashenkov claim about the railways?", log=False) == expected
    await reopened.close()
    stale = VectorIndex(HashingEmbedder().dimension)
    stale.add([999], np.ones((1, stale.dimension), dtype=np.float32))
    stale.save(data / VECTORS_FILE)
    reopened = await open_library(data)
    assert await reopened.ask("What did Konashenkov claim about the railways?", log=False) == expected
    await reopened.close()


async def test_a_corrupt_faiss_file_is_rebuilt(tmp_path):
    data = tmp_path / "data"
    library = await open_library(data)
    await library.ingest_files([EXAMPLES])
    await library.close()
    (data / VECTORS_FILE).write_bytes(b"garbage")
    reopened = await open_library(data)
    stats = await reopened.stats()
    assert stats.vectors == stats.passages > 0
    await reopened.close()


async def test_another_embedding_model_is_refused(tmp_path):
    data = tmp_path / "data"
    library = await open_library(data)
    await library.ingest_files([EXAMPLES])
    await library.close()
    with pytest.raises(LibraryError, match="hashing-256"):
        await open_library(data, HashingEmbedder(dimension=128))


async def test_empty_library_abstains_and_says_so(library):
    answer = await library.ask("What happened in Kyiv?")
    # How to add articles is the front end's to say (tests/test_front_wording.py).
    assert answer.abstained and answer.empty_library and "no articles yet" in answer.reason


@pytest.mark.parametrize("question", ["", "?!?...", "word " * 2_500])
async def test_questions_that_cannot_be_asked_are_refused(library, question):
    with pytest.raises(QuestionError):
        await library.ask(question)


async def test_rank_scores_every_candidate_best_first_and_ask_quotes_the_top_one(library):
    assert (await library.rank("What happened in Kyiv?")).scored == []
    await library.ingest_files([EXAMPLES])
    question = "How many of the 69 missiles did Ukraine's air defences shoot down?"
    ranked = (await library.rank(question)).scored
    scores = [score for score, _ in ranked]
    assert len(ranked) > 3 and scores == sorted(scores, reverse=True)
    assert len({candidate.sentence_id for _, candidate in ranked}) == len(ranked)
    answer = await library.ask(question, log=False)
    assert (answer.quotes[0].sentence_id, answer.quotes[0].score) == (ranked[0][1].sentence_id, round(scores[0], 4))
    with pytest.raises(QuestionError):
        await library.rank("?!?")


async def test_a_folder_of_thousands_of_files(library, tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    for n in range(2000):
        (folder / f"brief-{n:04d}.txt").write_text(f"Brief {n}\n\nCouncil meeting number {n} approved budget {n}.\n")
    calls = []
    report = await library.ingest_files([folder], progress=calls.append)
    assert report.new == 2000 and report.files == 2000
    assert (calls[-1].files_done, calls[-1].files, calls[-1].articles, calls[-1].new) == (2000, 2000, 2000, 2000)
    assert calls[-1].sentences == 2000 and [call.new for call in calls] == sorted(call.new for call in calls)
    answer = await library.ask("What did council meeting number 1234 approve?")
    assert answer.quotes[0].text == "Council meeting number 1234 approved budget 1234."


async def test_copying_the_data_directory_keeps_the_library(tmp_path):
    library = await open_library(tmp_path / "a")
    await library.ingest_files([EXAMPLES])
    await library.close()
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    copy = await open_library(tmp_path / "b")
    assert (await copy.stats()).articles == len(list(EXAMPLES.glob("*.md")))
    await copy.close()


async def test_articles_another_process_adds_are_found_without_a_restart(tmp_path):
    data = tmp_path / "data"
    running = await open_library(data)  # the bot, say
    await running.ingest_files([EXAMPLES])
    other = await open_library(data)  # `newsbot ingest` in another process
    feed = write_jsonl(tmp_path / "late.jsonl", [{"id": "late-1", "title": "Harbour news",
                                                  "text": "The harbour crane collapsed during the storm."}])
    await other.ingest_files([feed])
    putin = next(a for a in await other.articles() if "Putin" in a.title)
    await other.remove(putin.id)
    await other.close()
    answer = await running.ask("What collapsed in the harbour during the storm?")
    assert answer.quotes and answer.quotes[0].article_id == "late-1"
    stats = await running.stats()
    assert stats.vectors == stats.passages
    assert all(q.article_id != putin.id for q in (await running.ask("Did Putin invite Xi?")).quotes)
    await running.close()


async def test_questions_are_logged_unless_the_operator_turns_it_off(tmp_path):
    logged = await open_library(tmp_path / "on")
    await logged.ingest_files([EXAMPLES])
    assert (await logged.ask("Who is Igor Konashenkov?")).question_id is not None
    assert (await logged.ask("Who is Igor Konashenkov?", log=False)).question_id is None
    assert (await logged.usage()).questions == 1
    await logged.close()
    quiet_settings = EngineSettings(policy=AnswerPolicy(min_confidence=0.0, min_similarity=0.1, log_questions=False))
    quiet = await Library.open(tmp_path / "off", HashingEmbedder(), quiet_settings)
    await quiet.ingest_files([EXAMPLES])
    answer = await quiet.ask("Who is Igor Konashenkov?")
    assert answer.quotes and answer.question_id is None and (await quiet.usage()).questions == 0
    await quiet.close()

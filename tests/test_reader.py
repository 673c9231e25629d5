"""The pair reader: what it reads, how its verdicts rerank and decide abstention, and how a library uses it."""

from collections.abc import Sequence
from datetime import date

import numpy as np
import pytest

from index import AnswerPolicy, Article, EngineSettings, Library
from index.answers.reader import SHIPPED, PairReader, ReaderError, open_reader
from index.answers.reading import SEPARATOR, UNREAD_GAP, passage_text, reader_passages, rerank
from index.answers.selection import build_answer, select_sentences
from index.embedder import HashingEmbedder
from index.models import ArticleInfo, Candidate
from tests.cli_runner import HASHING_CONFIG, command_runner


def candidate(sentence_id: int, text: str, article_id: str = "a", position: int = 0) -> Candidate:
    return Candidate(sentence_id=sentence_id, article_id=article_id, position=position, text=text,
                     similarity=0.6, lexical=1.0, passage=0.5, published=date(2022, 12, 29))


def test_the_sentence_comes_first_then_its_title():
    text = passage_text("Kyiv lost power.", "Strikes on the grid", None)
    assert text == f"Kyiv lost power.{SEPARATOR}Strikes on the grid"


def test_the_sentence_before_is_added_only_when_the_sentence_leans_on_it():
    leaning = passage_text("He said 54 missiles were shot down.", "Strikes", "Ukraine's air force spoke on Friday.")
    assert leaning.endswith(f"{SEPARATOR}Ukraine's air force spoke on Friday.")
    standing = passage_text("Ukraine shot down 54 missiles.", "Strikes", "The air force spoke on Friday.")
    assert "air force" not in standing


def test_passages_take_each_candidates_title_and_previous_sentence():
    candidates = [candidate(1, "It fell 3%.", "x"), candidate(2, "Shares rose.", "y")]
    passages = reader_passages(candidates, {"x": "Acme results", "y": "Markets"}, {1: "Acme reported on Monday."})
    assert passages == [f"It fell 3%.{SEPARATOR}Acme results{SEPARATOR}Acme reported on Monday.",
                        f"Shares rose.{SEPARATOR}Markets"]


def test_rerank_orders_the_read_candidates_by_the_reader_and_keeps_the_rest_below_in_order():
    scored = [(3.0, candidate(1, "a")), (2.0, candidate(2, "b")), (1.0, candidate(3, "c")), (0.5, candidate(4, "d"))]
    reranked = rerank(scored, [-2.0, 4.0], first_stage_weight=0.0)
    assert [c.sentence_id for _, c in reranked] == [2, 1, 3, 4]
    assert reranked[0][0] == 4.0
    scores = [score for score, _ in reranked]
    assert scores == sorted(scores, reverse=True)


def test_an_unread_candidate_is_never_quoted_beside_a_read_one():
    scored = [(3.0, candidate(1, "Ukraine shot down 54 missiles.")), (2.9, candidate(2, "Kyiv lost power at night."))]
    reranked = rerank(scored, [0.5], first_stage_weight=0.0)
    assert reranked[0][0] - reranked[1][0] >= UNREAD_GAP
    chosen = select_sentences(reranked, AnswerPolicy(min_similarity=0.1))
    assert [c.sentence_id for _, c in chosen] == [1]


def test_the_first_stage_weight_can_outvote_a_small_reader_margin():
    scored = [(5.0, candidate(1, "a")), (1.0, candidate(2, "b"))]
    assert [c.sentence_id for _, c in rerank(scored, [0.0, 1.0], first_stage_weight=1.0)] == [1, 2]
    assert [c.sentence_id for _, c in rerank(scored, [0.0, 1.0], first_stage_weight=0.0)] == [2, 1]


def test_each_confidence_model_has_its_own_bar():
    scored = [(1.0, candidate(1, "Kyiv lost power."))]
    articles = {"a": ArticleInfo(id="a", title="Strikes", url=None, source=None, published=None, sentences=1,
                                 ingested_at="2022-12-30")}
    policy = AnswerPolicy(min_confidence=0.8, min_confidence_without_reader=0.2)
    assert build_answer("q", scored, 0.5, articles, policy, read=True).quotes == ()
    assert build_answer("q", scored, 0.5, articles, policy, read=False).quotes


def test_open_reader_none_turns_it_off_and_shipped_names_the_packaged_folder():
    assert open_reader("none") is None
    assert isinstance(open_reader("shipped"), PairReader)
    assert (SHIPPED / "reader.onnx").stat().st_size <= 25 * 1024 * 1024


def test_a_folder_that_is_not_a_reader_is_one_clear_error(tmp_path):
    with pytest.raises(ReaderError, match="holds no reader") as raised:
        open_reader(str(tmp_path))
    assert "\n" not in str(raised.value)
    (tmp_path / "reader.json").write_text("{not json")
    with pytest.raises(ReaderError, match="is not a reader manifest"):
        open_reader(str(tmp_path))


def test_the_command_line_names_a_wrong_reader_folder_in_one_line(tmp_path, monkeypatch, capsys):
    newsbot = command_runner(tmp_path, monkeypatch, capsys, HASHING_CONFIG + f'reader = "{tmp_path / "nowhere"}"\n')
    article = tmp_path / "strikes.txt"
    article.write_text("Ukraine's air force said it shot down 54 of the 69 missiles.\n")
    status, _, err = newsbot("ingest", str(article))
    assert status != 0
    assert err.strip().count("\n") == 0
    assert "holds no reader" in err


async def test_a_library_with_a_wrong_reader_folder_fails_before_opening_anything(tmp_path):
    settings = EngineSettings(policy=AnswerPolicy(reader=str(tmp_path / "missing")))
    with pytest.raises(ReaderError):
        await Library.open(tmp_path / "data", HashingEmbedder(), settings)
    assert not (tmp_path / "data" / "newsbot.db").exists()


class KeywordReader:
    """A stand-in reader: sure of passages holding its keyword, sure against the rest."""

    def __init__(self, keyword: str) -> None:
        self.keyword = keyword
        self.calls: list[tuple[str, list[str]]] = []

    def read(self, question: str, passages: Sequence[str]) -> np.ndarray:
        self.calls.append((question, list(passages)))
        return np.array([6.0 if self.keyword in p else -6.0 for p in passages], dtype=np.float32)


STRIKES = ("Russia launched a wave of missiles at Ukraine's power plants on Thursday. "
           "Ukraine's air force said it shot down 54 of the 69 missiles. "
           "The strikes left parts of Kyiv without power.")
OPEN = AnswerPolicy(min_confidence=0.0, min_confidence_without_reader=0.0, min_similarity=0.1,
                    min_similarity_without_terms=0.5)


async def test_the_reader_puts_the_sentence_it_judges_answering_first(tmp_path):
    reader = KeywordReader("54 of the 69")
    library = await Library.open(tmp_path / "data", HashingEmbedder(), EngineSettings(policy=OPEN), reader)
    try:
        await library.ingest_articles([Article(id="strikes", title="Missile strikes on the grid", text=STRIKES)])
        answer = await library.ask("How many missiles did Russia launch at Ukraine's power plants?")
    finally:
        await library.close()
    assert answer.quotes[0].text == "Ukraine's air force said it shot down 54 of the 69 missiles."
    question, passages = reader.calls[-1]
    assert question == "How many missiles did Russia launch at Ukraine's power plants?"
    assert all(p.split(SEPARATOR)[1] == "Missile strikes on the grid" for p in passages)


async def test_when_the_reader_finds_no_answering_sentence_the_library_declines_and_names_the_article(tmp_path):
    library = await Library.open(tmp_path / "data", HashingEmbedder(),
                                 EngineSettings(policy=AnswerPolicy(min_similarity=0.1)), KeywordReader("nowhere"))
    try:
        await library.ingest_articles([Article(id="strikes", title="Missile strikes on the grid", text=STRIKES)])
        answer = await library.ask("How much did the missiles cost?")
    finally:
        await library.close()
    assert answer.quotes == ()
    assert [c.article_id for c in answer.nearest] == ["strikes"]


async def test_reader_depth_limits_how_many_candidates_are_read(tmp_path):
    reader = KeywordReader("54")
    settings = EngineSettings(policy=AnswerPolicy(reader_depth=2, min_confidence=0.0))
    library = await Library.open(tmp_path / "data", HashingEmbedder(), settings, reader)
    try:
        await library.ingest_articles([Article(id="strikes", title="Missile strikes on the grid", text=STRIKES)])
        await library.rank("How many missiles were shot down?")
    finally:
        await library.close()
    assert len(reader.calls[-1][1]) == 2


@pytest.mark.reader
def test_the_shipped_reader_ranks_the_answering_sentence_above_a_near_miss():
    reader = open_reader("shipped")
    assert reader is not None
    question = "How many of the missiles did Ukraine's air force shoot down on Thursday?"
    answering = passage_text("Ukraine's air force said it shot down 54 of the 69 missiles Russia fired on Thursday.",
                             "Russia fires missiles at Ukraine's power grid", None)
    near_miss = passage_text("Russia fired 69 missiles at Ukraine's power plants on Thursday, the air force said.",
                             "Russia fires missiles at Ukraine's power grid", None)
    unrelated = passage_text("The central bank left interest rates unchanged.", "Rates on hold", None)
    logits = reader.read(question, [answering, near_miss, unrelated])
    assert logits[0] > logits[1] > logits[2]
    assert logits[0] > 0 > logits[2]

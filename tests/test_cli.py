"""Tests of the `newsbot` command line, run in-process against a real library on disk."""

import io
import json
import sys
from pathlib import Path

import pytest

from bot import ingestcli
from index import IngestProgress
from tests.cli_runner import HASHING_CONFIG, command_runner

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

@pytest.fixture
def newsbot(tmp_path, monkeypatch, capsys):
    """Run a newsbot command with a hashing-embedder config; return (exit status, stdout, stderr)."""
    return command_runner(tmp_path, monkeypatch, capsys, HASHING_CONFIG)


def test_ingest_prints_counts_and_ask_quotes_a_cited_sentence(newsbot):
    status, out, _ = newsbot("ingest", str(EXAMPLES))
    assert status == 0 and "4 new, 0 updated, 0 unchanged, 0 failed" in out
    status, out, _ = newsbot("ask", "How many drones did Russia launch overnight?")
    assert status == 0
    assert "all 16 explosive" in out and "Sources:" in out and "[1] Ukraine downs all 16" in out


def test_ask_json_follows_the_contract(newsbot):
    newsbot("ingest", str(EXAMPLES))
    status, out, _ = newsbot("ask", "Where did Putin invite Xi?", "--json")
    result = json.loads(out)
    assert status == 0 and result["question"] == "Where did Putin invite Xi?" and result["abstained"] is False
    first = result["answer"][0]
    assert set(first) >= {"text", "source", "article_id", "score"}
    source = result["sources"][first["source"] - 1]
    assert source["article_id"] == first["article_id"] and source["published"] == "2022-12-30"
    assert set(source) >= {"n", "article_id", "title", "url", "published"}


def test_ask_batch_answers_each_line_in_order(newsbot, tmp_path):
    newsbot("ingest", str(EXAMPLES))
    questions = tmp_path / "questions.txt"
    questions.write_text('Who is Igor Konashenkov?\n\n{"q": "What did Ukrenergo say?"}\n')
    status, out, _ = newsbot("ask", "--batch", str(questions), "--json")
    lines = [json.loads(line) for line in out.splitlines()]
    assert status == 0
    assert [line["question"] for line in lines] == ["Who is Igor Konashenkov?", "What did Ukrenergo say?"]


def test_ingest_twice_is_a_no_op_and_bad_files_are_named(newsbot, tmp_path):
    newsbot("ingest", str(EXAMPLES))
    (tmp_path / "broken.json").write_text("{oops")
    status, out, err = newsbot("ingest", str(EXAMPLES), str(tmp_path / "broken.json"))
    assert status == 1
    assert "0 new, 0 updated, 4 unchanged, 1 failed" in out
    assert "broken.json" in err and len(err.strip().splitlines()) == 1


def test_articles_remove_and_stats(newsbot):
    newsbot("ingest", str(EXAMPLES))
    status, out, _ = newsbot("articles", "--json")
    articles = json.loads(out)
    assert status == 0 and len(articles) == 4
    target = articles[0]["id"]
    assert newsbot("remove", target)[0] == 0
    status, _, err = newsbot("remove", target)
    assert status == 1 and "no article with id" in err
    status, out, _ = newsbot("stats", "--json")
    stats = json.loads(out)
    assert stats["articles"] == 3 and stats["vectors"] == stats["passages"]
    assert newsbot("stats")[1].startswith("articles     3")


def test_questions_that_cannot_be_asked_get_one_clear_line(newsbot):
    newsbot("ingest", str(EXAMPLES))
    status, _, err = newsbot("ask", "?!?!")
    assert status == 2 and err.strip() == "error: the question has no words to search for"
    status, _, err = newsbot("ask", "why " * 3000)
    assert status == 2 and "limit is 1,000" in err


def test_chat_answers_until_end_of_input(newsbot, monkeypatch):
    newsbot("ingest", str(EXAMPLES))
    answers = iter(["Who did Putin hold a video call with?", "quit"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    status, out, _ = newsbot("chat")
    assert status == 0 and "Xi Jinping" in out


def test_a_bad_config_is_one_line_and_exit_2(newsbot, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[answer]\nmax_sentences = 'x'\n")
    status, _, err = newsbot("--config", str(bad), "stats")
    assert status == 2 and err.count("\n") == 1 and "bad.toml" in err


def test_data_dir_given_before_the_command_is_kept(newsbot, tmp_path):
    status, _, _ = newsbot("--data-dir", str(tmp_path / "elsewhere"), "ingest", str(EXAMPLES))
    assert status == 0 and (tmp_path / "elsewhere" / "newsbot.db").exists()


def test_summary_of_the_latest_news_and_of_one_article(newsbot):
    newsbot("ingest", str(EXAMPLES))
    status, out, _ = newsbot("summary")
    assert status == 0 and out.startswith("Latest news · 2022-12-29 to 2022-12-30\n\n> ")
    assert "Sources:\n[1] " in out and "[5]" not in out
    status, out, _ = newsbot("summary", "--article", "https://example.com/demo/2022/12/30/putin-xi-call",
                             "--length", "2")
    assert status == 0 and out.startswith("Summary of “Putin tells Xi he wants closer military ties with China”")
    assert out.count("\n> ") == 2


def test_summary_json_follows_the_contract(newsbot):
    newsbot("ingest", str(EXAMPLES))
    status, out, _ = newsbot("summary", "--topic", "missiles", "--since", "2022-12-29", "--until", "30 December 2022",
                             "--length", "3", "--json")
    result = json.loads(out)
    assert status == 0 and result["topic"] == "missiles" and result["abstained"] is False
    assert (result["since"], result["until"]) == ("2022-12-29", "2022-12-30") and 1 <= len(result["summary"]) <= 3
    for sentence in result["summary"]:
        source = result["sources"][sentence["source"] - 1]
        assert sentence["published"] == source["published"] and sentence["article_id"] == source["article_id"]


def test_timeline_json_carries_the_resolved_day_and_its_words(newsbot):
    newsbot("ingest", str(EXAMPLES))
    status, out, _ = newsbot("timeline", "missiles", "--json")
    events = json.loads(out)["timeline"]
    assert status == 0 and [e["date"] for e in events] == sorted(e["date"] for e in events)
    thursday = next(e for e in events if e["text"].startswith("Russia fired 69"))
    assert (thursday["date"], thursday["date_text"], thursday["published"]) == ("2022-12-29", "on Thursday",
                                                                                 "2022-12-29")
    status, out, _ = newsbot("timeline", "missiles")
    assert status == 0 and "\n2022-12-29 (on Thursday)\n> Russia fired 69" in out


def test_summary_says_honestly_when_nothing_is_found(newsbot):
    newsbot("ingest", str(EXAMPLES))
    status, out, _ = newsbot("summary", "--topic", "football", "--since", "2022-12-01", "--until", "2022-12-31")
    assert status == 0 and out == "Nothing found for “football” between 2022-12-01 and 2022-12-31.\n"


@pytest.mark.parametrize(("args", "message"), [
    (("summary", "--since", "soonish"), 'error: since: cannot read "soonish" as a date: use a date (2022-12-30'),
    (("timeline", "grid", "--until", "later"), 'error: until: cannot read "later" as a date'),
    (("summary", "--article", "nope"), "error: no article with id 'nope'"),
])
def test_summary_errors_are_one_line(newsbot, args, message):
    newsbot("ingest", str(EXAMPLES))
    status, out, err = newsbot(*args)
    assert status == 2 and out == "" and err.startswith(message) and err.count("\n") == 1


@pytest.mark.parametrize("length", ["0", "13", "two"])
def test_summary_length_out_of_bounds_is_refused(newsbot, length):
    with pytest.raises(SystemExit) as exit_info:
        newsbot("summary", "--length", length)
    assert exit_info.value.code == 2


def test_stats_of_a_library_with_nothing_embedded_says_so(newsbot, tmp_path):
    (tmp_path / "empty").mkdir()
    newsbot("ingest", str(tmp_path / "empty"))  # makes the library, embeds nothing
    out = newsbot("stats")[1]
    assert "articles     0\n" in out and "model        hashing-256 (nothing embedded yet)\n" in out


def test_a_summary_shorter_than_asked_says_why(newsbot):
    newsbot("ingest", str(EXAMPLES))
    article = "https://example.com/demo/2022/12/30/putin-xi-call"
    status, out, _ = newsbot("summary", "--article", article, "--length", "12")
    given = out.split("\n\nSources:")[0].count("\n> ")
    assert status == 0 and given < 12
    assert out.splitlines()[1] == (f"Only {given} of the 12 sentences asked for: the article has no other sentence "
                                   "that adds to these without repeating one.")
    assert json.loads(newsbot("summary", "--article", article, "--length", "12", "--json")[1])["note"] == (
        out.splitlines()[1])


class _Terminal(io.StringIO):
    """A stderr that says it is a terminal, so the progress bar draws."""

    def isatty(self) -> bool:
        """Yes: a terminal."""
        return True


def test_the_progress_bar_counts_articles_with_files_done_and_sentences_per_second(monkeypatch):
    monkeypatch.setattr(ingestcli, "BAR_DELAY_SECONDS", 0)
    monkeypatch.setattr(sys, "stderr", _Terminal())
    one_file = ingestcli.ProgressBar()
    for articles in (32, 64, 96):  # a JSONL file of many articles: the count moves batch by batch
        one_file(IngestProgress(files_done=0, files=1, articles=articles, new=articles - 2, sentences=articles * 10,
                                seconds=2.0))
    one_file.close()  # draws the last state
    drawn = sys.stderr.getvalue().replace(" ", "")
    assert "96article" in drawn and "sentences/s=480" in drawn and "files=" not in drawn
    many = ingestcli.ProgressBar()
    many(IngestProgress(files_done=3, files=10, articles=40, new=40, sentences=400, seconds=4.0))
    many.close()
    assert "files=3/10" in sys.stderr.getvalue() and "40article" in sys.stderr.getvalue().replace(" ", "")

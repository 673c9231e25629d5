"""`--server ID` on ingest, ask, summary, timeline and articles: the command acts in one Discord server's library."""

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp import web

from index import Library
from tests.cli_runner import HASHING_CONFIG, command_runner
from tests.local_site import news_page, serve_in_thread

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
CONFIG = HASHING_CONFIG + """[web]
allow_private_addresses = true
timeout_seconds = 5.0
"""
HARBOUR = {"id": "harbour", "title": "Port Halden to close northern terminal", "source": "Halden Wire",
           "published": "2024-03-05",
           "text": "The port of Halden will close its northern terminal on 5 March 2024, the harbour board said. "
                   "Dock union leader Mara Voss said 300 dock jobs at Halden were at risk."}
QUESTION = "How many dock jobs at Halden are at risk?"
FERRY = ["The Halden ferry to Skarvik will stop running on 1 April 2024, the ferry company said.",
         "Ferry captain Ola Brenn said the Skarvik ferry had carried islanders for sixty years."]


@pytest.fixture
def newsbot(tmp_path, monkeypatch, capsys):
    """Run a newsbot command in-process with a hashing-embedder config; return (exit status, stdout, stderr)."""
    return command_runner(tmp_path, monkeypatch, capsys, CONFIG)


@pytest.fixture
def harbour(tmp_path, newsbot) -> Path:
    """The examples in the operator's library, and a JSONL file with the harbour story (not ingested)."""
    assert newsbot("ingest", str(EXAMPLES))[0] == 0
    records = tmp_path / "harbour.jsonl"
    records.write_text(json.dumps(HARBOUR) + "\n")
    return records


@pytest.fixture
def in_server(newsbot, harbour) -> None:
    """The harbour story stored in server 111's own library."""
    status, out, err = newsbot("ingest", "--server", "111", str(harbour))
    assert (status, err) == (0, "")
    assert out.startswith("Read 1 file into server 111's library in ") and "1 new" in out


def _article_ids(newsbot, *server: str) -> dict[str, str | None]:
    """The ids `articles --json` lists (with --server ID as given), each with the server it belongs to."""
    status, out, _ = newsbot("articles", "--json", *server)
    assert status == 0
    return {article["id"]: article["server"] for article in json.loads(out)}


def _quoted_ids(answer: dict) -> set[str]:
    """Every article an `ask --json` answer quotes, cites or names as nearest."""
    return {item["article_id"] for key in ("answer", "sources", "nearest") for item in answer[key]}


def test_ingest_with_server_stores_in_that_server_only(newsbot, in_server):
    global_ids = _article_ids(newsbot)
    assert len(global_ids) == 4 and set(global_ids.values()) == {None}
    assert _article_ids(newsbot, "--server", "111") == global_ids | {"harbour": "111"}
    assert _article_ids(newsbot, "--server", "222") == global_ids
    status, out, _ = newsbot("articles", "--server", "111")
    lines = out.splitlines()
    assert status == 0 and lines[0].startswith("harbour ") and lines[0].endswith("(Halden Wire)  [server 111]")
    assert lines[-1] == "5 articles: 1 server 111's own, 4 from the operator's library"
    assert "[server" not in newsbot("articles")[1] and newsbot("articles")[1].endswith("\n4 articles\n")


def test_ingest_with_server_json_names_the_server(newsbot, harbour):
    status, out, _ = newsbot("ingest", "--server", "111", "--json", str(harbour))
    report = json.loads(out)
    assert status == 0 and (report["new"], report["server"]) == (1, "111")
    assert json.loads(newsbot("ingest", "--json", str(harbour))[1])["server"] is None


def test_ask_with_server_finds_its_articles_and_others_do_not(newsbot, in_server):
    status, out, _ = newsbot("ask", "--server", "111", QUESTION, "--json")
    answer = json.loads(out)
    assert status == 0 and answer["abstained"] is False
    assert "300 dock jobs" in answer["answer"][0]["text"] and answer["answer"][0]["article_id"] == "harbour"
    for other in ([], ["--server", "222"]):
        status, out, _ = newsbot("ask", *other, QUESTION, "--json")
        assert status == 0 and "harbour" not in _quoted_ids(json.loads(out))
    status, out, _ = newsbot("ask", "--server", "111", QUESTION)
    assert status == 0 and "300 dock jobs" in out and "[1] Port Halden to close northern terminal" in out


def test_ask_batch_with_server_answers_every_line_in_its_library(newsbot, in_server, tmp_path):
    questions = tmp_path / "questions.txt"
    questions.write_text(f"{QUESTION}\nHow many drones did Russia launch overnight?\n")
    status, out, _ = newsbot("ask", "--batch", str(questions), "--server", "111", "--json")
    answers = [json.loads(line) for line in out.splitlines()]
    assert status == 0 and [a["answer"][0]["article_id"] for a in answers] == [
        "harbour", "https://example.com/demo/2022/12/30/drones-and-shelling"]
    status, out, _ = newsbot("ask", "--batch", str(questions), "--json")
    assert status == 0 and all("harbour" not in _quoted_ids(json.loads(line)) for line in out.splitlines())


def test_summary_and_timeline_with_server_quote_its_articles(newsbot, in_server):
    for command in (["summary", "--topic", "Halden port"], ["timeline", "Halden port"]):
        status, out, _ = newsbot(*command, "--server", "111")
        assert status == 0 and "The port of Halden will close its northern terminal" in out
        for other in ([], ["--server", "222"]):
            status, out, _ = newsbot(*command, *other, "--json")
            result = json.loads(out)
            assert status == 0 and "harbour" not in {s["article_id"] for s in result["sources"]}
    status, out, _ = newsbot("summary", "--server", "111", "--article", "harbour")
    assert status == 0 and out.startswith("Summary of “Port Halden to close northern terminal”")


def test_an_article_of_another_library_is_one_line_naming_where_ids_are(newsbot, in_server):
    status, out, err = newsbot("summary", "--server", "222", "--article", "harbour")
    assert (status, out) == (2, "")
    assert err == ("error: no article with id 'harbour' in server 222's library "
                   "(see `newsbot articles --server 222`)\n")
    status, out, err = newsbot("summary", "--article", "harbour")
    assert (status, out, err) == (2, "", "error: no article with id 'harbour' (see `newsbot articles`)\n")


def _ferry_site() -> web.Application:
    """One news page about the Halden ferry."""
    async def page(request: web.Request) -> web.Response:
        return web.Response(text=news_page("Halden ferry to stop in April", FERRY), content_type="text/html")

    app = web.Application()
    app.router.add_get("/ferry", page)
    return app


@pytest.fixture
def ferry_site() -> Iterator[str]:
    """The ferry page, served from a thread."""
    with serve_in_thread(_ferry_site) as base:
        yield base


def test_folders_and_web_pages_go_into_the_server_too(newsbot, tmp_path, ferry_site):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "lighthouse.md").write_text("# Lighthouse keeper retires\n\nThe Halden lighthouse keeper Per Lund "
                                          "retired on Friday after forty years at the light.\n")
    status, out, err = newsbot("ingest", "--server", "111", str(folder), f"{ferry_site}/ferry")
    assert (status, err) == (0, "") and "Read 2 files into server 111's library" in out and "2 new" in out
    own = {article_id for article_id, server in _article_ids(newsbot, "--server", "111").items() if server}
    assert len(own) == 2 and f"{ferry_site}/ferry" in own
    assert _article_ids(newsbot) == {} and _article_ids(newsbot, "--server", "222") == {}
    status, out, _ = newsbot("ask", "--server", "111", "When will the Halden ferry to Skarvik stop running?")
    assert status == 0 and "1 April 2024" in out
    status, out, _ = newsbot("articles")
    assert (status, out) == (0, "No articles yet: add some with `newsbot ingest PATH`.\n")


def _timed_library(monkeypatch, warm_up_seconds: float) -> list[tuple[str, float]]:
    """Make Library.ask take at least 20 ms and warm_up `warm_up_seconds`; the list gets each call and its ms."""
    calls: list[tuple[str, float]] = []
    real_ask, real_warm_up = Library.ask, Library.warm_up

    async def slow_ask(self: Library, *args, **kwargs):
        started = time.perf_counter()
        await asyncio.sleep(0.02)
        try:
            return await real_ask(self, *args, **kwargs)
        finally:
            calls.append(("ask", (time.perf_counter() - started) * 1000))

    async def slow_warm_up(self: Library) -> None:
        await asyncio.sleep(warm_up_seconds)
        await real_warm_up(self)
        calls.append(("warm_up", warm_up_seconds * 1000))

    monkeypatch.setattr(Library, "ask", slow_ask)
    monkeypatch.setattr(Library, "warm_up", slow_warm_up)
    return calls


def _engine_time(answer: dict, asked_ms: float) -> None:
    """Check an answer's elapsed_ms: a number at least the ask's own time, and not much more."""
    elapsed = answer["elapsed_ms"]
    assert isinstance(elapsed, int | float) and not isinstance(elapsed, bool) and elapsed == round(elapsed, 1)
    assert asked_ms - 0.1 <= elapsed <= asked_ms + 100


def test_ask_json_reports_the_engine_time_of_the_answer(newsbot, in_server, monkeypatch):
    calls = _timed_library(monkeypatch, warm_up_seconds=0.3)
    status, out, _ = newsbot("ask", "--server", "111", QUESTION, "--json")
    # The model loads before the question, and its loading is not the answer's time.
    assert status == 0 and [name for name, _ in calls] == ["warm_up", "ask"]
    _engine_time(json.loads(out), calls[1][1])
    assert "elapsed_ms" not in newsbot("ask", QUESTION)[1]


def test_each_answer_of_a_json_batch_has_its_own_elapsed_ms(newsbot, in_server, monkeypatch, tmp_path):
    calls = _timed_library(monkeypatch, warm_up_seconds=0.3)
    questions = tmp_path / "questions.txt"
    questions.write_text(f"{QUESTION}\n?!\nHow many drones did Russia launch overnight?\nWho is Igor Konashenkov?\n")
    status, out, _ = newsbot("ask", "--batch", str(questions), "--json")
    answers = [json.loads(line) for line in out.splitlines()]
    assert status == 2 and [name for name, _ in calls] == ["warm_up"] + ["ask"] * 4  # line 2 is asked, and refused
    assert [answer.get("line") for answer in answers] == [None, 2, None, None] and "elapsed_ms" not in answers[1]
    for answer, (_, asked_ms) in zip([answers[0], *answers[2:]], [calls[1], *calls[3:]], strict=True):
        _engine_time(answer, asked_ms)

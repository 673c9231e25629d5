"""The engine words its messages for any front end; the CLI and Discord each add what their users can do."""

import ast
import re
from pathlib import Path

import pytest

from bot.embeds import summary_embed
from bot.render import answer_json, answer_text, error_text, summary_json, summary_text
from bot.replies import error_reply
from index import EngineSettings, FeedLimit, FeedSettings, Library, UnknownArticle
from index.embedder import HashingEmbedder
from tests.cli_runner import command_runner

ENGINE = Path(__file__).resolve().parent.parent / "index"
SLASH_COMMAND = re.compile(r"(?:^|\s)/(?:ingest|sources|feed)\b")  # not a path such as index/ingest/


@pytest.fixture
async def empty_library(tmp_path):
    settings = EngineSettings(feeds=FeedSettings(max_per_server=0))
    library = await Library.open(tmp_path / "data", HashingEmbedder(), settings)
    yield library
    await library.close()


def _strings(path: Path) -> list[str]:
    """The string literals of a module, its docstrings left out (they may name commands)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                  and node.body and isinstance(node.body[0], ast.Expr)}
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


def test_no_engine_message_names_a_front_ends_command():
    for path in ENGINE.rglob("*.py"):
        assert not [text for text in _strings(path) if "`newsbot " in text or SLASH_COMMAND.search(text)], path


async def test_an_empty_library_is_flagged_and_each_front_end_says_how_to_add(empty_library):
    answer = await empty_library.ask("What happened in Kyiv?")
    assert answer.empty_library and answer.reason == "the library has no articles yet"
    assert answer_text(answer) == ("I can't answer that from the articles I have: the library has no articles yet: "
                                   "add some with `newsbot ingest`.")
    assert answer_json(answer)["reason"] == "the library has no articles yet: add some with `newsbot ingest`"
    for summary in (await empty_library.summarize(), await empty_library.timeline("harbour")):
        assert summary.empty_library and summary.reason == "the library has no articles yet"
        assert summary_text(summary) == "The library has no articles yet: add some with `newsbot ingest`."
        assert summary_json(summary)["reason"] == "the library has no articles yet: add some with `newsbot ingest`"
        description = summary_embed(summary).description or ""
        assert "/ingest" in description and "newsbot" not in description


async def test_an_unknown_article_is_named_and_each_front_end_says_where_ids_are(empty_library):
    with pytest.raises(UnknownArticle) as raised:
        await empty_library.summarize(article="nope")
    assert (str(raised.value), raised.value.article_id) == ("no article with id 'nope'", "nope")
    assert error_text(raised.value) == "no article with id 'nope' (see `newsbot articles`)"
    assert error_reply(raised.value) == "no article with id 'nope' (see /sources)"


async def test_a_full_feed_list_is_the_scopes_and_each_front_end_names_a_server(empty_library):
    with pytest.raises(FeedLimit) as raised:
        await empty_library.feeds.add("https://example.com/feed.xml", scope="111")
    assert (str(raised.value), raised.value.count) == ("this scope already follows 0 feeds, the most allowed", 0)
    assert error_text(raised.value) == error_reply(raised.value) == (
        "this server already follows 0 feeds, the most allowed")


def test_the_cli_says_where_article_ids_are_listed(tmp_path, monkeypatch, capsys):
    newsbot = command_runner(tmp_path, monkeypatch, capsys, '[embedding]\nmodel = "hashing"\n')
    assert newsbot("ingest", str(Path(__file__).resolve().parent.parent / "examples"))[0] == 0
    status, _, err = newsbot("summary", "--article", "nope")
    assert (status, err) == (2, "error: no article with id 'nope' (see `newsbot articles`)\n")

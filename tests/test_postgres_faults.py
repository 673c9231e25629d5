"""A PostgreSQL library that cannot be used as asked: one line each, naming the database but never its password."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from tests.newsbot_process import EXAMPLES, HASHING_CONFIG, one_error_line, run_newsbot
from tests.pg import database_url, pg_library, pg_url

__all__ = ["pg_library", "pg_url"]  # the imported fixtures are used by name

pytestmark = pytest.mark.pg

QUESTION = "How many drones did Russia launch overnight?"
# The hashing embedder with a bar low enough that it quotes.
QUOTING = HASHING_CONFIG + "[answer]\nmin_confidence = 0.0\nmin_similarity = 0.1\nmin_similarity_without_terms = 0.5\n"


def closed_port() -> int:
    """A port on 127.0.0.1 nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def as_user(url: str, user: str) -> str:
    """The same database's address for another user."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"{user}@{parts.hostname or ''}"))


@pytest.mark.parametrize("command", [["stats"], ["ask", QUESTION], ["ingest", str(EXAMPLES)]])
def test_an_unreachable_server_is_one_line_without_the_password(tmp_path: Path, command: list[str]):
    url = f"postgresql://newsbot:hunter2@127.0.0.1:{closed_port()}/news"
    result = run_newsbot(tmp_path, *command, NEWSBOT_STORE_URL=url)
    line = one_error_line(result)
    assert result.returncode == 2
    assert line.startswith("error: postgresql://127.0.0.1/news: cannot reach the database (") and "hunter2" not in line
    assert line.endswith("check that the server runs and that the store's url (NEWSBOT_STORE_URL, or [store] url)"
                         " names it")
    assert not (tmp_path / "data").exists()  # nothing was made in the data directory instead


def test_a_database_that_does_not_exist_is_one_line(tmp_path: Path, pg_url: str):
    result = run_newsbot(tmp_path, "stats", NEWSBOT_STORE_URL=database_url(pg_url, "no_such_library"))
    assert result.returncode == 2
    assert one_error_line(result).startswith("error: postgresql://localhost/no_such_library: cannot reach the database")


def test_a_user_who_may_only_read_asks_and_lists_and_is_refused_writes_in_one_line(tmp_path: Path, pg_library: str):
    assert run_newsbot(tmp_path, "ingest", str(EXAMPLES), NEWSBOT_STORE_URL=pg_library).returncode == 0
    asyncio.run(add_reader(pg_library))
    reader = {"NEWSBOT_STORE_URL": as_user(pg_library, "reader")}
    for command in (["stats"], ["articles"], ["summary"]):
        result = run_newsbot(tmp_path, *command, **reader)
        assert (result.returncode, result.stderr) == (0, ""), (command, result.stderr)
    asked = run_newsbot(tmp_path, "ask", QUESTION, config=QUOTING, **reader)
    assert asked.returncode == 0 and "all 16 explosive" in asked.stdout
    assert "question not logged:" in one_error_line(asked) and "read-only for this user" in asked.stderr
    (tmp_path / "story.txt").write_text("Crews repaired the bridge over the river. Traffic resumed on Friday.\n")
    refused = run_newsbot(tmp_path, "ingest", str(tmp_path / "story.txt"), **reader)
    assert refused.returncode == 2
    assert "the library is read-only for this user" in one_error_line(refused)
    assert run_newsbot(tmp_path, "stats", "--json", NEWSBOT_STORE_URL=pg_library).stdout.count('"articles": 4') == 1


async def add_reader(url: str) -> None:
    """A login that may read every table of the library and change none."""
    connection = await asyncpg.connect(url)
    try:
        await connection.execute("CREATE ROLE reader LOGIN")
        await connection.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader")
    finally:
        await connection.close()

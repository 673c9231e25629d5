"""The QA benchmark on the PostgreSQL backend: a server (given, or started through pgserver), a fresh database per
library holding a copy of the cached SQLite one, and WikiQA/TrecQA candidates scored by the backend's own BM25 SQL."""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from uuid import uuid4

import asyncpg
from qa_data import RankingQuestion

from index import copy_library
from index.search.queries import query_terms
from index.store.postgres.lexical import bm25, idf, matches
from index.store.postgres.migrations import migrate, prepare
from index.store.postgres.schema import LIBRARY_MIGRATIONS
from index.store.postgres.text import fold, token_count
from index.store.terms import term_query

# The candidates of one question, as the backend's `sentences` holds them (id, tokens, tsv) for its BM25 SQL.
_CANDIDATES = "CREATE TEMPORARY TABLE candidates (id bigint, tokens integer, tsv tsvector)"


@contextmanager
def own_server() -> Iterator[str]:
    """The address of a PostgreSQL server with pgvector started for this run in a temporary folder, stopped after."""
    with tempfile.TemporaryDirectory(prefix="newsbot-qa-pg-") as folder:
        os.environ.setdefault("XDG_RUNTIME_DIR", folder)  # pgserver asks for one on import
        import pgserver

        server = pgserver.get_server(Path(folder) / "data", cleanup_mode="stop")
        try:
            yield server.get_uri()
        finally:
            server.cleanup()


def database_url(server_url: str, name: str) -> str:
    """The address of another database on the same server."""
    return urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))


@asynccontextmanager
async def fresh_database(server_url: str, name: str) -> AsyncIterator[str]:
    """The address of a new, empty database on the server, dropped afterwards."""
    database = f"newsbot_qa_{name.replace('-', '_')}_{uuid4().hex[:8]}"
    server = await asyncpg.connect(server_url)
    try:
        await server.execute(f"CREATE DATABASE {database}")
        try:
            yield database_url(server_url, database)
        finally:
            await server.execute(f"DROP DATABASE {database} WITH (FORCE)")
    finally:
        await server.close()


@asynccontextmanager
async def copied_library(folder: Path, server_url: str) -> AsyncIterator[tuple[str, str]]:
    """A fresh database holding a copy of the SQLite library in `folder` (same rows, ids and vectors), and a note."""
    async with fresh_database(server_url, folder.name) as url:
        report = await copy_library(folder, url)
        if not report.equal:
            raise RuntimeError(f"the copy of {folder} into PostgreSQL lacks rows: {report.tables}")
        rows = sum(table.postgresql for table in report.tables)
        yield url, f"{folder.name} copied into a fresh PostgreSQL database ({rows:,} rows; HNSW over its vectors)"


async def candidate_scores(server_url: str, questions: Sequence[RankingQuestion]) -> dict[RankingQuestion,
                                                                                          list[float]]:
    """Each question's candidates scored as the PostgreSQL backend scores sentences (`sentence_scores`): its text
    search configuration and its BM25 SQL, over a table of just those candidates (0: no match)."""
    async with fresh_database(server_url, "candidates") as url:
        connection = await asyncpg.connect(url)
        try:
            await prepare(connection)
            await migrate(connection, "library", LIBRARY_MIGRATIONS)
            await connection.execute(_CANDIDATES)
            return {question: await _scores(connection, question) for question in questions}
        finally:
            await connection.close()


async def _scores(connection: asyncpg.Connection, question: RankingQuestion) -> list[float]:
    """One question's candidates scored against its words (the table refilled with them)."""
    scores = [0.0] * len(question.sentences)
    words = term_query(query_terms(question.question))
    if words is None:
        return scores
    await connection.execute("TRUNCATE candidates")
    await connection.executemany("INSERT INTO candidates VALUES ($1, $2, to_tsvector('newsbot', $3))",
                                 [(i, token_count(text), fold(text)) for i, text in enumerate(question.sentences)])
    folded = [fold(word) for word in words.terms]
    counts = dict(await connection.fetch(
        "SELECT w, (SELECT count(*) FROM candidates WHERE phraseto_tsquery('newsbot', w) @@ tsv)"
        " FROM unnest($1::text[]) AS w", folded))
    average = sum(map(token_count, question.sentences)) / len(question.sentences)
    idfs = [idf(len(question.sentences), counts[word]) for word in folded]
    rows = await connection.fetch(
        f"WITH hits AS (SELECT id, tokens, tsv FROM candidates WHERE {matches('tsv', words)}) {bm25('hits')}",
        folded, idfs, average)
    for row in rows:
        scores[row["id"]] = row["score"]
    return scores

"""A full disk, a read-only library and an unwritable vector file, injected where the engine meets SQLite and the OS."""

import errno
import json
import logging
import os
import threading
from pathlib import Path

import pytest

import index.store.sqlite.connection
import index.store.sqlite.store
from index import AnswerPolicy, EngineSettings, Library
from index.embedder import HashingEmbedder
from index.store.sqlite.faults import DiskFullError, ReadOnlyError
from index.store.sqlite.vectors import VectorIndex

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SETTINGS = EngineSettings(batch_articles=4, policy=AnswerPolicy(min_confidence=0.0, min_similarity=0.1,
                                                                min_similarity_without_terms=0.5))


def many_records(path: Path, count: int = 60) -> Path:
    """A JSONL file of `count` distinct articles."""
    lines = [json.dumps({"id": f"r{n}", "title": f"Report {n}",
                         "text": " ".join(f"Report {n} names item{n}x{k} and place{k}y{n}." for k in range(40))})
             for n in range(count)]
    path.write_text("\n".join(lines) + "\n")
    return path


async def open_library(data: Path) -> Library:
    return await Library.open(data, HashingEmbedder(), SETTINGS)


def connection_threads() -> set[threading.Thread]:
    """The threads of open SQLite connections: each keeps the process from exiting until it is closed."""
    return {t for t in threading.enumerate() if "_connection_worker_thread" in t.name}


async def test_a_full_disk_mid_ingest_keeps_the_batches_before_and_the_next_run_resumes(tmp_path, monkeypatch):
    records = many_records(tmp_path / "many.jsonl")
    configure = index.store.sqlite.store.configure

    async def small_disk(db, read_only, functions):
        await configure(db, read_only, functions)
        pages = (await (await db.execute("PRAGMA page_count")).fetchone())[0]
        await db.execute(f"PRAGMA max_page_count = {pages + 200}")  # SQLite's own "database or disk is full"

    monkeypatch.setattr(index.store.sqlite.store, "configure", small_disk)
    library = await open_library(tmp_path / "data")
    with pytest.raises(DiskFullError, match=r"data: the disk is full; free some space and run the command again"):
        await library.ingest_files([records])
    stored = len(await library.articles())
    await library.close()
    assert 0 < stored < 60 and stored % 4 == 0
    monkeypatch.setattr(index.store.sqlite.store, "configure", configure)
    library = await open_library(tmp_path / "data")
    try:
        report = await library.ingest_files([records])
        stats = await library.stats()
    finally:
        await library.close()
    assert (report.new, report.unchanged, report.failed) == (60 - stored, stored, 0)
    assert stats.vectors == stats.passages


async def test_an_unwritable_vector_file_is_one_error_and_the_database_still_closes(tmp_path, monkeypatch):
    def no_space(self, path):
        raise OSError(errno.ENOSPC, "No space left on device")

    before = connection_threads()
    library = await open_library(tmp_path / "data")
    monkeypatch.setattr(VectorIndex, "save", no_space)
    with pytest.raises(DiskFullError, match="the disk is full"):
        await library.ingest_files([EXAMPLES])
    with pytest.raises(DiskFullError):
        await library.close()  # the vectors still unsaved: said again, and the connection closed all the same
    for thread in connection_threads() - before:
        thread.join(timeout=5)
        assert not thread.is_alive()
    monkeypatch.undo()
    library = await open_library(tmp_path / "data")  # SQLite kept the articles; FAISS is rebuilt from it
    try:
        stats = await library.stats()
    finally:
        await library.close()
    assert stats.articles == 4 and stats.vectors == stats.passages > 0


async def test_a_read_only_library_answers_and_lists_but_refuses_to_write(tmp_path, monkeypatch, caplog):
    library = await open_library(tmp_path / "data")
    await library.ingest_files([EXAMPLES])
    await library.close()
    files = {path: path.read_bytes() for path in (tmp_path / "data").glob("*") if path.suffix in (".db", ".faiss")}
    access = os.access
    monkeypatch.setattr(index.store.sqlite.connection.os, "access",
                        lambda path, mode: mode != os.W_OK and access(path, mode))
    library = await open_library(tmp_path / "data")
    try:
        assert len(await library.articles()) == 4 and (await library.stats()).articles == 4
        with caplog.at_level(logging.WARNING):
            answer = await library.ask("How many drones did Russia launch?")
        assert answer.question_id is None and answer.sources
        assert any("question not logged" in m and "read-only" in m for m in caplog.messages)
        with pytest.raises(ReadOnlyError, match=r"data: the library is read-only \(.*\); commands that only read"):
            await library.ingest_files([many_records(tmp_path / "more.jsonl", 2)])
        with pytest.raises(ReadOnlyError):
            await library.remove((await library.articles())[0].id)
    finally:
        await library.close()
    assert {path: path.read_bytes() for path in files} == files

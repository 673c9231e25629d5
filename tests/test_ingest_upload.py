"""Library.ingest_upload: an uploaded file's bytes read as the same file on disk would be, with nothing written."""

import json
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest

from index import EngineSettings, Library
from index.embedder import HashingEmbedder

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "2022-12-30-power-grid.md"
RECORDS = "\n".join(json.dumps({"id": f"r{n}", "title": f"Record {n}", "published": "2023-01-0{n}",
                                "text": f"Story number {n} happened in the town. Officials said it was over."})
                    for n in range(1, 4)) + "\n{broken\n"
UPLOADS = {
    "power-grid.md": EXAMPLE.read_bytes(),
    "wire.txt": b"    The port cut 300 jobs on Friday.\n    Unions said they would fight the cuts.\n",
    "records.jsonl": RECORDS.encode(),
    "page.html": b"<html><head><title>Harbour</title></head><body><article><p>The harbour wall was repaired on"
                 b" Monday after the storm.</p><p>The council paid for the work.</p></article></body></html>",
    "photo.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64),
    "notes.pdf": b"%PDF-1.4",
}


def _no_temporary_files(*args, **kwargs):
    raise AssertionError("ingest_upload made a temporary file")


async def _ingest_both(tmp_path: Path, name: str, data: bytes):
    """The report and stored articles of an upload, and of the same file ingested from disk."""
    library = await Library.open(tmp_path / "data", HashingEmbedder(), EngineSettings())
    try:
        uploaded = await library.ingest_upload(name, data, scope="111")
        folder = tmp_path / "disk"
        folder.mkdir()
        (folder / name).write_bytes(data)
        from_disk = await library.ingest_files([folder / name], scope="222")
        return ((uploaded, await library.articles(scope="111")),
                (from_disk, await library.articles(scope="222")), str(folder / name))
    finally:
        await library.close()


@pytest.mark.parametrize("name", UPLOADS)
async def test_an_upload_is_read_as_the_same_file_on_disk(tmp_path, monkeypatch, name):
    # mkstemp stays: the vectors file is saved through one beside it (tests below check nothing else is made).
    for function in ("mkdtemp", "NamedTemporaryFile", "TemporaryDirectory", "SpooledTemporaryFile"):
        monkeypatch.setattr(tempfile, function, _no_temporary_files)
    (uploaded, listed), (from_disk, listed_from_disk), path = await _ingest_both(tmp_path, name, UPLOADS[name])
    assert replace(uploaded, seconds=0) == replace(from_disk, seconds=0,
                                                   errors=tuple(e.replace(path, name) for e in from_disk.errors))
    assert [replace(a, ingested_at="", scope=None) for a in listed] == [
        replace(a, ingested_at="", scope=None) for a in listed_from_disk]


async def test_an_upload_writes_nothing_beside_the_library(tmp_path):
    library = await Library.open(tmp_path / "data", HashingEmbedder(), EngineSettings())
    try:
        before = set(tmp_path.rglob("*"))
        report = await library.ingest_upload("power-grid.md", UPLOADS["power-grid.md"], scope="111")
        made = set(tmp_path.rglob("*")) - before
    finally:
        await library.close()
    assert report.new == 1
    # The server's vector index ("111" in hex) is the only new file besides SQLite's own.
    assert {path.name for path in made} <= {"vectors-313131.faiss", "newsbot.db-wal", "newsbot.db-shm"}

"""Tests for bad files and folder walking: clear one-line errors, lazy sorted listings."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import pytest

from index.ingest.files import SUPPORTED_SUFFIXES, read_file
from index.ingest.folders import iter_files
from index.models import Article
from tests.test_sources import read_one, whole_file_error, write

# --- bad files --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "content", "reason"), [
    ("notes.txt", b"", "empty file"),
    ("blank.md", b"  \n\n\t \n", "empty file"),
    ("blank.jsonl", b"\n  \n", "empty file"),
    ("empty.html", b"", "empty file"),
    ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "looks like a binary file, not text"),
    ("photo.jsonl", b'{"text": "a"}\n\x00\x01', "looks like a binary file, not text"),
    ("wide.txt", "Hello".encode("utf-16"), "saved as UTF-16; save it as UTF-8"),
    ("latin.txt", b"Caf" + b"e" * 117 + b"\xe9 au lait", "not valid UTF-8 (byte 0xe9 at offset 120); save it as UTF-8"),
    ("bom.md", b"\xef\xbb\xbfabc\xe9", "not valid UTF-8 (byte 0xe9 at offset 6); save it as UTF-8"),
])
def test_bad_files(tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    path = write(tmp_path / name, content)
    assert whole_file_error(path) == f"{path}: {reason}"


@pytest.mark.parametrize("name", ["late.txt", "late.md", "late.html", "late.json"])
def test_a_nul_byte_anywhere_marks_a_binary_file(tmp_path: Path, name: str) -> None:
    text = '{"title": "T", "text": "' + "Plain words. " * 800 if name.endswith(".json") else "Plain words. " * 800
    path = write(tmp_path / name, text.encode() + b"\x00\x01\x02 and more")
    assert whole_file_error(path) == f"{path}: looks like a binary file, not text (a NUL byte at offset {len(text)})"


def test_a_nul_byte_in_a_late_jsonl_line_costs_that_line(tmp_path: Path) -> None:
    good = json.dumps({"id": "ok", "title": "T", "text": "Plain words here."})
    path = write(tmp_path / "late.jsonl", (good + "\n") * 300 + '{"text": "bin\x00ary"}\n' + good.replace("ok", "ok2"))
    items = list(read_file(path))
    assert len(items) == 302 and isinstance(items[301], Article)
    assert str(items[300]) == f"{path}:301: looks like binary data, not text (a NUL byte at column 14)"


def test_too_big_file(tmp_path: Path) -> None:
    path = write(tmp_path / "huge.txt", (b"a" * 99 + b"\n") * 210_000)
    message = "20.0 MB is over the 10 MB limit for one file (ingest.max_file_mb)"
    assert whole_file_error(path) == f"{path}: {message}"
    assert whole_file_error(path, max_file_mb=2.5).endswith("over the 2.5 MB limit for one file (ingest.max_file_mb)")


def test_missing_and_unsupported_files(tmp_path: Path) -> None:
    supported = " ".join(SUPPORTED_SUFFIXES)
    assert whole_file_error(tmp_path / "x.txt") == f"{tmp_path / 'x.txt'}: no such file"
    pdf = write(tmp_path / "x.pdf", b"%PDF-1.4")
    assert whole_file_error(pdf) == f"{pdf}: unsupported file type (.pdf); newsbot reads {supported}"
    bare = write(tmp_path / "README", "text")
    assert whole_file_error(bare) == f"{bare}: unsupported file type (no extension); newsbot reads {supported}"


def test_uppercase_suffix_is_supported(tmp_path: Path) -> None:
    assert read_one(write(tmp_path / "SHOUT.TXT", "Quiet day\n\nNothing happened.\n")).title == "Quiet day"


# --- folders ----------------------------------------------------------------------------------------------


def test_iter_files_walks_folders_sorted_and_skips_hidden(tmp_path: Path) -> None:
    root = tmp_path / "news"
    for n in range(3000):
        write(root / f"batch{n % 3}" / f"story{n:04d}.txt", "x")
    write(root / ".hidden.txt", "x")
    write(root / ".git" / "notes.md", "x")
    write(root / "photo.jpg", b"\xff\xd8")
    write(root / "a.JSONL", "x")
    direct = write(tmp_path / "report.pdf", "x")
    found = iter_files([root, str(direct), tmp_path / "missing.txt"])
    assert inspect.isgenerator(found)
    names = [str(p.relative_to(tmp_path)) for p in found]
    assert len(names) == 3000 + 3
    assert names[0] == "news/a.JSONL"
    assert names[1:3001] == sorted(names[1:3001])
    assert names[1] == "news/batch0/story0000.txt" and names[-3] == "news/batch2/story2999.txt"
    assert names[-2:] == ["report.pdf", "missing.txt"]


def test_iter_files_lists_folders_only_when_reached(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        for n in range(5):
            write(tmp_path / folder / f"{n}.txt", "x")
    found = iter_files([tmp_path])
    assert next(found) == tmp_path / "a" / "0.txt"
    write(tmp_path / "b" / "5.txt", "x")  # b is not listed yet, so its new file is found
    assert [p.name for p in found] == ["1.txt", "2.txt", "3.txt", "4.txt", "0.txt", "1.txt", "2.txt", "3.txt",
                                       "4.txt", "5.txt"]

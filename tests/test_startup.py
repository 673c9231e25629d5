"""What the `newsbot` command imports: commands that embed nothing never load torch, and a question loads only
ONNX Runtime once the model's export is cached."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.newsbot_process import EXAMPLES, HASHING_CONFIG, run_newsbot

HEAVY = {"torch", "transformers", "sentence_transformers"}
_IMPORT_LINE = re.compile(r"import time:\s+\d+ \|\s+\d+ \|( *)(\S+)")


def imported(run: subprocess.CompletedProcess[str]) -> set[str]:
    """The modules a run imported, from the -X importtime lines on its stderr (PYTHONPROFILEIMPORTTIME=1)."""
    assert run.returncode == 0, run.stderr[-2000:]
    return {match.group(2) for line in run.stderr.splitlines() if (match := _IMPORT_LINE.match(line))}


def tops(modules: set[str]) -> set[str]:
    """The top-level packages of these modules."""
    return {name.split(".")[0] for name in modules}


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """A home with a small library of the example articles, made with the hashing embedder."""
    made = run_newsbot(tmp_path, "ingest", str(EXAMPLES))
    assert made.returncode == 0, made.stderr
    return tmp_path


@pytest.mark.parametrize("command", [["stats"], ["articles"], ["feed", "list"], ["stats", "--json"]])
def test_commands_that_embed_nothing_import_no_model_code(library: Path, command: list[str]) -> None:
    # With the real model configured the same holds (the model test below; test_onnx checks load_embedder).
    run = run_newsbot(library, *command, config=HASHING_CONFIG, PYTHONPROFILEIMPORTTIME="1")
    loaded = tops(imported(run))
    assert loaded & (HEAVY | {"onnxruntime", "aiohttp", "trafilatura", "discord"}) == set()


@pytest.mark.model
def test_a_question_with_the_export_cached_loads_only_onnx_runtime(tmp_path: Path) -> None:
    config = f'[embedding]\nonnx_cache = "{tmp_path / "exports"}"\n'
    first = run_newsbot(tmp_path, "ingest", str(EXAMPLES), config=config, timeout=600)
    assert first.returncode == 0, first.stderr
    stats = run_newsbot(tmp_path, "stats", config=config, PYTHONPROFILEIMPORTTIME="1")
    assert tops(imported(stats)) & (HEAVY | {"onnxruntime"}) == set()
    ask = run_newsbot(tmp_path, "ask", "How many missiles did Russia fire?", config=config,
                      PYTHONPROFILEIMPORTTIME="1")
    loaded = tops(imported(ask))
    assert {"onnxruntime", "tokenizers"} <= loaded
    assert loaded & HEAVY == set()
    assert "missiles" in ask.stdout

"""Run `newsbot` commands in-process against a config and a data directory of a test's own."""

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.cli import main

Newsbot = Callable[..., tuple[int, str, str]]

# The hashing embedder, and an answer policy loose enough for its weaker similarities.
HASHING_CONFIG = """
[embedding]
model = "hashing"
[answer]
min_confidence = 0.0
min_similarity = 0.1
min_similarity_without_terms = 0.5
"""


def command_runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                   config: str) -> Newsbot:
    """A function running a newsbot command with `config` in tmp_path; it returns (status, stdout, stderr)."""
    config_file = tmp_path / "config.toml"
    config_file.write_text(config)
    monkeypatch.setenv("NEWSBOT_CONFIG", str(config_file))
    monkeypatch.setenv("NEWSBOT_DATA_DIR", str(tmp_path / "data"))

    def run(*args: str) -> tuple[int, str, str]:
        status = main(list(args))
        captured = capsys.readouterr()
        return status, captured.out, captured.err

    return run

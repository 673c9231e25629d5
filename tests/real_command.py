"""Run the installed `newsbot` command in a subprocess, as a user would, against a library of a test's own."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

NEWSBOT = Path(sys.executable).parent / "newsbot"
HASHING_CONFIG = '[embedding]\nmodel = "hashing"\n'


def run_newsbot(tmp_path: Path, *args: str, config: str = HASHING_CONFIG, timeout: float = 60,
                **env: str) -> subprocess.CompletedProcess[str]:
    """Run `newsbot ARGS` with `config` and the data directory tmp_path/data; extra environment in `env`."""
    config_file = tmp_path / "config.toml"
    config_file.write_text(config)
    environment = {**os.environ, "NEWSBOT_CONFIG": str(config_file), "NEWSBOT_DATA_DIR": str(tmp_path / "data"),
                   "HF_HUB_OFFLINE": "1", **env}
    environment.pop("NEWSBOT_DISCORD_TOKEN", None)
    return subprocess.run([str(NEWSBOT), *args], env=environment, capture_output=True, text=True, timeout=timeout,
                          check=False)


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The single line a failed command printed on stderr; fails the test on a traceback or more lines."""
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def stored_rows(data_dir: Path) -> list[tuple]:
    """Every stored article, read straight from the library's database (none when there is no database)."""
    database = data_dir / "newsbot.db"
    if not database.exists():
        return []
    with sqlite3.connect(database) as connection:
        return connection.execute("SELECT id, content_hash FROM articles ORDER BY id").fetchall()

"""Run the real, installed `newsbot` command in a subprocess, with a config and a library of a test's own."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from index.store.backends import DATABASE_FILE

NEWSBOT = Path(sys.executable).parent / "newsbot"
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
HASHING_CONFIG = '[embedding]\nmodel = "hashing"\n'
CONFIG = """
[embedding]
model = "hashing"
[web]
allow_private_addresses = true
timeout_seconds = 2.0
"""


def environment(home: Path, config: str = CONFIG) -> dict[str, str]:
    """The environment of a command run for a test: its config written in `home`, its library in home/data."""
    config_file = home / "config.toml"
    config_file.write_text(config)
    environment = os.environ | {"NEWSBOT_CONFIG": str(config_file), "NEWSBOT_DATA_DIR": str(home / "data"),
                                "HF_HUB_OFFLINE": "1"}
    environment.pop("NEWSBOT_DISCORD_TOKEN", None)  # a developer's own token would turn `newsbot` into `run`
    return environment


def newsbot(home: Path, *args: str, config: str = CONFIG, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed `newsbot` command with a hashing config and a data directory in `home`."""
    return subprocess.run([str(NEWSBOT), *args], capture_output=True, text=True, env=environment(home, config),
                          input=stdin, timeout=120, check=False)


def start(home: Path, *args: str, config: str = CONFIG, **env: str) -> subprocess.Popen[str]:
    """Start `newsbot` with pipes, Ctrl-C acting as in a terminal even when the tests run with SIGINT ignored; extra
    environment in `env`."""
    return subprocess.Popen([str(NEWSBOT), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=environment(home, config) | env,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def stored(home: Path) -> list[str]:
    """Everything the library's database holds, as SQL statements."""
    with contextlib.closing(sqlite3.connect(home / "data" / DATABASE_FILE)) as db:
        return list(db.iterdump())


def one_line(run: subprocess.CompletedProcess[str], status: int) -> str:
    """The only line a failed command wrote on stderr, after checking there is no traceback and the status."""
    line = one_error_line(run)
    assert run.returncode == status, (run.returncode, run.stderr)
    return line


def refused_in_one_line(home: Path, *args: str, status: int = 2) -> str:
    """Run a command that must fail: its one stderr line, after checking the status and that nothing changed."""
    before = stored(home)
    line = one_line(newsbot(home, *args), status)
    assert stored(home) == before
    return line


def run_newsbot(home: Path, *args: str, config: str = HASHING_CONFIG, timeout: float = 60,
                **env: str) -> subprocess.CompletedProcess[str]:
    """Run `newsbot ARGS` with `config` and the data directory home/data; extra environment in `env`."""
    return subprocess.run([str(NEWSBOT), *args], env=environment(home, config) | env, capture_output=True,
                          text=True, timeout=timeout, check=False)


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The single line a failed command printed on stderr; fails the test on a traceback or more lines."""
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def stored_rows(data_dir: Path) -> list[tuple]:
    """Every stored article, read straight from the library's database (none when there is no database)."""
    database = data_dir / DATABASE_FILE
    if not database.exists():
        return []
    with contextlib.closing(sqlite3.connect(database)) as connection:
        return connection.execute("SELECT id, content_hash FROM articles ORDER BY id").fetchall()

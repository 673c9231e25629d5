"""Run the real, installed `newsbot` command in a subprocess, with a config and a library of a test's own."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from index.library import DATABASE_FILE

NEWSBOT = Path(sys.executable).parent / "newsbot"
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
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
    return os.environ | {"NEWSBOT_CONFIG": str(config_file), "NEWSBOT_DATA_DIR": str(home / "data"),
                         "HF_HUB_OFFLINE": "1"}


def newsbot(home: Path, *args: str, config: str = CONFIG, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed `newsbot` command with a hashing config and a data directory in `home`."""
    return subprocess.run([str(NEWSBOT), *args], capture_output=True, text=True, env=environment(home, config),
                          input=stdin, timeout=120, check=False)


def start(home: Path, *args: str, config: str = CONFIG) -> subprocess.Popen[str]:
    """Start `newsbot` with pipes, Ctrl-C acting as in a terminal even when the tests run with SIGINT ignored."""
    return subprocess.Popen([str(NEWSBOT), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=environment(home, config),
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def stored(home: Path) -> list[str]:
    """Everything the library's database holds, as SQL statements."""
    with contextlib.closing(sqlite3.connect(home / "data" / DATABASE_FILE)) as db:
        return list(db.iterdump())


def one_line(run: subprocess.CompletedProcess[str], status: int) -> str:
    """The only line a failed command wrote on stderr, after checking there is no traceback and the status."""
    assert "Traceback" not in run.stderr and run.stderr.count("\n") == 1, run.stderr
    assert run.returncode == status, (run.returncode, run.stderr)
    return run.stderr.rstrip("\n")


def refused_in_one_line(home: Path, *args: str, status: int = 2) -> str:
    """Run a command that must fail: its one stderr line, after checking the status and that nothing changed."""
    before = stored(home)
    line = one_line(newsbot(home, *args), status)
    assert stored(home) == before
    return line

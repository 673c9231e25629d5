"""What every command-line command shares: opening the library, --server, and printing a result as JSON or text."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any

from bot.config import Settings
from index import Library, load_embedder

# --server's help where a command reads what a server sees: its own articles and the operator's library.
SEES = "as a Discord server sees it: its own articles and the library's"

# A coroutine, not just an awaitable: main() hands it to asyncio.run.
Command = Callable[[argparse.Namespace, Settings], Coroutine[Any, Any, int]]


@asynccontextmanager
async def open_library(settings: Settings) -> AsyncIterator[Library]:
    """Open the library the settings point at, and close it afterwards."""
    embedding = settings.embedding
    embedder = load_embedder(embedding.model, embedding.batch_size, embedding.device, embedding.threads or None,
                             on_load=_say_loading, backend=embedding.backend, onnx_cache=embedding.onnx_cache)
    library = await Library.open(settings.data_dir, embedder, settings.engine)
    try:
        yield library
    finally:
        await library.close()


def server_scope(args: argparse.Namespace) -> str | None:
    """The scope of the Discord server a command acts for (--server ID); None: the operator's library."""
    server = getattr(args, "server", None)
    return None if server is None else str(server)


def add_server_option(command: argparse.ArgumentParser, help_text: str) -> None:
    """--server ID: the command acts for one Discord server (its id, a whole number, as Discord shows it)."""
    command.add_argument("--server", type=int, metavar="ID", help=help_text)


def in_server(scope: str | None) -> str:
    """" in server 111's library" for a server's scope, "" for the operator's library."""
    return f" in server {scope}'s library" if scope else ""


def _say_loading(model: str) -> None:
    """Tell the user why nothing happens for a while: the model loads (10-20 s on a small machine)."""
    print(f"loading the embedding model ({model})...", file=sys.stderr, flush=True)


def print_json(value: object) -> None:
    """One JSON document per line, non-ASCII kept readable."""
    print(json.dumps(value, ensure_ascii=False), flush=True)


def print_either(as_json: bool, value: object, text: str) -> None:
    """Print the JSON form or the text form of a result."""
    if as_json:
        print_json(value)
    else:
        print(text)

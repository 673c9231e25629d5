"""`newsbot ask` (one question, or a file of them) and `newsbot chat`: quoted, cited answers in the terminal."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from bot import render
from bot.config import Settings
from bot.session import open_library, print_either, print_json, server_scope
from bot.wording import plural
from index import Library, QuestionError


class BatchFileError(Exception):
    """The --batch file cannot be read as questions; the message is one line naming it."""


@dataclass(frozen=True)
class BatchLine:
    """One line of a --batch file: its number, and the question on it ("" for a blank line)."""

    number: int
    question: str


@dataclass
class _BatchTally:
    """What a batch did, for its closing line."""

    answered: int = 0
    blank: int = 0
    refused: tuple[int, ...] = ()


def read_batch_file(source: str) -> list[str]:
    """The lines of a --batch file, read whole before the model loads, so a wrong file fails at once."""
    path = Path(source)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise BatchFileError(f"{source}: no such file") from None
    except IsADirectoryError:
        raise BatchFileError(f"{source}: a folder, not a file of questions (one per line)") from None
    except OSError as error:
        raise BatchFileError(f"{source}: cannot read ({error.strerror})") from None
    if b"\0" in data:
        raise BatchFileError(f"{source}: looks like a binary file, not questions (one per line)")
    try:
        return data.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError as error:
        raise BatchFileError(f"{source}: not valid UTF-8 (byte 0x{data[error.start]:02x} at offset "
                             f"{error.start}); save it as UTF-8") from None


def batch_lines(lines: Iterable[str]) -> Iterator[BatchLine]:
    """Number each line and take its question; a JSON line gives its "q" (a line that is not JSON stays as is)."""
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if line.startswith("{"):
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                record = None
            if isinstance(record, dict):
                line = str(record.get("q", "")).strip()
        yield BatchLine(number, line)


@dataclass(frozen=True)
class Asking:
    """How a command asks: in which scope (a server's, or None: the operator's library), printing JSON or text."""

    scope: str | None = None
    as_json: bool = False


async def answer_one(library: Library, question: str, asking: Asking, line: int | None = None) -> bool:
    """Answer one question and print it; a question that cannot be asked is one error line (False)."""
    started = time.perf_counter()
    try:
        answer = await library.ask(question, scope=asking.scope)
    except QuestionError as error:
        where = f"line {line}: " if line is not None else ""
        if asking.as_json:
            print_json({"question": question, "error": str(error)} | ({"line": line} if line else {}))
        else:
            print(f"error: {where}{error}", file=sys.stderr)
        return False
    elapsed_ms = round((time.perf_counter() - started) * 1000, 1)  # the engine's time alone, not the printing
    if line is not None and not asking.as_json:  # in a batch, each answer under its question
        print(f"? {question}")
    print_either(asking.as_json, render.answer_json(answer) | {"elapsed_ms": elapsed_ms}, render.answer_text(answer))
    return True


async def _answer_batch(library: Library, lines: Iterable[BatchLine], asking: Asking) -> _BatchTally:
    """Answer every question of a batch in order, a blank line between answers in text mode."""
    tally = _BatchTally()
    for line in lines:
        if not line.question:
            tally.blank += 1
            continue
        if tally.answered and not asking.as_json:
            print()
        if await answer_one(library, line.question, asking, line.number):
            tally.answered += 1
        else:
            tally.refused += (line.number,)
    return tally


def batch_closing_line(tally: _BatchTally) -> str:
    """The closing line of a batch, such as: 3 questions answered, 1 refused (line 4), 2 blank lines skipped."""
    parts = [f"{plural(tally.answered, 'question')} answered"]
    if tally.refused:
        lines = ", ".join(map(str, tally.refused))
        parts.append(f"{len(tally.refused):,} refused ({'line' if len(tally.refused) == 1 else 'lines'} {lines})")
    if tally.blank:
        parts.append(f"{plural(tally.blank, 'blank line')} skipped")
    return ", ".join(parts) + "."


async def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    """Answer a question (or a file of them) with quoted, cited sentences."""
    if args.question is not None and args.batch is not None:
        print("error: give either a question or --batch FILE, not both", file=sys.stderr)
        return 2
    if args.question is None and args.batch is None:
        print('error: give a question (newsbot ask "...") or --batch FILE', file=sys.stderr)
        return 2
    try:
        lines = sys.stdin if args.batch == "-" else read_batch_file(args.batch) if args.batch else []
    except BatchFileError as error:
        print(f"error: --batch {error}", file=sys.stderr)
        return 2
    asking = Asking(server_scope(args), args.json)
    async with open_library(settings) as library:
        if args.json:  # the model loads now, so that each answer's elapsed_ms is its own time
            await library.warm_up()
        if args.batch is None:
            return 0 if await answer_one(library, args.question, asking) else 2
        tally = await _answer_batch(library, batch_lines(lines), asking)
    print(batch_closing_line(tally), file=sys.stderr)
    return 2 if tally.refused else 0


async def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    """Ask questions in the terminal until an empty line, `quit` or end of input."""
    async with open_library(settings) as library:
        print("Ask about the news (an empty line or Ctrl-D ends).", file=sys.stderr)
        while True:
            try:
                question = await asyncio.to_thread(input, "? ")
            except EOFError:
                break
            if question.strip().lower() in {"", "quit", "exit"}:
                break
            await answer_one(library, question, Asking())
            print()
    return 0

"""JSON Lines read a line at a time: a line over the limit is measured, never held; each line decoded."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, BinaryIO

from index.text import MB


def lines(handle: BinaryIO, limit: int) -> Iterator[bytes | int]:
    """Each line of a file; for a line over `limit` bytes, its size, read through without holding it."""
    while raw := handle.readline(limit + 1):
        if raw.endswith(b"\n") or len(raw) <= limit:
            yield raw
            continue
        size = len(raw)
        while raw and not raw.endswith(b"\n"):
            raw = handle.readline(MB)
            size += len(raw)
        yield size


def parse_line(raw: bytes) -> Any:
    """Decode one JSON Lines line, raising ValueError with a short reason."""
    if (nul := raw.find(b"\0")) >= 0:
        raise ValueError(f"looks like binary data, not text (a NUL byte at column {nul + 1})")
    try:
        line = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        raise ValueError(f"not valid UTF-8 (byte 0x{raw[error.start]:02x} at column {error.start + 1})") from None
    try:
        return json.loads(line)
    except json.JSONDecodeError as error:
        raise ValueError(f"not valid JSON ({error.msg} at column {error.colno})") from None
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None

"""List the article files named on a command line, walking folders lazily in name order."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from index.sources import SUPPORTED_SUFFIXES, SourceError


def iter_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Yield each named file, and lazily, in name order, the supported files inside named folders."""
    for given in paths:
        path = Path(given)
        if path.is_dir():
            yield from _walk(path)
        else:
            # Yielded even when missing or unsupported, so read_file can say what is wrong.
            yield path


def _walk(folder: Path) -> Iterator[Path]:
    """Yield the supported, non-hidden files under a folder, listing one folder at a time."""
    try:
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda entry: entry.name)
    except OSError as error:
        raise SourceError(f"{folder}: cannot read folder ({error.strerror})") from None
    for entry in entries:
        if entry.name.startswith("."):
            continue
        # Symlinked folders are not followed: a link back up the tree would loop forever.
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(Path(entry.path))
        elif Path(entry.name).suffix.lower() in SUPPORTED_SUFFIXES:
            yield Path(entry.path)

"""List the article files named on a command line, walking folders lazily in name order."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from index.ingest.files import SUPPORTED_SUFFIXES, SourceError


def iter_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Yield each named file, and lazily, in name order, the supported files inside named folders."""
    for given in paths:
        path = Path(given)
        if path.is_dir():
            files = _walk(path)
            first = next(files, None)
            # A folder with nothing to read is yielded itself, so that the reader says why (nothing_to_read).
            yield path if first is None else first
            yield from files  # still lazy: a folder is listed only when reached
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


def nothing_to_read(folder: Path) -> str:
    """Why a folder gave no article file: empty, or only hidden files and files of other types."""
    hidden, other = 0, Counter[str]()
    for _root, folders, files in os.walk(folder):
        hidden += sum(name.startswith(".") for name in [*folders, *files])
        folders[:] = [name for name in folders if not name.startswith(".")]
        other.update(Path(name).suffix.lower() or "no extension" for name in files if not name.startswith("."))
    if not hidden and not other:
        return f"{folder}: an empty folder"
    commonest = sorted(other, key=lambda kind: (-other[kind], kind))  # most first, then by name: stable wording
    kinds = ", ".join(commonest[:3]) + (", ..." if len(other) > 3 else "")
    parts = [f"{hidden} hidden"] * bool(hidden) + [f"{other.total()} of other types: {kinds}"] * bool(other)
    return (f"{folder}: no article files in it ({', '.join(parts)}); newsbot reads "
            f"{' '.join(SUPPORTED_SUFFIXES)}")

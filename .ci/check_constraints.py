"""Fail when an installed distribution is missing from constraints.txt or installed at another version."""

from __future__ import annotations

import re
import sys
from importlib.metadata import distributions
from pathlib import Path

# pip is venv's own; newsbot is the project itself, installed from the clone.
_TOOLING = {"pip", "newsbot"}


def _key(name: str) -> str:
    """A distribution name as pip compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def main() -> int:
    """Compare this environment with constraints.txt; print each difference."""
    path = Path(__file__).resolve().parent.parent / "constraints.txt"
    pins = dict(line.split("==", 1) for line in path.read_text().splitlines() if "==" in line and line[0] != "#")
    pinned = {_key(name): version.strip() for name, version in pins.items()}
    problems = []
    for dist in distributions():
        name, version = _key(dist.metadata["Name"]), dist.version.split("+")[0]
        if name in _TOOLING:
            continue
        if name not in pinned:
            problems.append(f"{name} {version} is installed but not pinned")
        elif pinned[name] != version:
            problems.append(f"{name} is pinned at {pinned[name]} but {version} is installed")
    for problem in problems:
        print(f"constraints.txt: {problem} (refresh it with .ci/refresh-constraints)", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

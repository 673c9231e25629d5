"""Print the Nth ```sh block of a README section, so CI runs the README's own commands, not a copy of them."""

from __future__ import annotations

import re
import sys
from pathlib import Path


def section_blocks(readme: str, heading: str) -> list[str]:
    """The ```sh blocks under the `## heading` of a README, in order."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", readme, re.M | re.S)
    if match is None:
        raise SystemExit(f"README.md has no section '## {heading}'")
    return [block.strip() for block in re.findall(r"^```sh\n(.*?)^```", match.group(1), re.M | re.S)]


def main() -> None:
    """readme_commands.py SECTION N: the Nth (from 1) shell block of README.md's SECTION."""
    heading, number = sys.argv[1], int(sys.argv[2])
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    blocks = section_blocks(readme, heading)
    if not 1 <= number <= len(blocks):
        raise SystemExit(f"README.md's '## {heading}' has {len(blocks)} shell blocks, not {number}")
    print(blocks[number - 1])


if __name__ == "__main__":
    main()

"""Check that each ```sh block of a README section stands word for word in a script (CI runs the README's commands)."""

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
    """readme_commands.py SECTION SCRIPT: fail, naming it, on a shell block of README.md's SECTION not in SCRIPT."""
    heading, script = sys.argv[1], Path(sys.argv[2])
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    text = script.read_text(encoding="utf-8")
    for number, block in enumerate(section_blocks(readme, heading), start=1):
        if block not in text:
            raise SystemExit(f"{script} does not run README.md's '## {heading}' command {number} as written: {block}")


if __name__ == "__main__":
    main()

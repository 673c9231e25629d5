"""The Markdown stripper before and now on the CommonMark specification's examples, printed as a markdown table.

Usage: python benchmarks/markdown_spec.py [--before REV] [--repeat N]

"before" is `strip_markdown` as of git revision REV (default: the last one with the regex rules), read with
`git show`; "now" is this checkout's. Right text and syntax left are judged as tests/test_markdown_spec.py judges
them. Speed is characters of Markdown per second, best of 3: the bodies of the articles in examples/ repeated N
times as one text (plain prose, little markup), and the specification's 652 examples, each stripped on its own,
N / 10 times (dense markup; joined, an unclosed "<!--" in one would let the regex rules drop all the rest).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path

from tables import print_rows

ROOT = Path(__file__).resolve().parent.parent
# This checkout's engine and tests, not those of an installed newsbot.
sys.path.insert(0, str(ROOT))

from index.ingest.markup import split_front_matter, strip_markdown  # noqa: E402
from tests.test_markdown_spec import examples, score  # noqa: E402

REGEX_RULES = "e8ad495"  # the last revision whose strip_markdown is a list of regex rules


def stripper_at(revision: str) -> Callable[[str], str]:
    """strip_markdown as index/ingest/markup.py had it at a git revision."""
    source = subprocess.run(["git", "show", f"{revision}:index/ingest/markup.py"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout
    module = types.ModuleType(f"markup_at_{revision}")
    sys.modules[module.__name__] = module  # dataclasses look their module up by name
    exec(compile(source, f"{revision}:index/ingest/markup.py", "exec"), module.__dict__)
    return module.strip_markdown


def chars_per_second(strip: Callable[[str], str], texts: list[str]) -> float:
    """Characters stripped per second, each text on its own, best of 3 runs."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for text in texts:
            strip(text)
        best = min(best, time.perf_counter() - start)
    return sum(map(len, texts)) / best


def main() -> None:
    """Score and time both strippers and print one table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=REGEX_RULES, help="git revision of the stripper to compare with")
    parser.add_argument("--repeat", type=int, default=200, help="copies of the example articles timed")
    args = parser.parse_args()
    articles = "\n\n".join(split_front_matter(path.read_text(encoding="utf-8"))[1]
                           for path in sorted((ROOT / "examples").glob("*.md"))) * args.repeat
    spec_texts = [example["markdown"] for example in examples()] * (args.repeat // 10)
    print(f"load: {os.getloadavg()[0]:.2f} ({os.cpu_count()} cores); articles: {len(articles):,} characters, "
          f"spec examples: {sum(map(len, spec_texts)):,}\n")
    strippers = {f"regex rules ({args.before})": stripper_at(args.before), "markdown-it-py walker": strip_markdown}
    rows = []
    for name, strip in strippers.items():
        failing, leaking = score(strip)
        rows.append({"stripper": name, "right text": f"{652 - len(failing)} / 652",
                     "syntax left": f"{len(leaking)} / 652",
                     "articles, chars/s": f"{chars_per_second(strip, [articles]):,.0f}",
                     "spec examples, chars/s": f"{chars_per_second(strip, spec_texts):,.0f}"})
    print_rows(rows)


if __name__ == "__main__":
    main()

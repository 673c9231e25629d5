"""Words every front end shares: counts with the right plural."""

from __future__ import annotations


def plural(count: int, noun: str, many: str | None = None) -> str:
    """"1 article", "2 articles", "1,204 articles"; `many` for nouns that do not just add an s."""
    return f"{count:,} {noun if count == 1 else many or noun + 's'}"

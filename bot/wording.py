"""Words every front end shares: counts with the right plural, and dates."""

from __future__ import annotations

from datetime import date


def plural(count: int, noun: str, many: str | None = None) -> str:
    """"1 article", "2 articles", "1,204 articles"; `many` for nouns that do not just add an s."""
    return f"{count:,} {noun if count == 1 else many or noun + 's'}"


def iso_day(value: date | None) -> str | None:
    """An ISO date, or None, as the JSON output wants."""
    return value.isoformat() if value else None


def shown_day(value: date | None) -> str:
    """An ISO date, or "undated", as text and Discord show an article's date."""
    return value.isoformat() if value else "undated"

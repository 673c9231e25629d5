"""Times as the store keeps them: UTC ISO 8601 to the second, whichever backend (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def timestamp() -> str:
    """Now, as stored."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def later(delay: timedelta) -> str:
    """A stored timestamp `delay` from now."""
    return (datetime.now(UTC) + delay).isoformat(timespec="seconds")


def after(start: str, delay: timedelta) -> str:
    """The stored timestamp `delay` after the stored timestamp `start`."""
    return (datetime.fromisoformat(start) + delay).astimezone(UTC).isoformat(timespec="seconds")

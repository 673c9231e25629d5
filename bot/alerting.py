"""The hourly cap on alerts: which pending alerts go out one by one now, and which are held, then gathered (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, Protocol, TypeVar

HOUR = timedelta(hours=1)


class Pending(Protocol):
    """What the cap needs of an alert: its id (older alerts have smaller ids) and who it is for."""

    @property
    def id(self) -> int: ...

    @property
    def target(self) -> str: ...


AlertT = TypeVar("AlertT", bound=Pending)


@dataclass(frozen=True)
class Window:
    """One target's current hour: its number, alert messages sent in it, and the newest alert held back in it."""

    hour: int
    sent: int = 0
    held_through: int | None = None  # alerts up to this id wait for the gathered message at the hour's end


@dataclass(frozen=True)
class TargetPlan(Generic[AlertT]):
    """One target's round: held alerts to post gathered in one message (first), alerts to post singly, its window."""

    gathered: list[AlertT]
    singles: list[AlertT]
    window: Window


def hour_of(now: datetime, hour: timedelta = HOUR) -> int:
    """The number of the clock hour (or hour-long window) `now` falls in: windows start on the hour, as clocks do."""
    return int(now.timestamp() // hour.total_seconds())


def by_target(alerts: Sequence[AlertT]) -> dict[str, list[AlertT]]:
    """Alerts grouped by target, each group oldest first."""
    groups: dict[str, list[AlertT]] = {}
    for alert in sorted(alerts, key=lambda a: a.id):
        groups.setdefault(alert.target, []).append(alert)
    return groups


def plan_target(alerts: Sequence[AlertT], window: Window | None, cap: int, hour: int) -> TargetPlan[AlertT]:
    """One target's round (its alerts oldest first): at most `cap` single messages an hour, the rest held."""
    gathered: list[AlertT] = []
    if window is None or window.hour != hour:
        # A new hour: what the last one held back goes out in one message, and the count starts again.
        held_through = window.held_through if window else None
        gathered = [a for a in alerts if held_through is not None and a.id <= held_through]
        alerts = [a for a in alerts if held_through is None or a.id > held_through]
        window = Window(hour)
    room = max(cap - window.sent, 0)
    singles, held = list(alerts[:room]), alerts[room:]
    held_through = max((a.id for a in held), default=window.held_through)
    return TargetPlan(gathered, singles, Window(hour, window.sent + len(singles), held_through))


def plan(alerts: Sequence[AlertT], windows: dict[str, Window], cap: int, hour: int) -> dict[str, TargetPlan[AlertT]]:
    """What to post this round to every target with pending alerts, given their windows and the hourly cap."""
    return {target: plan_target(group, windows.get(target), cap, hour)
            for target, group in by_target(alerts).items()}

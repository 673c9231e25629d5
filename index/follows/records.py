"""A followed topic and an alert it made, as the store keeps them and the front ends show them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Follow:
    """A topic followed in a scope, for a target its front end names ("cli", "channel:1", "user:2")."""

    id: int
    topic: str
    scope: str | None
    target: str
    created_at: str


@dataclass(frozen=True)
class Alert:
    """A stored article about a followed topic: the sentence most about it, verbatim, with what a citation needs."""

    id: int
    follow_id: int
    topic: str
    target: str
    scope: str | None
    article_id: str  # as its users know it, without the scope
    title: str
    url: str | None
    outlet: str | None
    published: date | None
    text: str
    created_at: str

"""Follows and their alerts -> terminal text and JSON, for `newsbot follow` and the commands that store articles."""

from __future__ import annotations

from bot.wording import shown_day
from index import Alert, Follow

# The target of the operator's own follows: their alerts are printed by the command that stored the articles.
CLI_TARGET = "cli"


def alert_line(alert: Alert) -> str:
    """`alert: TOPIC · TITLE (OUTLET, DATE) · "SENTENCE"`, one line per alert."""
    cited = ", ".join(part for part in (alert.outlet, shown_day(alert.published)) if part)
    return f'alert: {alert.topic} · {alert.title} ({cited}) · "{alert.text}"'


def alert_json(alert: Alert) -> dict[str, object]:
    """An alert as --json prints it."""
    return {"topic": alert.topic, "article_id": alert.article_id, "title": alert.title, "url": alert.url,
            "outlet": alert.outlet, "published": alert.published.isoformat() if alert.published else None,
            "text": alert.text}


def follow_json(follow: Follow) -> dict[str, object]:
    """A follow as --json prints it."""
    return {"id": follow.id, "topic": follow.topic, "server": follow.scope, "created_at": follow.created_at}


def follow_line(follow: Follow) -> str:
    """A follow as `newsbot follow list` prints it."""
    where = f"server {follow.scope}" if follow.scope else "library"
    return f"{follow.id:>4}  {follow.topic}  [{where}, since {follow.created_at[:10]}]"


def operator_alerts(alerts: tuple[Alert, ...]) -> list[Alert]:
    """The alerts of the operator's own follows, which the command line prints (Discord's are the bot's to post)."""
    return [alert for alert in alerts if alert.target == CLI_TARGET]

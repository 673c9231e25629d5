"""The hourly cap's decisions and the alert messages, without Discord: held alerts, gathered at the hour's end."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from bot.alerting import Window, hour_of, plan
from bot.alertmessages import alert_message, follow_line, gathered_messages, gathered_name, post_name
from bot.embeds import MESSAGE_LIMIT
from index import Alert, Follow


@dataclass(frozen=True)
class Pending:
    id: int
    target: str


def ids(alerts) -> list[int]:
    return [alert.id for alert in alerts]


def test_up_to_the_cap_go_out_singly_and_the_rest_are_held_until_the_hour_ends():
    first = plan([Pending(n, "channel:1") for n in (3, 1, 2, 4)], {}, cap=2, hour=100)["channel:1"]
    assert (ids(first.singles), first.gathered, first.window) == ([1, 2], [], Window(100, 2, 4))
    # Later in the same hour: the held ones and a newcomer are all held, the count unchanged.
    same = plan([Pending(n, "channel:1") for n in (3, 4, 5)], {"channel:1": first.window}, 2, 100)["channel:1"]
    assert (ids(same.singles), same.gathered, same.window) == ([], [], Window(100, 2, 5))
    # The next hour: what was held goes out gathered; a newer alert starts the new hour's count.
    later = plan([Pending(n, "channel:1") for n in (3, 4, 5, 6)], {"channel:1": same.window}, 2, 101)["channel:1"]
    assert (ids(later.gathered), ids(later.singles), later.window) == ([3, 4, 5], [6], Window(101, 1, None))


def test_each_target_has_its_own_hour():
    windows = {"channel:1": Window(100, 2), "user:2": Window(99, 5, 7)}
    plans = plan([Pending(8, "channel:1"), Pending(9, "user:2"), Pending(7, "user:2"), Pending(10, "user:3")],
                 windows, cap=2, hour=100)
    assert (ids(plans["channel:1"].singles), plans["channel:1"].window) == ([], Window(100, 2, 8))
    assert (ids(plans["user:2"].gathered), ids(plans["user:2"].singles)) == ([7], [9])
    assert (ids(plans["user:3"].singles), plans["user:3"].window) == ([10], Window(100, 1))


def test_an_hour_is_a_clock_hour_and_its_length_can_be_chosen():
    ten = datetime(2030, 5, 1, 10, tzinfo=UTC)
    assert hour_of(ten + timedelta(minutes=59)) == hour_of(ten) == hour_of(ten + timedelta(hours=1)) - 1
    assert hour_of(ten + timedelta(seconds=2), timedelta(seconds=2)) == hour_of(ten, timedelta(seconds=2)) + 1


def alert(n: int = 1, **changes) -> Alert:
    fields = dict(id=n, follow_id=1, topic="harbour wall storm", target="channel:1", scope="9", article_id="storm",
                  title="Storm breaches Port Ellis harbour wall", url="https://gazette.example/storm",
                  outlet="Coast Gazette", published=date(2030, 5, 1), created_at="2030-05-01T10:00:00",
                  text="A storm breached the harbour wall at Port Ellis, flooding twelve streets near the docks.")
    return Alert(**fields | changes)


def test_an_alert_quotes_its_sentence_and_cites_without_a_preview():
    assert alert_message(alert()) == (
        "New story on **harbour wall storm**:\n"
        "> A storm breached the harbour wall at Port Ellis, flooding twelve streets near the docks.\n"
        "[Storm breaches Port Ellis harbour wall](<https://gazette.example/storm>) · Coast Gazette · 2030-05-01")
    bare = alert_message(alert(url=None, outlet=None, published=None, text="*Not* bold"))
    assert bare.endswith("> \\*Not\\* bold\n**Storm breaches Port Ellis harbour wall** · undated")


def test_a_giant_sentence_is_cut_to_fit_one_message():
    message = alert_message(alert(text="word " * 1000))
    assert len(message) <= MESSAGE_LIMIT and message.endswith("Coast Gazette · 2030-05-01")


def test_held_stories_are_gathered_in_messages_within_discords_limit():
    held = [alert(n, title=f"Storm story {n} " + "x" * 150) for n in range(30)]
    messages = gathered_messages(held, cap=10)
    assert messages[0].startswith("**30 more stories this hour** on followed topics (past the 10 stories an hour")
    assert len(messages) > 1 and all(len(m) <= MESSAGE_LIMIT for m in messages)
    lines = "\n".join(messages).splitlines()[1:]
    assert len(lines) == 30 and all(line.endswith("· on **harbour wall storm**") for line in lines)
    assert "(<https://gazette.example/storm>)" in lines[0]
    assert "(<" not in gathered_messages([alert(url="https://x.example/" + "a" * 900)], 10)[0]
    assert gathered_name(1) == "1 more story this hour"


def test_a_forum_post_is_named_after_the_article():
    assert post_name(alert()) == "Storm breaches Port Ellis harbour wall"
    assert len(post_name(alert(title="long " * 50))) <= 100


def test_a_follow_line_says_where_its_alerts_go():
    follow = Follow(4, "harbour wall storm", "9", "channel:55", "2030-05-01")
    assert follow_line(follow) == "`#4` **harbour wall storm** → <#55>"
    assert follow_line(Follow(5, "ferry_strike", "9", "user:7", "2030-05-01")).endswith(
        "**ferry\\_strike** → your direct messages")

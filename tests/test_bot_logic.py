"""Pure parts of the bot: cooldowns, error messages, mentions, file names, scopes."""


import pytest
from discord import app_commands

from bot.access import scope_of
from bot.client import error_text
from bot.cogs.admin import safe_filename
from bot.cogs.ask import strip_mentions
from bot.cooldown import Cooldown


def test_cooldown_allows_rate_questions_per_window():
    cooldown = Cooldown(rate=2, per=30)
    assert cooldown.retry_after(1, 0.0) == 0.0
    assert cooldown.retry_after(1, 1.0) == 0.0
    assert cooldown.retry_after(1, 2.0) == pytest.approx(28.0)
    assert cooldown.retry_after(2, 2.0) == 0.0  # another user is not affected
    assert cooldown.retry_after(1, 30.5) == 0.0


def test_cooldown_of_zero_rate_never_limits():
    cooldown = Cooldown(rate=0, per=30)
    assert all(cooldown.retry_after(1, float(t)) == 0.0 for t in range(100))


def test_permission_errors_are_explained_and_bugs_get_a_reference():
    assert error_text(app_commands.MissingPermissions(["manage_guild"])) == (
        "You need the **Manage Server** permission for this.", False)
    assert error_text(app_commands.NoPrivateMessage())[1] is False
    text, is_bug = error_text(app_commands.AppCommandError("boom"))
    assert is_bug and "boom" not in text


def test_mentions_are_stripped_from_questions():
    assert strip_mentions("<@42> how many drones? <@!42>", 42) == "how many drones?"
    assert strip_mentions("<@43> hi", 42) == "<@43> hi"


def test_scope_is_the_server_id_or_none():
    class Guild:
        id = 123

    assert scope_of(Guild()) == "123" and scope_of(None) is None


def test_attachment_names_become_plain_file_names():
    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename(".hidden.md") == "hidden.md"
    assert safe_filename("my news (1).jsonl") == "my_news__1_.jsonl"

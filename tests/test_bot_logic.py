"""Pure parts of the bot: cooldowns, error messages, mentions, file names, settings state."""


import pytest
from discord import app_commands

from bot.access import scope_of
from bot.client import error_text
from bot.cogs.admin import safe_filename
from bot.cogs.ask import strip_mentions
from bot.cooldown import Cooldown
from bot.state import BotState


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


async def test_bot_state_keeps_settings_across_reopen(tmp_path):
    state = await BotState.open(tmp_path)
    assert await state.set_ask_channel(1, 10, True) and not await state.set_ask_channel(1, 10, True)
    await state.set_reply_in_thread(1, False)
    await state.remember_thread(99, "How many drones?")
    digest = state.user_hash(5)
    await state.close()
    state = await BotState.open(tmp_path)
    assert await state.ask_channels(1) == {10} and await state.ask_channels(2) == set()
    assert await state.reply_in_thread(1, True) is False and await state.reply_in_thread(2, True) is True
    assert await state.thread_question(99) == "How many drones?" and await state.thread_question(98) is None
    assert state.user_hash(5) == digest != state.user_hash(6) and digest != "5"
    assert await state.set_ask_channel(1, 10, False)
    await state.close()

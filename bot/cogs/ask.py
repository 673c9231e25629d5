"""/ask, questions by mention or in ask channels, answer threads with follow-ups, and feedback buttons."""

from __future__ import annotations

import logging
import re
import time
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.access import scope_of
from bot.cooldown import wait_message
from bot.embeds import abstention_embed, answer_embed, shorten
from bot.replies import NO_MENTIONS, log_failure, send_private
from index import Answer, QuestionError

if TYPE_CHECKING:
    from bot.client import NewsBot

log = logging.getLogger(__name__)
THINKING = "🤔"
# Follow-up context is the conversation so far, kept short so it steers retrieval without drowning the question.
CONTEXT_CHARS = 300


def strip_mentions(content: str, bot_id: int) -> str:
    """The question without the bot's mention."""
    return re.sub(rf"<@!?{bot_id}>", "", content).strip()


class FeedbackButton(discord.ui.DynamicItem[discord.ui.Button], template=r"feedback:(?P<vote>up|down):(?P<qid>\d+)"):
    """👍/👎 under an answer; persistent across restarts because the question id is in the custom id."""

    def __init__(self, vote: str, question_id: int) -> None:
        emoji, label = ("👍", "Helpful") if vote == "up" else ("👎", "Not helpful")
        super().__init__(discord.ui.Button(style=discord.ButtonStyle.secondary, emoji=emoji, label=label,
                                           custom_id=f"feedback:{vote}:{question_id}"))
        self.vote = vote
        self.question_id = question_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str]) -> FeedbackButton:
        """Rebuild the button from a click."""
        return cls(match["vote"], int(match["qid"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        """Store the vote against the question and thank the user privately."""
        bot: NewsBot = interaction.client  # type: ignore[assignment]
        user = bot.state.user_hash(interaction.user.id)
        # The question id comes from the button's custom id: the library checks it was asked in this server.
        stored = await bot.library.record_feedback(self.question_id, user, 1 if self.vote == "up" else -1,
                                                   scope=scope_of(interaction.guild))
        text = "Thanks, noted." if stored else "That answer is too old to rate."
        await interaction.response.send_message(text, ephemeral=True)


def feedback_view(answer: Answer) -> discord.ui.View | None:
    """The feedback buttons for an answer that was logged."""
    if answer.question_id is None:
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(FeedbackButton("up", answer.question_id))
    view.add_item(FeedbackButton("down", answer.question_id))
    return view


class AskCog(commands.Cog):
    """Questions, however they are asked."""

    def __init__(self, bot: NewsBot) -> None:
        self.bot = bot

    async def answer_for(self, question: str, scope: str | None, context: str | None = None) -> Answer:
        """Ask the library (its CPU work runs in worker threads, off the event loop)."""
        return await self.bot.library.ask(question, scope=scope, context=context)

    async def render(self, answer: Answer, scope: str | None) -> tuple[discord.Embed, discord.ui.View | None]:
        """The embed and buttons for an answer or an abstention."""
        if not answer.abstained:
            return answer_embed(answer), feedback_view(answer)
        stats = await self.bot.library.stats(scope=scope)
        return abstention_embed(answer, stats.articles, stats.oldest, stats.newest), feedback_view(answer)

    def cooldown_message(self, user_id: int) -> str | None:
        """A polite refusal if the user is asking too fast."""
        wait = self.bot.cooldown.retry_after(user_id, time.monotonic())
        if wait <= 0:
            return None
        return wait_message(wait)

    @app_commands.command(name="ask", description="Ask about the news; the answer quotes the articles it read.")
    @app_commands.describe(question="Your question, e.g. “How many drones did Ukraine shoot down?”")
    async def ask(self, interaction: discord.Interaction, question: app_commands.Range[str, 1, 1000]) -> None:
        """Defer at once, then answer with quoted, cited sentences."""
        if refusal := self.cooldown_message(interaction.user.id):
            await interaction.response.send_message(refusal, ephemeral=True)
            return
        await interaction.response.defer(thinking=True)
        scope = scope_of(interaction.guild)
        try:
            answer = await self.answer_for(question, scope)
        except QuestionError as error:
            await send_private(interaction, f"I can't search for that: {error}.")
            return
        embed, view = await self.render(answer, scope)
        await interaction.followup.send(embed=embed, view=view or discord.utils.MISSING,
                                        allowed_mentions=NO_MENTIONS)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """Answer mentions, messages in ask channels, follow-ups in answer threads, and DMs."""
        if message.author.bot or not self.bot.user:
            return
        context = await self.bot.state.thread_question(message.channel.id)
        if not await self._is_question(message, context):
            return
        question = strip_mentions(message.content, self.bot.user.id)
        if not question:
            return
        if message.guild is None and not self.bot.settings.discord.answer_dms:
            await message.reply("I only answer questions in servers.", allowed_mentions=NO_MENTIONS)
            return
        if refusal := self.cooldown_message(message.author.id):
            await message.reply(refusal, allowed_mentions=NO_MENTIONS, delete_after=15)
            return
        await self._answer_message(message, question, context)

    async def _is_question(self, message: discord.Message, context: str | None) -> bool:
        """Whether a message is addressed to the bot."""
        if message.guild is None or context is not None:
            return True
        if self.bot.user in message.mentions:
            return True
        return message.channel.id in await self.bot.state.ask_channels(message.guild.id)

    async def _answer_message(self, message: discord.Message, question: str, context: str | None) -> None:
        """Reply (in a thread when the server wants it) while a thinking reaction shows it is working."""
        scope = scope_of(message.guild)
        await _try(message.add_reaction(THINKING))
        try:
            answer = await self.answer_for(question, scope, context)
            embed, view = await self.render(answer, scope)
        except QuestionError as error:
            await message.reply(f"I can't search for that: {error}.", allowed_mentions=NO_MENTIONS)
            return
        except Exception as error:  # any failure becomes one short line; the log has the rest
            await message.reply(log_failure("a message question", error), allowed_mentions=NO_MENTIONS)
            return
        finally:
            assert self.bot.user is not None  # messages arrive only once the bot has logged in
            await _try(message.remove_reaction(THINKING, self.bot.user))
        target = await self._reply_target(message, question, context)
        shown = view or discord.utils.MISSING
        if target is None:
            await message.reply(embed=embed, allowed_mentions=NO_MENTIONS, view=shown)
        else:
            await target.send(embed=embed, allowed_mentions=NO_MENTIONS, view=shown)

    async def _reply_target(self, message: discord.Message, question: str,
                            context: str | None) -> discord.abc.Messageable | None:
        """The thread to answer in (None: reply in place), remembering the conversation for follow-ups."""
        if context is not None:
            await self.bot.state.remember_thread(message.channel.id, f"{context} {question}"[-CONTEXT_CHARS:])
            return message.channel
        in_thread = isinstance(message.channel, discord.Thread)
        wants_thread = message.guild and await self.bot.state.reply_in_thread(
            message.guild.id, self.bot.settings.discord.reply_in_thread)
        if in_thread or not wants_thread:
            return None
        try:
            thread = await message.create_thread(name=shorten(question, 90), auto_archive_duration=1440)
        except discord.HTTPException:  # no permission to create threads: answer in place
            log.warning("cannot open a thread in channel %s; replying in place", message.channel.id)
            return None
        await self.bot.state.remember_thread(thread.id, question[-CONTEXT_CHARS:])
        return thread


async def _try(action: object) -> None:
    """Run a cosmetic request (a reaction) whose failure must not stop the answer."""
    try:
        await action  # type: ignore[misc]
    except discord.HTTPException as error:
        log.info("cosmetic request failed: %s", error)


async def setup(bot: NewsBot) -> None:
    """Load the cog and register the persistent feedback buttons."""
    bot.add_dynamic_items(FeedbackButton)
    await bot.add_cog(AskCog(bot))

"""Reusable pytest fixture: a started DiscordEmulator with one guild, one channel, alice and admin; guilds on a shard.

Import it into a conftest or test module: ``from tests.discord_emulator.fixtures import discord_emulator``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from .models import Channel, Guild, Member
from .server import DiscordEmulator


class SeededEmulator(DiscordEmulator):
    """A DiscordEmulator pre-populated with a guild, #general, alice (normal) and admin (manage_guild)."""

    def __init__(self) -> None:
        super().__init__()
        self.guild: Guild = self.add_guild()
        self.channel: Channel = self.add_channel(self.guild, name="general")
        self.alice: Member = self.add_member(self.guild, name="alice")
        self.admin: Member = self.add_member(self.guild, name="admin", manage_guild=True)


@pytest_asyncio.fixture
async def discord_emulator() -> AsyncIterator[SeededEmulator]:
    """A started SeededEmulator; stopped after the test."""
    emulator = SeededEmulator()
    await emulator.start()
    try:
        yield emulator
    finally:
        await emulator.stop()


def guild_on_shard(emulator: DiscordEmulator, shard: int, count: int) -> Guild:
    """A new guild whose id Discord's formula, (id >> 22) % count, puts on `shard`."""
    while True:
        guild = emulator.add_guild(name=f"Shard {shard} news")
        if (guild.id >> 22) % count == shard:
            return guild
        emulator.guilds.remove(guild)  # before any client connects: nobody saw it

"""A small Discord API emulator (REST + gateway) for driving the real discord.py end to end in tests."""

from .attachments import Upload
from .fixtures import SeededEmulator
from .loopback import NonLoopbackRequest, check_loopback, loopback_trace_config, refuse_non_loopback
from .models import Channel, DMChannel, Guild, Interaction, Member, RecordedRequest, Role, Thread, User
from .server import DiscordEmulator

__all__ = [
    "Channel",
    "DMChannel",
    "DiscordEmulator",
    "Guild",
    "Interaction",
    "Member",
    "NonLoopbackRequest",
    "RecordedRequest",
    "Role",
    "SeededEmulator",
    "Thread",
    "Upload",
    "User",
    "check_loopback",
    "loopback_trace_config",
    "refuse_non_loopback",
]

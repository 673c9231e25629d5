"""DiscordEmulator: a local Discord (REST + gateway) that the real discord.py client can talk to.

Usage::

    emulator = DiscordEmulator()
    guild = emulator.add_guild()
    channel = emulator.add_channel(guild)
    alice = emulator.add_member(guild, name="alice")
    await emulator.start()
    with emulator.patch_discord():
        bot = commands.Bot(command_prefix="!", intents=discord.Intents.default(), guild_ready_timeout=0.05)
        task = asyncio.create_task(bot.start(emulator.token))
        await emulator.wait_ready()
        ...
        await bot.close()
    await emulator.stop()

Construct the bot with a small ``guild_ready_timeout`` (discord.py otherwise waits 2 s after the last
GUILD_CREATE before on_ready).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import re
import secrets
import socket
from collections.abc import Callable, Iterator
from typing import Any

import discord.gateway
import discord.http
import yarl
from aiohttp import web

from .attachments import AttachmentStore
from .driving import DriverMixin
from .gateway import Gateway
from .messages import MessageStore
from .models import (
    BOT_PERMISSIONS,
    EVERYONE_PERMISSIONS,
    FORUM,
    MANAGE_GUILD,
    Channel,
    DMChannel,
    Guild,
    Interaction,
    Member,
    RecordedRequest,
    Role,
    SnowflakeFactory,
    User,
    Waiter,
)
from .payloads import channel_payload, member_payload, role_payload
from .responses import ApiError
from .rest import Fault, RestApi

# GATEWAY_GUILD_MEMBERS_LIMITED | GATEWAY_MESSAGE_CONTENT_LIMITED: the privileged intents a small bot may use.
LIMITED_INTENT_FLAGS = (1 << 15) | (1 << 19)


class DiscordEmulator(DriverMixin):
    """An in-process Discord: world state, REST on /api/v10, the gateway on /, and fault injection."""

    def __init__(
        self, *, application_id: int | None = None, bot_user_name: str = "newsbot",
        refuse_privileged_intents: bool = False,
    ) -> None:
        self.new_id = SnowflakeFactory()
        self.application_id = application_id or self.new_id()
        self.bot_user = User(self.application_id, bot_user_name, bot=True)
        self.owner = User(self.new_id(), "owner")
        self.application_flags = 0 if refuse_privileged_intents else LIMITED_INTENT_FLAGS
        encoded_id = base64.urlsafe_b64encode(str(self.bot_user.id).encode()).decode().rstrip("=")
        self.token = f"{encoded_id}.emulator.{secrets.token_urlsafe(27)}"
        self.guilds: list[Guild] = []
        self.requests: list[RecordedRequest] = []
        self.unhandled: list[RecordedRequest] = []
        self.synced_commands: dict[int | None, list[dict[str, Any]]] = {}
        self.interactions: dict[int, Interaction] = {}
        self.reactions: set[tuple[int, str]] = set()
        self.dms: list[DMChannel] = []
        self.attachments = AttachmentStore(self)
        self.waiter = Waiter()
        self.store = MessageStore(self)
        self.gateway = Gateway(self, refuse_privileged_intents=refuse_privileged_intents)
        self.rest = RestApi(self)
        self.port = 0
        self._runner: web.AppRunner | None = None

    @property
    def base_url(self) -> str:
        """The REST base URL, http://127.0.0.1:PORT/api/v10."""
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        """The gateway URL, ws://127.0.0.1:PORT/."""
        return f"ws://127.0.0.1:{self.port}/"

    @property
    def messages(self) -> dict[int, list[dict[str, Any]]]:
        """Channel id -> non-ephemeral messages created there (bot's and dispatched users' ones)."""
        return self.store.by_channel

    @property
    def identifies(self) -> int:
        """How many IDENTIFYs the gateway accepted."""
        return self.gateway.identifies

    @property
    def resumes(self) -> int:
        """How many RESUMEs the gateway accepted."""
        return self.gateway.resumes

    @property
    def identify_payloads(self) -> list[dict[str, Any]]:
        """The d of every accepted IDENTIFY (intents, properties...)."""
        return self.gateway.identify_payloads

    async def start(self) -> None:
        """Serve on 127.0.0.1 at a free port."""
        app = web.Application()
        app.router.add_get("/", self.gateway.handle)
        app.router.add_route("*", "/api/v10/{tail:.*}", self.rest.handle)
        app.router.add_get("/attachments/{channel}/{id}/{filename}", self.attachments.serve)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.SockSite(self._runner, sock).start()

    async def stop(self) -> None:
        """Close the gateway connection and the server."""
        if self.gateway.conn is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.gateway.disconnect(1001), 2)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _not_found(self, request: web.Request) -> web.Response:
        """Anything outside /api/v10 and the gateway: 404, recorded as unhandled."""
        recorded = RecordedRequest(request.method, request.path, dict(request.query), None, dict(request.headers))
        recorded.status = 404
        self.unhandled.append(recorded)
        return ApiError(404, "404: Not Found").response()

    @contextlib.contextmanager
    def patch_discord(self) -> Iterator[None]:
        """Point discord.py's Route.BASE and DEFAULT_GATEWAY at this emulator, restoring them on exit."""
        old_base = discord.http.Route.BASE
        old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
        discord.http.Route.BASE = self.base_url
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)
        try:
            yield
        finally:
            discord.http.Route.BASE = old_base
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway

    # -- world state -------------------------------------------------------------------------------

    def add_guild(self, *, name: str = "Test Guild", owner: bool = False) -> Guild:
        """A guild with an @everyone role and the bot as a member (and owner if owner=True)."""
        guild_id = self.new_id()
        guild = Guild(guild_id, name, self.bot_user.id if owner else self.owner.id)
        bot_role = Role(self.new_id(), self.bot_user.name, BOT_PERMISSIONS, position=1)
        guild.roles += [Role(guild_id, "@everyone", EVERYONE_PERMISSIONS), bot_role]
        guild.members.append(Member(self.bot_user, guild_id, [bot_role.id]))
        if not owner:
            guild.members.append(Member(self.owner, guild_id))
        self.guilds.append(guild)
        self.gateway.dispatch("GUILD_CREATE", self.gateway.guild_create(guild))
        return guild

    def add_channel(self, guild: Guild, *, name: str = "general") -> Channel:
        """A text channel (type 0) in the guild."""
        channel = Channel(self.new_id(), guild.id, name, position=len(guild.channels))
        guild.channels.append(channel)
        self.gateway.dispatch("CHANNEL_CREATE", channel_payload(channel))
        return channel

    def add_forum(self, guild: Guild, *, name: str = "news") -> Channel:
        """A forum channel (type 15) in the guild: each thread in it is a post that starts with a message."""
        channel = Channel(self.new_id(), guild.id, name, type=FORUM, position=len(guild.channels))
        guild.channels.append(channel)
        self.gateway.dispatch("CHANNEL_CREATE", channel_payload(channel))
        return channel

    def remove_channel(self, channel: Channel) -> None:
        """Delete a guild channel (CHANNEL_DELETE): requests for it answer 404 Unknown Channel from then on."""
        self.guild_by_id(channel.guild_id).channels.remove(channel)
        self.gateway.dispatch("CHANNEL_DELETE", channel_payload(channel))

    def add_member(self, guild: Guild, *, name: str = "alice", manage_guild: bool = False) -> Member:
        """A user who is a guild member; manage_guild gives a role with MANAGE_GUILD."""
        member = Member(User(self.new_id(), name), guild.id)
        if manage_guild:
            role = Role(self.new_id(), "Moderators", EVERYONE_PERMISSIONS | MANAGE_GUILD, position=1)
            guild.roles.append(role)
            self.gateway.dispatch("GUILD_ROLE_CREATE", {"guild_id": str(guild.id), "role": role_payload(role)})
            member.role_ids.append(role.id)
        guild.members.append(member)
        self.gateway.dispatch("GUILD_MEMBER_ADD", member_payload(member) | {"guild_id": str(guild.id)})
        return member

    def add_dm(self, user: Member | User) -> DMChannel:
        """The DM channel (type 1) between the bot and this user, made on first use (Discord sends no event)."""
        user = user.user if isinstance(user, Member) else user
        existing = next((dm for dm in self.dms if dm.recipient is not None and dm.recipient.id == user.id), None)
        if existing is not None:
            return existing
        channel = DMChannel(self.new_id(), 0, "", recipient=user)
        self.dms.append(channel)
        return channel

    def user_by_id(self, user_id: int) -> User | None:
        """A known user (bot, owner, any guild member or DM recipient) with this id."""
        users = [self.bot_user, self.owner, *(m.user for g in self.guilds for m in g.members)]
        users += [dm.recipient for dm in self.dms if dm.recipient is not None]
        return next((u for u in users if u.id == user_id), None)

    def guild_by_id(self, guild_id: int) -> Guild:
        """The guild with this id, or a 404 Unknown Guild."""
        for guild in self.guilds:
            if guild.id == guild_id:
                return guild
        raise ApiError(404, "Unknown Guild", 10004)

    def channel_by_id(self, channel_id: int) -> Channel:
        """The channel, thread or DM channel with this id, or a 404 Unknown Channel."""
        for dm in self.dms:
            if dm.id == channel_id:
                return dm
        for guild in self.guilds:
            for channel in (*guild.channels, *guild.threads):
                if channel.id == channel_id:
                    return channel
        raise ApiError(404, "Unknown Channel", 10003)

    def interaction_by_token(self, token: str) -> Interaction | None:
        """The interaction with this token, if any."""
        return next((i for i in self.interactions.values() if i.token == token), None)

    # -- observing ---------------------------------------------------------------------------------

    async def wait_ready(self, timeout: float = 10) -> None:
        """Wait until the client IDENTIFIED and was sent READY plus a GUILD_CREATE per guild."""
        await self.waiter.wait_for(lambda: self.gateway.ready_sent and self.gateway.live, timeout, "READY")

    async def wait_resumed(self, count: int = 1, timeout: float = 10) -> None:
        """Wait until the client has RESUMED count times in total and is live again."""
        await self.waiter.wait_for(lambda: self.resumes >= count and self.gateway.live, timeout, "RESUMED")

    async def wait_for_request(
        self, method: str, path_pattern: str, timeout: float = 10,
        predicate: Callable[[RecordedRequest], bool] | None = None,
    ) -> RecordedRequest:
        """The first recorded request (past or future) whose method matches and path fullmatches the regex."""
        pattern = re.compile(path_pattern)

        def find() -> RecordedRequest | None:
            """The first matching recorded request, if any."""
            return next((r for r in self.requests if r.method == method and pattern.fullmatch(r.path)
                         and (predicate is None or predicate(r))), None)

        return await self.waiter.wait_for(find, timeout, f"{method} {path_pattern}")

    def requests_to(self, method: str, path_pattern: str) -> list[RecordedRequest]:
        """Every recorded request with this method whose path fullmatches the regex."""
        pattern = re.compile(path_pattern)
        return [r for r in self.requests if r.method == method and pattern.fullmatch(r.path)]

    # -- fault injection ---------------------------------------------------------------------------

    def fail_next(
        self, method: str, path_pattern: str, status: int = 429, retry_after: float = 0.2, global_: bool = False
    ) -> None:
        """Answer the next matching REST request with this status (a Discord-shaped 429 by default)."""
        self.rest.faults.append(Fault(method, re.compile(path_pattern), status, retry_after, global_))

    async def disconnect_gateway(self, *, code: int = 4000) -> None:
        """Close the client's websocket; with a resumable code discord.py RESUMEs (see wait_resumed)."""
        await self.gateway.disconnect(code)

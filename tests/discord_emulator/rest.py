"""The emulated REST API at /api/v10: routing, auth, recording, fault injection and the handlers."""

from __future__ import annotations

import math
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .models import FORUM, RecordedRequest
from .payloads import application_payload, channel_payload, guild_create_payload, member_payload, user_payload
from .responses import ApiError, empty_response, json_response, read_body
from .webhooks import WebhookApi

if TYPE_CHECKING:
    from .server import DiscordEmulator

API_PREFIX = "/api/v10"
RATE_LIMITED = "You are being rate limited."


@dataclass
class Call:
    """One matched REST call: the recorded request plus the route's regex match."""

    request: RecordedRequest
    match: re.Match[str]

    def id(self, group: int) -> int:
        """A numeric path parameter."""
        return int(self.match.group(group))

    @property
    def body(self) -> dict[str, Any]:
        """The JSON (or payload_json) body, {} when absent."""
        return self.request.json if isinstance(self.request.json, dict) else {}


@dataclass
class Fault:
    """A one-shot injected error for the next matching request."""

    method: str
    pattern: re.Pattern[str]
    status: int
    retry_after: float
    global_: bool

    def response(self) -> web.Response:
        """The error response; 429s look like Discord's (JSON retry_after, Via, X-RateLimit-*)."""
        if self.status != 429:
            return json_response({"message": f"{self.status}: injected failure", "code": 0}, status=self.status)
        headers = {
            "Via": "1.1 google",
            "Retry-After": str(math.ceil(self.retry_after)),
            "X-RateLimit-Limit": "5",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": f"{time.time() + self.retry_after:.3f}",
            "X-RateLimit-Reset-After": f"{self.retry_after:.3f}",
            "X-RateLimit-Scope": "global" if self.global_ else "user",
        }
        if self.global_:
            headers["X-RateLimit-Global"] = "true"
        body = {"message": RATE_LIMITED, "retry_after": self.retry_after, "global": self.global_}
        return json_response(body, status=429, headers=headers)


Handler = Callable[[Call], Awaitable[web.Response]]


class RestApi:
    """Routes /api/v10 requests to handlers, records them, and applies injected faults."""

    def __init__(self, emulator: DiscordEmulator) -> None:
        self.emulator = emulator
        self.faults: list[Fault] = []
        hooks = WebhookApi(emulator)
        self.routes: list[tuple[str, re.Pattern[str], Handler, bool]] = []
        table: list[tuple[str, str, Handler, bool]] = [
            ("GET", r"/users/@me", self._me, True),
            ("GET", r"/users/@me/channels", self._dm_channels, True),
            ("POST", r"/users/@me/channels", self._open_dm, True),
            ("GET", r"/oauth2/applications/@me", self._application, True),
            ("GET", r"/gateway", self._gateway, False),
            ("GET", r"/gateway/bot", self._gateway, True),
            ("PUT", r"/applications/(\d+)(?:/guilds/(\d+))?/commands", self._put_commands, True),
            ("GET", r"/applications/(\d+)(?:/guilds/(\d+))?/commands", self._get_commands, True),
            ("GET", r"/channels/(\d+)", self._get_channel, True),
            ("POST", r"/channels/(\d+)/messages", self._create_message, True),
            ("GET", r"/channels/(\d+)/messages/(\d+)", self._get_message, True),
            ("PATCH", r"/channels/(\d+)/messages/(\d+)", self._edit_message, True),
            ("DELETE", r"/channels/(\d+)/messages/(\d+)", self._delete_message, True),
            ("PUT", r"/channels/(\d+)/messages/(\d+)/reactions/([^/]+)/@me", self._reaction, True),
            ("DELETE", r"/channels/(\d+)/messages/(\d+)/reactions/([^/]+)/@me", self._reaction, True),
            ("POST", r"/channels/(\d+)/messages/(\d+)/threads", self._thread_from_message, True),
            ("POST", r"/channels/(\d+)/threads", self._thread, True),
            ("POST", r"/channels/(\d+)/typing", self._typing, True),
            ("GET", r"/guilds/(\d+)", self._get_guild, True),
            ("GET", r"/guilds/(\d+)/members/(\d+)", self._get_member, True),
            *hooks.routes(),
        ]
        for method, pattern, handler, auth in table:
            self.routes.append((method, re.compile(pattern), handler, auth))

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Record one request, answer it, and wake anyone waiting for it."""
        body, files = await read_body(request)
        path = request.path.removeprefix(API_PREFIX) or "/"
        recorded = RecordedRequest(request.method, path, dict(request.query), body, dict(request.headers), files)
        response = await self._respond(request, recorded)
        recorded.status = response.status
        self.emulator.requests.append(recorded)
        self.emulator.waiter.notify()
        return response

    async def _respond(self, request: web.Request, recorded: RecordedRequest) -> web.Response:
        """Apply faults, find the route, check auth, run the handler."""
        for fault in self.faults:
            if fault.method == recorded.method and fault.pattern.fullmatch(recorded.path):
                self.faults.remove(fault)
                return fault.response()
        for method, pattern, handler, auth in self.routes:
            match = pattern.fullmatch(recorded.path)
            if method != recorded.method or match is None:
                continue
            if auth and request.headers.get("Authorization") != f"Bot {self.emulator.token}":
                return ApiError(401, "401: Unauthorized").response()
            try:
                return await handler(Call(recorded, match))
            except ApiError as error:
                return error.response()
        self.emulator.unhandled.append(recorded)
        return ApiError(404, "404: Not Found").response()

    def _check_app(self, call: Call) -> None:
        """Reject an application id that is not the bot's."""
        if call.id(1) != self.emulator.application_id:
            raise ApiError(403, "Missing Access", 50001)

    async def _me(self, call: Call) -> web.Response:
        """GET /users/@me."""
        return json_response(user_payload(self.emulator.bot_user) | {"verified": True, "mfa_enabled": False})

    async def _dm_channels(self, call: Call) -> web.Response:
        """GET /users/@me/channels: the bot's DM channels."""
        return json_response([channel_payload(dm) for dm in self.emulator.dms])

    async def _open_dm(self, call: Call) -> web.Response:
        """POST /users/@me/channels {recipient_id}: the DM channel with that user (created if needed)."""
        user = self.emulator.user_by_id(int(call.body.get("recipient_id") or 0))
        if user is None:
            raise ApiError(400, "Invalid Recipient(s)", 50033)
        return json_response(channel_payload(self.emulator.add_dm(user)))

    async def _application(self, call: Call) -> web.Response:
        """GET /oauth2/applications/@me."""
        emu = self.emulator
        return json_response(application_payload(emu.application_id, emu.bot_user, emu.owner, emu.application_flags))

    async def _gateway(self, call: Call) -> web.Response:
        """GET /gateway and /gateway/bot."""
        limit = {"total": 1000, "remaining": 999, "reset_after": 14_400_000, "max_concurrency": 1}
        return json_response({"url": self.emulator.gateway_url, "shards": 1, "session_start_limit": limit})

    async def _put_commands(self, call: Call) -> web.Response:
        """PUT (bulk overwrite) global or guild commands; ids stay stable per (name, type)."""
        self._check_app(call)
        guild_id = None if call.match.group(2) is None else call.id(2)
        if guild_id is not None:
            self.emulator.guild_by_id(guild_id)
        previous = {(c["name"], c.get("type", 1)): c["id"] for c in self.emulator.synced_commands.get(guild_id, [])}
        stored = []
        for command in call.request.json or []:
            key = (command["name"], command.get("type", 1))
            echo = {"type": 1, "default_member_permissions": None, "nsfw": False, **command}
            echo |= {"id": previous.get(key) or str(self.emulator.new_id()), "version": str(self.emulator.new_id())}
            echo["application_id"] = str(self.emulator.application_id)
            if guild_id is not None:
                echo["guild_id"] = str(guild_id)
            stored.append(echo)
        self.emulator.synced_commands[guild_id] = stored
        return json_response(stored)

    async def _get_commands(self, call: Call) -> web.Response:
        """GET global or guild commands."""
        self._check_app(call)
        guild_id = None if call.match.group(2) is None else call.id(2)
        return json_response(self.emulator.synced_commands.get(guild_id, []))

    async def _get_channel(self, call: Call) -> web.Response:
        """GET /channels/{id}."""
        return json_response(channel_payload(self.emulator.channel_by_id(call.id(1))))

    async def _create_message(self, call: Call) -> web.Response:
        """POST /channels/{id}/messages (JSON or multipart with files)."""
        channel = self.emulator.channel_by_id(call.id(1))
        body = call.body
        if not any(body.get(k) for k in ("content", "embeds", "components", "attachments", "sticker_ids", "poll")):
            raise ApiError(400, "Cannot send an empty message", 50006)
        store = self.emulator.store
        return json_response(store.create(channel, self.emulator.bot_user, body, files=call.request.files))

    async def _get_message(self, call: Call) -> web.Response:
        """GET /channels/{c}/messages/{m}."""
        return json_response(self.emulator.store.get(call.id(2), call.id(1)))

    async def _edit_message(self, call: Call) -> web.Response:
        """PATCH /channels/{c}/messages/{m} (only the bot's own messages)."""
        message = self.emulator.store.get(call.id(2), call.id(1))
        if int(message["author"]["id"]) != self.emulator.bot_user.id:
            raise ApiError(403, "Cannot edit a message authored by another user", 50005)
        return json_response(self.emulator.store.edit(message, call.body, call.request.files))

    async def _delete_message(self, call: Call) -> web.Response:
        """DELETE /channels/{c}/messages/{m}."""
        self.emulator.store.delete(self.emulator.store.get(call.id(2), call.id(1)))
        return empty_response()

    async def _reaction(self, call: Call) -> web.Response:
        """PUT/DELETE the bot's reaction on a message (recorded in emulator.reactions)."""
        self.emulator.store.get(call.id(2), call.id(1))
        key = (call.id(2), call.match.group(3))
        if call.request.method == "PUT":
            self.emulator.reactions.add(key)
        else:
            self.emulator.reactions.discard(key)
        return empty_response()

    async def _thread_from_message(self, call: Call) -> web.Response:
        """POST /channels/{c}/messages/{m}/threads: a public thread with the message's id."""
        parent = self.emulator.channel_by_id(call.id(1))
        thread = self.emulator.store.create_thread(parent, self.emulator.bot_user, call.body, message_id=call.id(2))
        return json_response(channel_payload(thread))

    async def _thread(self, call: Call) -> web.Response:
        """POST /channels/{c}/threads: a thread without a starter message, or in a forum a post with its message."""
        parent = self.emulator.channel_by_id(call.id(1))
        if parent.type == FORUM:
            thread, message = self.emulator.store.create_post(parent, self.emulator.bot_user, call.body)
            return json_response(channel_payload(thread) | {"message": message})
        thread = self.emulator.store.create_thread(parent, self.emulator.bot_user, call.body)
        return json_response(channel_payload(thread))

    async def _typing(self, call: Call) -> web.Response:
        """POST /channels/{id}/typing."""
        self.emulator.channel_by_id(call.id(1))
        return empty_response()

    async def _get_guild(self, call: Call) -> web.Response:
        """GET /guilds/{id} (a REST guild: no channels/members)."""
        data = guild_create_payload(self.emulator.guild_by_id(call.id(1)))
        for key in ("channels", "threads", "members", "presences", "voice_states", "joined_at", "member_count"):
            data.pop(key, None)
        return json_response(data)

    async def _get_member(self, call: Call) -> web.Response:
        """GET /guilds/{g}/members/{u}."""
        member = self.emulator.guild_by_id(call.id(1)).member(call.id(2))
        if member is None:
            raise ApiError(404, "Unknown Member", 10007)
        return json_response(member_payload(member))

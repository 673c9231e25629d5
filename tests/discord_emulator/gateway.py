"""The emulated gateway: HELLO, heartbeats, IDENTIFY -> READY + GUILD_CREATE, RESUME, dispatches."""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from .payloads import guild_create_payload, member_payload, user_payload

if TYPE_CHECKING:
    from .models import Guild
    from .server import DiscordEmulator

HEARTBEAT_INTERVAL_MS = 41250
MESSAGE_CONTENT_INTENT = 1 << 15
MEMBERS_INTENT = 1 << 1
PRIVILEGED_INTENTS = MEMBERS_INTENT | (1 << 8) | MESSAGE_CONTENT_INTENT


class _Connection:
    """One client websocket with an ordered writer, so sync code can queue frames."""

    def __init__(self, ws: web.WebSocketResponse) -> None:
        self.ws = ws
        self.live = False
        self.identified = False
        self._queue: asyncio.Queue[tuple[str, asyncio.Future[bool]]] = asyncio.Queue()
        self._writer = asyncio.create_task(self._write())

    def send(self, payload: dict[str, Any]) -> asyncio.Future[bool]:
        """Queue a frame; the future resolves to whether it was written (never raises: fire-and-forget is fine)."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((json.dumps(payload), future))
        return future

    async def _write(self) -> None:
        """Write queued frames in order."""
        while True:
            text, future = await self._queue.get()
            try:
                await self.ws.send_str(text)
            except (ConnectionError, RuntimeError):  # the socket went away under us
                delivered = False
            else:
                delivered = True
            if not future.done():
                future.set_result(delivered)

    async def close(self) -> None:
        """Stop the writer and fail frames that were never written."""
        self.live = False
        self._writer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._writer
        while not self._queue.empty():
            _, future = self._queue.get_nowait()
            if not future.done():
                future.set_result(False)


class Gateway:
    """Gateway session state shared across the client's (re)connections."""

    def __init__(self, emulator: DiscordEmulator, *, refuse_privileged_intents: bool) -> None:
        self.emulator = emulator
        self.refuse_privileged_intents = refuse_privileged_intents
        self.conn: _Connection | None = None
        self.session_id: str | None = None
        self.seq = 0
        self.identifies = 0
        self.resumes = 0
        self.ready_sent = 0
        self.identify_payloads: list[dict[str, Any]] = []
        self.close_codes: list[int] = []
        self.intents = 0

    @property
    def live(self) -> bool:
        """Whether a client is connected and has been sent READY or RESUMED."""
        return self.conn is not None and self.conn.live

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Serve one websocket connection at /."""
        ws = web.WebSocketResponse(timeout=5.0, max_msg_size=0)
        await ws.prepare(request)
        conn = _Connection(ws)
        self.conn = conn
        conn.send({"op": 10, "s": None, "t": None, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}})
        try:
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    await self._on_frame(conn, json.loads(msg.data))
        finally:
            await conn.close()
            if self.conn is conn:
                self.conn = None
            self.emulator.waiter.notify()
        return ws

    async def _on_frame(self, conn: _Connection, frame: dict[str, Any]) -> None:
        """React to one client opcode."""
        op, data = frame.get("op"), frame.get("d")
        if op == 1:
            conn.send({"op": 11, "s": None, "t": None, "d": None})
        elif op == 2:
            await self._identify(conn, data)
        elif op == 6:
            await self._resume(conn, data)
        elif op == 8:
            self._chunk(conn, data)

    async def _identify(self, conn: _Connection, data: dict[str, Any]) -> None:
        """IDENTIFY: check token/intents, then send READY and one GUILD_CREATE per guild."""
        if data.get("token") != self.emulator.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        intents = int(data.get("intents") or 0)
        if self.refuse_privileged_intents and intents & PRIVILEGED_INTENTS:
            await conn.ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        self.identifies += 1
        self.identify_payloads.append(data)
        self.intents = intents
        self.session_id, self.seq = secrets.token_hex(16), 0
        conn.identified = True
        sent = [self._dispatch_on(conn, "READY", self._ready_payload())]
        sent += [self._dispatch_on(conn, "GUILD_CREATE", self.guild_create(g)) for g in self.emulator.guilds]
        if not all(await asyncio.gather(*sent)):
            return
        conn.live = True
        self.ready_sent += 1
        self.emulator.waiter.notify()

    async def _resume(self, conn: _Connection, data: dict[str, Any]) -> None:
        """RESUME: accept a matching session (replaying nothing) or invalidate it."""
        if data.get("token") != self.emulator.token or data.get("session_id") != self.session_id:
            conn.send({"op": 9, "s": None, "t": None, "d": False})
            return
        if not await self._dispatch_on(conn, "RESUMED", {}):
            return
        conn.live = True
        self.resumes += 1
        self.emulator.waiter.notify()

    def _chunk(self, conn: _Connection, data: dict[str, Any]) -> None:
        """REQUEST_GUILD_MEMBERS: answer with one GUILD_MEMBERS_CHUNK holding every member."""
        guild = self.emulator.guild_by_id(int(data["guild_id"]))
        chunk = {
            "guild_id": str(guild.id),
            "members": [member_payload(m) for m in guild.members],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
        }
        if data.get("nonce"):
            chunk["nonce"] = data["nonce"]
        self._dispatch_on(conn, "GUILD_MEMBERS_CHUNK", chunk)

    def guild_create(self, guild: Guild) -> dict[str, Any]:
        """GUILD_CREATE as this client sees it: other members only with the GUILD_MEMBERS intent."""
        only_bot = None if self.intents & MEMBERS_INTENT else self.emulator.bot_user.id
        return guild_create_payload(guild, only_member=only_bot)

    def _ready_payload(self) -> dict[str, Any]:
        """The READY event body."""
        emu = self.emulator
        return {
            "v": 10,
            "user": user_payload(emu.bot_user) | {"verified": True, "mfa_enabled": False},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in emu.guilds],
            "session_id": self.session_id,
            "session_type": "normal",
            "resume_gateway_url": emu.gateway_url,
            "shard": [0, 1],
            "application": {"id": str(emu.application_id), "flags": emu.application_flags},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "user_settings": {},
        }

    def _dispatch_on(self, conn: _Connection, event: str, data: dict[str, Any]) -> asyncio.Future[bool]:
        """Queue a DISPATCH frame with the next sequence number."""
        self.seq += 1
        return conn.send({"op": 0, "s": self.seq, "t": event, "d": data})

    def dispatch(self, event: str, data: dict[str, Any]) -> asyncio.Future[bool] | None:
        """Queue a dispatch to the live client; None when no client is live."""
        if self.conn is None or not self.conn.live:
            return None
        return self._dispatch_on(self.conn, event, data)

    async def disconnect(self, code: int) -> None:
        """Close the client's websocket with the given close code."""
        if self.conn is None:
            raise RuntimeError("no gateway connection to close")
        conn, self.conn = self.conn, None
        conn.live = False
        self.close_codes.append(code)
        await conn.ws.close(code=code, message=b"emulator disconnect")
        self.emulator.waiter.notify()

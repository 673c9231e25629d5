"""Interaction callbacks and interaction webhooks (followups, @original edits)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .messages import EPHEMERAL, LOADING
from .models import Interaction
from .responses import ApiError, empty_response, json_response, truthy

if TYPE_CHECKING:
    from .rest import Call, Handler
    from .server import DiscordEmulator

ACK_DEADLINE = 3.0
COMMAND_TYPES = frozenset({2, 4})


class WebhookApi:
    """Handlers for /interactions/{id}/{token}/callback and /webhooks/{app}/{token}/..."""

    def __init__(self, emulator: DiscordEmulator) -> None:
        self.emulator = emulator

    def routes(self) -> list[tuple[str, str, Handler, bool]]:
        """The (method, path regex, handler, needs bot auth) rows for these endpoints."""
        message = r"/webhooks/(\d+)/([^/]+)/messages/(@original|\d+)"
        return [
            ("POST", r"/interactions/(\d+)/([^/]+)/callback", self._callback, False),
            ("POST", r"/webhooks/(\d+)/([^/]+)", self._execute, False),
            ("GET", message, self._get_message, False),
            ("PATCH", message, self._edit_message, False),
            ("DELETE", message, self._delete_message, False),
        ]

    async def _callback(self, call: Call) -> web.Response:
        """Acknowledge an interaction (within 3 s, once) and apply the callback."""
        interaction = self.emulator.interactions.get(call.id(1))
        if interaction is None or interaction.token != call.match.group(2):
            raise ApiError(404, "Unknown interaction", 10062)
        if asyncio.get_running_loop().time() - interaction.created_at > ACK_DEADLINE:
            raise ApiError(404, "Unknown interaction", 10062)
        if interaction.acknowledged:
            raise ApiError(400, "Interaction has already been acknowledged.", 40060)
        kind = int(call.body.get("type", 0))
        interaction.responses.append(call.body)
        message = self._apply(interaction, kind, call.body.get("data") or {}, call.request.files)
        interaction.update_done()
        self.emulator.waiter.notify()
        if not truthy(call.request.query.get("with_response")):
            return empty_response()
        return json_response(self._callback_payload(interaction, kind, message))

    def _apply(self, interaction: Interaction, kind: int, data: dict[str, Any], files: list) -> dict[str, Any] | None:
        """Create or update the message a callback of this type implies."""
        if kind in (4, 5):
            data = dict(data)
            if kind == 5:
                data = {"content": "", "flags": (int(data.get("flags") or 0) & EPHEMERAL) | LOADING}
            interaction.original = self._new_message(interaction, data, files)
            return interaction.original
        if kind in (6, 7) and "message" in interaction.payload:
            message = self.emulator.store.get(int(interaction.payload["message"]["id"]))
            interaction.original = self.emulator.store.edit(message, data, files) if kind == 7 else message
            return interaction.original
        return None

    def _new_message(self, interaction: Interaction, data: dict[str, Any], files: list) -> dict[str, Any]:
        """A message posted through the interaction (response or followup)."""
        emu = self.emulator
        channel = emu.channel_by_id(int(interaction.payload["channel_id"]))
        message_type = 20 if interaction.type in COMMAND_TYPES and interaction.original is None else 0
        extra = {"webhook_id": str(emu.application_id), "application_id": str(emu.application_id)}
        return emu.store.create(channel, emu.bot_user, data, files=files, message_type=message_type, extra=extra)

    @staticmethod
    def _callback_payload(interaction: Interaction, kind: int, message: dict[str, Any] | None) -> dict[str, Any]:
        """The with_response=true body: {interaction: {...}, resource: {type, message?}}."""
        flags = 0 if message is None else message["flags"]
        info: dict[str, Any] = {
            "id": str(interaction.id),
            "type": interaction.type,
            "response_message_loading": bool(flags & LOADING),
            "response_message_ephemeral": bool(flags & EPHEMERAL),
        }
        resource: dict[str, Any] = {"type": kind}
        if message is not None:
            info["response_message_id"] = message["id"]
            resource["message"] = message
        return {"interaction": info, "resource": resource}

    def _interaction(self, call: Call) -> Interaction:
        """The acknowledged interaction a webhook path names, or 404 Unknown Webhook."""
        interaction = self.emulator.interaction_by_token(call.match.group(2))
        if call.id(1) != self.emulator.application_id or interaction is None or not interaction.acknowledged:
            raise ApiError(404, "Unknown Webhook", 10015)
        return interaction

    def _message(self, interaction: Interaction, ref: str) -> dict[str, Any]:
        """@original or a followup by id."""
        candidates = [m for m in (interaction.original, *interaction.followups) if m is not None]
        for message in candidates:
            if (ref == "@original" and message is interaction.original) or ref == message["id"]:
                return message
        raise ApiError(404, "Unknown Message", 10008)

    async def _execute(self, call: Call) -> web.Response:
        """POST a followup; the first one after a defer fills the loading @original."""
        interaction = self._interaction(call)
        original = interaction.original
        if original is not None and original["flags"] & LOADING and not interaction.followups:
            message = self.emulator.store.edit(original, call.body, call.request.files)
        else:
            message = self._new_message(interaction, call.body, call.request.files)
        interaction.followups.append(message)
        interaction.update_done()
        self.emulator.waiter.notify()
        return json_response(message) if truthy(call.request.query.get("wait")) else empty_response()

    async def _get_message(self, call: Call) -> web.Response:
        """GET @original or a followup."""
        return json_response(self._message(self._interaction(call), call.match.group(3)))

    async def _edit_message(self, call: Call) -> web.Response:
        """PATCH @original or a followup."""
        interaction = self._interaction(call)
        message = self._message(interaction, call.match.group(3))
        self.emulator.store.edit(message, call.body, call.request.files)
        interaction.edits += 1
        interaction.update_done()
        self.emulator.waiter.notify()
        return json_response(message)

    async def _delete_message(self, call: Call) -> web.Response:
        """DELETE @original or a followup."""
        interaction = self._interaction(call)
        message = self._message(interaction, call.match.group(3))
        self.emulator.store.delete(message)
        if message is interaction.original:
            interaction.original = None
        return empty_response()

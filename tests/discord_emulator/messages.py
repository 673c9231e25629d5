"""Message and thread storage: what the bot and the emulated users posted, per channel."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .attachments import Upload
from .models import FORUM, Channel, Thread, User
from .payloads import guild_fields, message_payload, now_iso, thread_payload
from .responses import ApiError

if TYPE_CHECKING:
    from .server import DiscordEmulator

EPHEMERAL = 1 << 6
LOADING = 1 << 7
HAS_THREAD = 1 << 5
EDITABLE_FIELDS = ("content", "embeds", "components")


class MessageStore:
    """Messages by channel and by id; creating or editing one also dispatches the gateway event."""

    def __init__(self, emulator: DiscordEmulator) -> None:
        self.emulator = emulator
        self.by_channel: dict[int, list[dict[str, Any]]] = {}
        self._by_id: dict[int, dict[str, Any]] = {}

    def create(
        self, channel: Channel, author: User, body: dict[str, Any], *, files: list[tuple[str, bytes]] = (),
        message_type: int = 0, extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Store a new message (ephemeral ones only by id) and dispatch MESSAGE_CREATE."""
        body = dict(body)
        body["attachments"] = self._attachments(channel.id, body.get("attachments") or [], files)
        message = message_payload(self.emulator.new_id(), channel, author, body, message_type=message_type)
        message.update(extra or {})
        self._by_id[int(message["id"])] = message
        if not message["flags"] & EPHEMERAL:
            self.by_channel.setdefault(channel.id, []).append(message)
            self._announce("MESSAGE_CREATE", message, channel)
        return message

    def remember(self, message: dict[str, Any]) -> None:
        """Store a message created elsewhere (a dispatched user message) without announcing it."""
        self._by_id[int(message["id"])] = message
        self.by_channel.setdefault(int(message["channel_id"]), []).append(message)

    def get(self, message_id: int, channel_id: int | None = None) -> dict[str, Any]:
        """The stored message with this id, or a 404 Unknown Message."""
        message = self._by_id.get(message_id)
        if message is None or (channel_id is not None and int(message["channel_id"]) != channel_id):
            raise ApiError(404, "Unknown Message", 10008)
        return message

    def edit(
        self, message: dict[str, Any], body: dict[str, Any], files: list[tuple[str, bytes]] = ()
    ) -> dict[str, Any]:
        """Apply an edit body in place (clearing the loading flag) and dispatch MESSAGE_UPDATE."""
        message.update({key: body[key] for key in EDITABLE_FIELDS if key in body})
        if "flags" in body:  # ephemerality cannot be changed by an edit
            message["flags"] = int(body["flags"] or 0) & ~EPHEMERAL | (message["flags"] & EPHEMERAL)
        if "attachments" in body:
            declared, existing = body["attachments"] or [], message["attachments"]
            message["attachments"] = self._attachments(int(message["channel_id"]), declared, files, existing)
        message["flags"] &= ~LOADING
        message["edited_timestamp"] = now_iso()
        if not message["flags"] & EPHEMERAL:
            self._announce("MESSAGE_UPDATE", message, self.emulator.channel_by_id(int(message["channel_id"])))
        return message

    def delete(self, message: dict[str, Any]) -> None:
        """Remove a message and dispatch MESSAGE_DELETE."""
        channel = self.emulator.channel_by_id(int(message["channel_id"]))
        self._by_id.pop(int(message["id"]), None)
        listed = self.by_channel.get(channel.id, [])
        if message in listed:
            listed.remove(message)
        data = {"id": message["id"], "channel_id": message["channel_id"]} | guild_fields(channel)
        self.emulator.gateway.dispatch("MESSAGE_DELETE", data)

    def create_thread(
        self, parent: Channel, owner: User, body: dict[str, Any], *, message_id: int | None = None
    ) -> Thread:
        """Create a thread under a text channel (from a message: same id as the message) or a forum."""
        if isinstance(parent, Thread) or parent.type not in (0, FORUM):
            raise ApiError(400, "Cannot create a thread here", 50024)
        thread = Thread(
            id=message_id or self.emulator.new_id(), guild_id=parent.guild_id, name=str(body.get("name", "thread")),
            type=int(body.get("type", 11)), parent_id=parent.id, owner_id=owner.id,
            auto_archive_duration=int(body.get("auto_archive_duration") or 1440), created_at=now_iso(),
        )
        self.emulator.guild_by_id(parent.guild_id).threads.append(thread)
        self.emulator.gateway.dispatch("THREAD_CREATE", thread_payload(thread) | {"newly_created": True})
        if message_id is not None:
            message = self.get(message_id, parent.id)
            message["flags"] |= HAS_THREAD
            message["thread"] = thread_payload(thread)
        return thread

    def create_post(self, forum: Channel, owner: User, body: dict[str, Any]) -> tuple[Thread, dict[str, Any]]:
        """A forum post: a thread whose starter message is body["message"], with the thread's id (as Discord does)."""
        if forum.type != FORUM:
            raise ApiError(400, "Only a forum channel takes a post", 50024)
        first = body.get("message") or {}
        if not any(first.get(k) for k in ("content", "embeds", "components", "attachments", "sticker_ids")):
            raise ApiError(400, "Cannot send an empty message", 50006)
        thread = self.create_thread(forum, owner, body)
        return thread, self.create(thread, owner, first, extra={"id": str(thread.id)})

    def _attachments(
        self, channel_id: int, declared: list[dict[str, Any]], files: list[tuple[str, bytes]],
        existing: list[dict[str, Any]] = (),
    ) -> list[dict[str, Any]]:
        """Turn declared attachments into served attachment objects: existing ids are kept, id N means files[N]."""
        kept = {str(a["id"]): a for a in existing}
        result = []
        for item in declared:
            if str(item.get("id")) in kept:
                result.append(kept[str(item["id"])])
                continue
            index = int(item.get("id", 0))
            filename, content = files[index] if index < len(files) else (item.get("filename", "file"), b"")
            upload = Upload(item.get("filename", filename), content)
            result.append(self.emulator.attachments.add(channel_id, upload, description=item.get("description")))
        return result

    def _announce(self, event: str, message: dict[str, Any], channel: Channel) -> None:
        """Dispatch a message event (with guild_id unless the channel is a DM)."""
        data = message | guild_fields(channel)
        self.emulator.gateway.dispatch(event, data)

"""Driving the bot: dispatching user messages, slash commands, button clicks and reactions."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from .attachments import Upload
from .models import ALL_PERMISSIONS, Channel, DMChannel, Guild, Interaction, Member, Thread, User
from .payloads import (
    channel_payload,
    guild_fields,
    interaction_payload,
    member_payload,
    message_payload,
    user_payload,
)

if TYPE_CHECKING:
    from .attachments import AttachmentStore
    from .gateway import Gateway
    from .messages import MessageStore
    from .models import SnowflakeFactory

OPTION_CHECKS: dict[int, tuple[type, ...]] = {
    3: (str,), 4: (int,), 5: (bool,), 7: (Channel,), 10: (int, float), 11: (Upload,)}


def _option_type(value: object) -> int:
    """The option type a Python value implies (3 str, 4 int, 5 bool, 7 channel, 10 number, 11 attachment)."""
    if isinstance(value, Upload):
        return 11
    if isinstance(value, Channel):
        return 7
    if isinstance(value, bool):
        return 5
    if isinstance(value, int):
        return 4
    if isinstance(value, float):
        return 10
    if isinstance(value, str):
        return 3
    raise TypeError(f"unsupported option value {value!r}; use str, int, bool, float or Upload")


def build_options(
    definitions: list[dict[str, Any]], values: dict[str, object], attach: Callable[[Upload], str] | None = None,
    resolved: dict[str, dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """data.options for the given values, typed by the synced option definitions; attach stores an Upload, and a
    Channel goes into resolved["channels"] (as Discord resolves it, with the invoker's permissions there)."""
    by_name = {d["name"]: d for d in definitions}
    options = []
    for name, value in values.items():
        if name not in by_name:
            raise KeyError(f"option {name!r} is not in the synced command (has {sorted(by_name)})")
        kind = int(by_name[name]["type"])
        if kind not in OPTION_CHECKS:
            raise NotImplementedError(f"option {name!r} has type {kind}; only 3, 4, 5, 7, 10 and 11 are emulated")
        if _option_type(value) != kind and not (kind == 10 and _option_type(value) == 4):
            raise TypeError(f"option {name!r} is type {kind} but got {value!r}")
        if isinstance(value, Upload):
            if attach is None:
                raise TypeError(f"option {name!r}: an Upload needs an attach callback")
            value = attach(value)
        if isinstance(value, Channel):
            allowed = by_name[name].get("channel_types")
            if allowed and value.type not in allowed:
                raise TypeError(f"option {name!r} takes channel types {allowed}, not {value.type}")
            if resolved is None:
                raise TypeError(f"option {name!r}: a Channel needs a resolved dict")
            channel_data = channel_payload(value) | {"permissions": str(ALL_PERMISSIONS)}
            resolved.setdefault("channels", {})[str(value.id)] = channel_data
            value = str(value.id)
        options.append({"name": name, "type": kind, "value": value})
    return options


def _nested(options: list[dict[str, Any]], name: str, kind: int, command: str) -> dict[str, Any]:
    """The subcommand (1) or group (2) definition called name."""
    for option in options:
        if option["name"] == name and option["type"] == kind:
            return option
    label = "subcommand" if kind == 1 else "group"
    raise KeyError(f"{label} {name!r} is not in the synced command {command!r}")


class DriverMixin:
    """The DiscordEmulator methods that act as Discord users (gateway dispatches)."""

    if TYPE_CHECKING:
        application_id: int
        bot_user: User
        gateway: Gateway
        store: MessageStore
        new_id: SnowflakeFactory
        attachments: AttachmentStore
        synced_commands: dict[int | None, list[dict[str, Any]]]
        interactions: dict[int, Interaction]

        def guild_by_id(self, guild_id: int) -> Guild: ...
        def channel_by_id(self, channel_id: int) -> Channel: ...

    async def _dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Dispatch to the live client and wait until the frame is written."""
        sent = self.gateway.dispatch(event, data)
        if sent is None or not await asyncio.wait_for(sent, 5):
            raise RuntimeError(f"cannot dispatch {event}: no live gateway client (wait_ready / wait_resumed first)")

    async def send_message(
        self, channel: Channel, author: Member | User, content: str, *, mentions: Sequence[User] = (),
        thread: Thread | None = None,
    ) -> dict[str, Any]:
        """Dispatch MESSAGE_CREATE for a user's message (in a DM: no guild_id or member); returns the message."""
        target = thread or channel
        user = author.user if isinstance(author, Member) else author
        message = message_payload(self.new_id(), target, user, {"content": content})
        guild = None if isinstance(target, DMChannel) else self.guild_by_id(target.guild_id)
        message["mentions"] = [self._mention(guild, mentioned) for mentioned in mentions]
        self.store.remember(message)
        event = message | guild_fields(target)
        if guild is not None:
            member = author if isinstance(author, Member) else guild.member(user.id)
            if member is None:
                raise ValueError(f"{user.name} is not a member of guild {guild.id}")
            event["member"] = member_payload(member, with_user=False)
        await self._dispatch("MESSAGE_CREATE", event)
        return message

    @staticmethod
    def _mention(guild: Guild | None, user: User) -> dict[str, Any]:
        """A mentions[] entry: the user plus their partial member (in a guild)."""
        member = None if guild is None else guild.member(user.id)
        data = user_payload(user)
        if member is not None:
            data["member"] = member_payload(member, with_user=False)
        return data

    def _find_command(self, guild: Guild, name: str) -> tuple[dict[str, Any], bool]:
        """The synced command called name (guild sync first), and whether it is a guild command."""
        for key in (guild.id, None):
            for command in self.synced_commands.get(key, []):
                if command["name"] == name and command.get("type", 1) == 1:
                    return command, key is not None
        raise LookupError(f"/{name} was never synced (synced: {self._synced_names()}); call bot.tree.sync() first")

    def _synced_names(self) -> dict[str, list[str]]:
        """Synced command names per scope, for error messages."""
        return {str(k or "global"): [c["name"] for c in v] for k, v in self.synced_commands.items()}

    async def invoke_slash(
        self, guild: Guild, channel: Channel, member: Member, name: str, options: dict[str, object] | None = None,
        *, subcommand: str | None = None, group: str | None = None,
    ) -> Interaction:
        """Dispatch INTERACTION_CREATE type 2 for a synced slash command."""
        command, is_guild = self._find_command(guild, name)
        definitions = command.get("options") or []
        path: list[dict[str, Any]] = []
        if group is not None:
            path.append(_nested(definitions, group, 2, name))
            definitions = path[-1].get("options") or []
        if subcommand is not None:
            path.append(_nested(definitions, subcommand, 1, name))
            definitions = path[-1].get("options") or []
        resolved: dict[str, dict[str, Any]] = {}
        data_options = build_options(definitions, options or {}, lambda upload: self._attach(channel, upload, resolved),
                                     resolved)
        for parent in reversed(path):
            data_options = [{"name": parent["name"], "type": parent["type"], "options": data_options}]
        data: dict[str, Any] = {"id": command["id"], "name": name, "type": 1, "options": data_options}
        if resolved:
            data["resolved"] = resolved
        if is_guild:
            data["guild_id"] = str(guild.id)
        return await self._interact(2, data, guild, channel, member)

    def _attach(self, channel: Channel, upload: Upload, resolved: dict[str, dict[str, Any]]) -> str:
        """Store an option's upload as an ephemeral attachment; add it to resolved and return its id."""
        attachment = self.attachments.add(channel.id, upload) | {"ephemeral": True}
        resolved.setdefault("attachments", {})[attachment["id"]] = attachment
        return attachment["id"]

    async def click_button(self, message: dict[str, Any], member: Member, custom_id: str) -> Interaction:
        """Dispatch INTERACTION_CREATE type 3 for a button on a message."""
        current = self.store.get(int(message["id"]))
        channel = self.channel_by_id(int(current["channel_id"]))
        guild = self.guild_by_id(channel.guild_id)
        data = {"custom_id": custom_id, "component_type": 2}
        return await self._interact(3, data, guild, channel, member, message=current)

    async def _interact(
        self, kind: int, data: dict[str, Any], guild: Guild, channel: Channel, member: Member,
        message: dict[str, Any] | None = None,
    ) -> Interaction:
        """Register an interaction and dispatch it."""
        interaction_id, token = self.new_id(), f"aW50ZXJhY3Rpb24.{secrets.token_urlsafe(48)}"
        bot_member = guild.member(self.bot_user.id)
        app_permissions = guild.permissions_of(bot_member) if bot_member else 0
        payload = interaction_payload(
            interaction_id, token, kind, data, guild=guild, channel=channel, member=member,
            application_id=self.application_id, app_permissions=app_permissions,
        )
        if message is not None:
            payload["message"] = message
        created = asyncio.get_running_loop().time()
        interaction = Interaction(interaction_id, token, kind, payload, created)
        self.interactions[interaction_id] = interaction
        await self._dispatch("INTERACTION_CREATE", payload)
        return interaction

    async def add_reaction_event(self, message: dict[str, Any], member: Member | User, emoji: str) -> None:
        """Dispatch MESSAGE_REACTION_ADD for a unicode emoji added by a member (or a user, in a DM)."""
        channel = self.channel_by_id(int(message["channel_id"]))
        data = {
            "user_id": str(member.id), "channel_id": str(channel.id), "message_id": message["id"],
            "type": 0, "burst": False, "emoji": {"id": None, "name": emoji},
            "message_author_id": message["author"]["id"],
        } | guild_fields(channel)
        if isinstance(member, Member) and not isinstance(channel, DMChannel):
            data["member"] = member_payload(member)
        await self._dispatch("MESSAGE_REACTION_ADD", data)

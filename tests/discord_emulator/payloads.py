"""Builders for the JSON objects Discord sends (users, guilds, channels, messages, interactions)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .models import FORUM, Channel, DMChannel, Guild, Member, Role, Thread, User

ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024


def now_iso() -> str:
    """The current UTC time as Discord's ISO-8601 timestamp."""
    return dt.datetime.now(dt.UTC).isoformat()


def user_payload(user: User) -> dict[str, Any]:
    """A user object."""
    return {
        "id": str(user.id),
        "username": user.name,
        "global_name": user.name,
        "discriminator": "0",
        "avatar": None,
        "bot": user.bot,
        "system": False,
        "public_flags": 0,
        "flags": 0,
    }


def role_payload(role: Role) -> dict[str, Any]:
    """A role object."""
    return {
        "id": str(role.id),
        "name": role.name,
        "permissions": str(role.permissions),
        "position": role.position,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False,
        "managed": False,
        "mentionable": False,
        "icon": None,
        "unicode_emoji": None,
        "flags": 0,
    }


def member_payload(member: Member, *, with_user: bool = True, permissions: int | None = None) -> dict[str, Any]:
    """A guild member object; permissions is added for interaction payloads."""
    data: dict[str, Any] = {
        "roles": [str(r) for r in member.role_ids],
        "joined_at": member.joined_at,
        "nick": None,
        "avatar": None,
        "deaf": False,
        "mute": False,
        "pending": False,
        "flags": 0,
        "premium_since": None,
        "communication_disabled_until": None,
    }
    if with_user:
        data["user"] = user_payload(member.user)
    if permissions is not None:
        data["permissions"] = str(permissions)
    return data


def channel_payload(channel: Channel) -> dict[str, Any]:
    """A guild text channel, thread or DM channel object."""
    if isinstance(channel, Thread):
        return thread_payload(channel)
    if isinstance(channel, DMChannel):
        return dm_payload(channel)
    data = {
        "id": str(channel.id),
        "type": channel.type,
        "guild_id": str(channel.guild_id),
        "name": channel.name,
        "position": channel.position,
        "permission_overwrites": [],
        "parent_id": None if channel.parent_id is None else str(channel.parent_id),
        "topic": None,
        "nsfw": False,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "flags": 0,
    }
    if channel.type == FORUM:
        data |= {"available_tags": [], "default_reaction_emoji": None, "default_sort_order": None,
                 "default_forum_layout": 0, "default_thread_rate_limit_per_user": 0}
    return data


def dm_payload(channel: DMChannel) -> dict[str, Any]:
    """A DM channel object (type 1) with its one recipient."""
    recipients = [] if channel.recipient is None else [user_payload(channel.recipient)]
    return {"id": str(channel.id), "type": 1, "last_message_id": None, "recipients": recipients, "flags": 0}


def guild_fields(channel: Channel) -> dict[str, str]:
    """{"guild_id": ...} for a guild channel, {} for a DM (Discord omits guild_id there)."""
    return {} if isinstance(channel, DMChannel) else {"guild_id": str(channel.guild_id)}


def thread_payload(thread: Thread) -> dict[str, Any]:
    """A thread channel object (type 11/12)."""
    return {
        "id": str(thread.id),
        "type": thread.type,
        "guild_id": str(thread.guild_id),
        "parent_id": str(thread.parent_id),
        "owner_id": str(thread.owner_id),
        "name": thread.name,
        "last_message_id": None,
        "message_count": 0,
        "member_count": 1,
        "total_message_sent": 0,
        "rate_limit_per_user": 0,
        "flags": 0,
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": thread.auto_archive_duration,
            "archive_timestamp": thread.created_at,
            "create_timestamp": thread.created_at,
            "locked": False,
        },
    }


def guild_create_payload(guild: Guild, *, only_member: int | None = None) -> dict[str, Any]:
    """The full GUILD_CREATE object; only_member limits members to that user (no GUILD_MEMBERS intent)."""
    members = [m for m in guild.members if only_member is None or m.id == only_member]
    return {
        "id": str(guild.id),
        "name": guild.name,
        "owner_id": str(guild.owner_id),
        "icon": None,
        "unavailable": False,
        "large": False,
        "member_count": len(guild.members),
        "joined_at": now_iso(),
        "features": [],
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "premium_tier": 0,
        "preferred_locale": "en-US",
        "system_channel_id": None,
        "roles": [role_payload(r) for r in guild.roles],
        "channels": [channel_payload(c) for c in guild.channels],
        "threads": [thread_payload(t) for t in guild.threads],
        "members": [member_payload(m) for m in members],
        "emojis": [],
        "stickers": [],
        "presences": [],
        "voice_states": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
    }


def message_payload(
    message_id: int, channel: Channel, author: User, body: dict[str, Any], *, message_type: int = 0
) -> dict[str, Any]:
    """A message object from a create-message body (content, embeds, components, reference...)."""
    reference = body.get("message_reference")
    data: dict[str, Any] = {
        "id": str(message_id),
        "channel_id": str(channel.id),
        "author": user_payload(author),
        "content": body.get("content") or "",
        "timestamp": now_iso(),
        "edited_timestamp": None,
        "tts": bool(body.get("tts", False)),
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": list(body.get("attachments") or []),
        "embeds": list(body.get("embeds") or []),
        "components": list(body.get("components") or []),
        "reactions": [],
        "pinned": False,
        "type": 19 if reference and message_type == 0 else message_type,
        "flags": int(body.get("flags") or 0),
    }
    if reference:
        ref = {"type": 0, "channel_id": str(channel.id)} | guild_fields(channel) | reference
        data["message_reference"] = {k: str(v) if k.endswith("_id") else v for k, v in ref.items()}
    if "nonce" in body:
        data["nonce"] = body["nonce"]
    return data


def interaction_payload(
    interaction_id: int, token: str, kind: int, data: dict[str, Any], *, guild: Guild, channel: Channel,
    member: Member, application_id: int, app_permissions: int,
) -> dict[str, Any]:
    """An INTERACTION_CREATE object (type 2 command, 3 component...)."""
    return {
        "id": str(interaction_id),
        "application_id": str(application_id),
        "type": kind,
        "data": data,
        "guild_id": str(guild.id),
        "guild": {"id": str(guild.id), "locale": "en-US", "features": []},
        "channel_id": str(channel.id),
        "channel": channel_payload(channel),
        "member": member_payload(member, permissions=guild.permissions_of(member)),
        "token": token,
        "version": 1,
        "app_permissions": str(app_permissions),
        "locale": "en-US",
        "guild_locale": "en-US",
        "entitlements": [],
        "authorizing_integration_owners": {"0": str(guild.id)},
        "context": 0,
        "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
    }


def application_payload(application_id: int, bot: User, owner: User, flags: int) -> dict[str, Any]:
    """The GET /oauth2/applications/@me object."""
    return {
        "id": str(application_id),
        "name": bot.name,
        "icon": None,
        "description": "",
        "summary": "",
        "rpc_origins": [],
        "bot_public": True,
        "bot_require_code_grant": False,
        "verify_key": "0" * 64,
        "owner": user_payload(owner),
        "team": None,
        "flags": flags,
        "bot": user_payload(bot),
        "interactions_endpoint_url": None,
        "redirect_uris": [],
    }

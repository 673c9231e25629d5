"""Before `newsbot run` loads the model: log in once, so a wrong token or an unreachable Discord is one line."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import aiohttp
import discord

from bot.client import MESSAGE_CONTENT_HELP, use_api
from bot.config import TOKEN_VARIABLE

# What a login or a connection can raise when Discord cannot be used; explain() words each.
DISCORD_ERRORS = (discord.DiscordException, aiohttp.ClientError, OSError, TimeoutError)


class DiscordUnavailable(Exception):
    """Discord cannot be used with this token or from this machine; the message says what to do."""


async def check_login(token: str, api_url: str, timeout: float) -> None:
    """Ask Discord who the token belongs to; raise DiscordUnavailable with the reason when that fails."""
    api_url = use_api(api_url)
    http = discord.http.HTTPClient(asyncio.get_running_loop())
    try:
        await asyncio.wait_for(http.static_login(token), timeout)
    except DISCORD_ERRORS as error:
        raise DiscordUnavailable(explain(error, api_url, timeout)) from error
    finally:
        await http.close()


def explain(error: BaseException, api_url: str, timeout: float) -> str:
    """One line saying why Discord could not be used, and what to do about it."""
    host = urlsplit(api_url or discord.http.Route.BASE).hostname or api_url
    retry = "then run `newsbot run` again"
    if isinstance(error, discord.LoginFailure):
        return (f"Discord refused the token in {TOKEN_VARIABLE}; copy it again from the Developer "
                "Portal (Bot > Reset Token)")
    if isinstance(error, discord.PrivilegedIntentsRequired):
        return MESSAGE_CONTENT_HELP
    if isinstance(error, aiohttp.ClientConnectorDNSError):
        return f"cannot reach Discord: the name {host} does not resolve (is this machine online?); {retry}"
    if isinstance(error, aiohttp.ClientConnectorError):
        reason = error.os_error.strerror or type(error.os_error).__name__
        return f"cannot reach Discord at {host}: {reason.lower()} (a firewall or proxy?); {retry}"
    if isinstance(error, TimeoutError):
        return f"cannot reach Discord: {host} did not answer within {timeout:g} s; {retry}"
    if isinstance(error, discord.HTTPException):
        return f"Discord answered {error.status} {error.text or error.response.reason}; try again later"
    return f"cannot reach Discord at {host} ({type(error).__name__}: {error}); {retry}"

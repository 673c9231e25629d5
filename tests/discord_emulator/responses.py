"""HTTP helpers: Discord-shaped JSON responses, API errors and request-body parsing."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web


class ApiError(Exception):
    """A Discord API error answered as {"message", "code"} with an HTTP status."""

    def __init__(self, status: int, message: str, code: int = 0) -> None:
        super().__init__(f"{status} {message} ({code})")
        self.status, self.message, self.code = status, message, code

    def response(self) -> web.Response:
        """The JSON error response."""
        return json_response({"message": self.message, "code": self.code}, status=self.status)


def json_response(body: Any, *, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """A JSON response whose Content-Type is exactly application/json (discord.py compares it verbatim)."""
    return web.Response(
        status=status,
        body=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def empty_response(status: int = 204) -> web.Response:
    """A body-less response (204 No Content)."""
    return web.Response(status=status)


def truthy(value: str | None) -> bool:
    """Discord's reading of boolean query parameters (true/1)."""
    return (value or "").lower() in {"1", "true"}


async def read_body(request: web.Request) -> tuple[Any, list[tuple[str, bytes]]]:
    """Parse a JSON body, or a multipart body's payload_json plus its files as (filename, bytes)."""
    if request.content_type == "multipart/form-data":
        body: Any = None
        files: list[tuple[str, bytes]] = []
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            data = await part.read()  # type: ignore[union-attr]
            if part.name == "payload_json":
                body = json.loads(data)
            else:
                files.append((part.filename or part.name or "", bytes(data)))  # type: ignore[union-attr]
        return body, files
    raw = await request.read()
    if not raw:
        return None, []
    if request.content_type == "application/json":
        return json.loads(raw), []
    return raw.decode(errors="replace"), []

"""Attachment files: user uploads for slash options (type 11) and bot-sent files, served back over HTTP."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from aiohttp import web

from .models import RecordedRequest
from .responses import ApiError

if TYPE_CHECKING:
    from .server import DiscordEmulator


@dataclass(frozen=True)
class Upload:
    """A file a user attaches to a slash command's attachment option (type 11)."""

    filename: str
    data: bytes
    content_type: str | None = None


class AttachmentStore:
    """Attachment bytes by id, served at /attachments/{channel}/{id}/{filename} like Discord's CDN."""

    def __init__(self, emulator: DiscordEmulator) -> None:
        self.emulator = emulator
        self._files: dict[int, tuple[int, Upload]] = {}

    def add(self, channel_id: int, upload: Upload, *, description: str | None = None) -> dict[str, Any]:
        """Store a file and return its attachment object (url and proxy_url point at the emulator)."""
        attachment_id = self.emulator.new_id()
        self._files[attachment_id] = (channel_id, upload)
        url = f"http://127.0.0.1:{self.emulator.port}/attachments/{channel_id}/{attachment_id}/{quote(upload.filename)}"
        return {
            "id": str(attachment_id), "filename": upload.filename, "size": len(upload.data), "url": url,
            "proxy_url": url, "content_type": upload.content_type, "description": description,
        }

    def get(self, attachment_id: int) -> Upload:
        """The stored file with this id (KeyError if unknown)."""
        return self._files[attachment_id][1]

    async def serve(self, request: web.Request) -> web.Response:
        """GET an attachment's bytes (recorded in emulator.requests with its /attachments/... path)."""
        recorded = RecordedRequest(request.method, request.path, dict(request.query), None, dict(request.headers))
        response = self._response(request)
        recorded.status = response.status
        self.emulator.requests.append(recorded)
        self.emulator.waiter.notify()
        return response

    def _response(self, request: web.Request) -> web.Response:
        """The file, or Discord's 404 for an unknown channel/id/filename."""
        try:
            channel_id, upload = self._files[int(request.match_info["id"])]
        except (KeyError, ValueError):
            return ApiError(404, "404: Not Found").response()
        if str(channel_id) != request.match_info["channel"] or upload.filename != request.match_info["filename"]:
            return ApiError(404, "404: Not Found").response()
        content_type = upload.content_type or "application/octet-stream"
        return web.Response(body=upload.data, headers={"Content-Type": content_type})

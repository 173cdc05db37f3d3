"""A cap on request body size, enforced before a body is read into memory."""
from __future__ import annotations

import json
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodySizeLimit:
    """Answer 413 with a reason when a request body exceeds `max_bytes`, declared or streamed.

    Paths under `exempt_prefix` (Rasa's token-guarded action calls, which carry the whole tracker) are not capped;
    paths that `uploads` matches (a customer's photo) have `max_upload_bytes` instead.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int, exempt_prefix: str = "/internal/", uploads: re.Pattern[str] | None = None,
                 max_upload_bytes: int = 0) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.exempt_prefix = exempt_prefix
        self.uploads = uploads
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.exempt_prefix):
            await self.app(scope, receive, send)
            return
        limit = self.max_upload_bytes if self.uploads and self.uploads.fullmatch(scope["path"]) else self.max_bytes
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._reject(send, limit)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise _TooLarge
            return message

        try:
            await self.app(scope, counting_receive, send)
        except _TooLarge:
            await self._reject(send, limit)

    async def _reject(self, send: Send, limit: int) -> None:
        body = json.dumps({"detail": f"request body is larger than {limit} bytes"}).encode()
        await send({"type": "http.response.start", "status": 413, "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass

"""Bounds on live sockets: how many one address, conversation or agent holds, what a frame may be, how often typing passes.

The counts are per api process (each replica bounds its own share); a socket over a bound is closed with a
WebSocket close code and a reason, which `CloseSocket` carries to the edge in `api/web/routes/live.py`.
"""
from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

UNAUTHORIZED = 4401  # the console signs out on it: no session, or it ended
UNSUPPORTED_DATA = 1003  # a binary frame: we speak JSON text
INVALID_DATA = 1007  # a text frame that is not a JSON object
POLICY = 1008  # over a bound on open sockets
TOO_BIG = 1009  # uvicorn's own code for a frame over --ws-max-size; the same here


class CloseSocket(Exception):
    """End this socket with `code` and a `reason` the client can read (at most 123 bytes on the wire)."""

    def __init__(self, code: int, reason: str) -> None:
        self.code = code
        self.reason = reason.encode()[:120].decode(errors="ignore")
        super().__init__(f"{code} {self.reason}")


class OpenSockets:
    """Open sockets per key ("ip:…", "conversation:…", "agent:…") in this process."""

    def __init__(self) -> None:
        self._open: Counter[str] = Counter()

    @contextmanager
    def hold(self, key: str, limit: int, reason: str) -> Iterator[None]:
        """Count one more socket under `key` while the block runs; `CloseSocket` if `limit` are open already."""
        if self._open[key] >= limit:
            raise CloseSocket(POLICY, reason)
        self._open[key] += 1
        try:
            yield
        finally:
            self._open[key] -= 1
            if self._open[key] <= 0:
                del self._open[key]

    def count(self, key: str) -> int:
        return self._open[key]


class TypingLimit:
    """A token bucket per socket: a short burst of typing events, then `per_second`; the excess is dropped, not echoed."""

    def __init__(self, per_second: float, burst: int) -> None:
        self._rate, self._burst = per_second, float(burst)
        self._tokens, self._at = float(burst), time.monotonic()

    def allow(self) -> bool:
        now = time.monotonic()
        self._tokens = min(self._burst, self._tokens + (now - self._at) * self._rate)
        self._at = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True


async def read_event(websocket: WebSocket, max_bytes: int) -> dict[str, Any]:
    """The client's next frame as a JSON object; `CloseSocket` for binary, oversized or malformed frames."""
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000), message.get("reason"))
    text = message.get("text")
    if text is None:
        raise CloseSocket(UNSUPPORTED_DATA, "send JSON text frames, not binary ones")
    if len(text) > max_bytes or len(text.encode()) > max_bytes:
        raise CloseSocket(TOO_BIG, f"a frame may have at most {max_bytes} bytes")
    try:
        event = json.loads(text)
    except ValueError:
        raise CloseSocket(INVALID_DATA, "a frame must be a JSON object") from None
    if not isinstance(event, dict):
        raise CloseSocket(INVALID_DATA, "a frame must be a JSON object")
    return event

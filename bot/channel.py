"""The only way into Rasa's dialogue: Rasa's REST channel, answering only the api (credentials.yml).

Rasa's own REST channel takes messages from anyone who reaches its port: on the shared loopback any local
process could drive any conversation past the api's checks and limits (a posted `/request_human` queued a
chat for a person). This channel is the same REST contract at `/webhooks/shopbot/webhook`, and answers only a
request carrying Rasa's token (SHOPBOT_RASA_TOKEN, which the api holds) as `Authorization: Bearer …`.
"""
from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse


class ApiChannel(RestInput):
    """Rasa's REST channel behind a shared token: a request without it gets 401 before Rasa reads its body."""

    def __init__(self, token: str) -> None:
        self._expected = f"Bearer {token}".encode()

    @classmethod
    def name(cls) -> str:
        return "shopbot"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> ApiChannel:
        token = str((credentials or {}).get("token") or "")
        if not token:  # an empty token would let everyone in
            raise ValueError("credentials.yml: bot.channel.ApiChannel needs `token: ${SHOPBOT_RASA_TOKEN}`, and the variable set")
        return cls(token)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)

        @webhook.middleware("request")  # Sanic runs a blueprint's middleware for that blueprint's routes only
        async def only_the_api(request: Request) -> HTTPResponse | None:
            if not hmac.compare_digest(request.headers.get("authorization", "").encode(), self._expected):
                return response.json({"error": "this channel answers only the api: missing or wrong token"}, status=401)
            return None

        return webhook

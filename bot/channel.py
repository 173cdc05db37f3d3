"""The only way into Rasa's dialogue: Rasa's REST contract, answering only the api (credentials.yml), each message once.

Rasa's own REST channel takes messages from anyone who reaches its port: on the shared loopback any local
process could drive any conversation past the api's checks and limits (a posted `/request_human` queued a
chat for a person). This channel is the same REST contract at `/webhooks/shopbot/webhook`, and answers only a
request carrying Rasa's token (SHOPBOT_RASA_TOKEN, which the api holds) as `Authorization: Bearer …`.

The api names each message with its own id (`message_id`) and asks again when it never got the answer (it was
killed mid-request, or Rasa was). A message Rasa already handled is not handled twice: the bot's messages it
stored for it are sent again, so the conversation moves on once (a claim form's answer is not taken for the next
question). One that Rasa did not finish (killed, or cancelled when the api's connection dropped) left nothing in the
tracker store, since Rasa saves a message's events only at its end, and is handled as new.

Each bot message goes out as one REST message with its `custom` JSON inside (`ApiOutputChannel`): Rasa's own collector
sends the JSON as a message of its own after the text, and the api had to guess which text it belonged to.

`/webhooks/shopbot/parse` reads a text with the api's metadata and touches no conversation (a chat waiting for a person).
"""
from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.agent import Agent
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.message_metadata import with_metadata_entities, without_query_vector


class ApiOutputChannel(CollectingOutputChannel):
    """Rasa's collecting channel, except that a bot message's `custom` JSON (contracts.payloads.BotCustom: the cited
    source, the search decision, a claim's ticket) rides in the same REST message as its text, the last part of it when
    Rasa splits a text at blank lines; a message without text sends its JSON alone. Keeps Rasa's name `collector`, which
    responses may be written for."""

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        custom = message.pop("custom", None)
        before = len(self.messages)
        await super().send_response(recipient_id, message)
        if not custom:
            return
        texts = [sent for sent in self.messages[before:] if sent.get("text")]
        if texts:
            texts[-1]["custom"] = custom
        else:
            await self.send_custom_json(recipient_id, custom)


class ApiChannel(InputChannel):
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
        """The REST contract (`{"sender", "message", "metadata", "message_id"}` in, the bot's messages out), without streaming."""
        webhook = Blueprint("custom_webhook_ApiChannel", __name__)

        @webhook.middleware("request")  # Sanic runs a blueprint's middleware for that blueprint's routes only
        async def only_the_api(request: Request) -> HTTPResponse | None:
            if not hmac.compare_digest(request.headers.get("authorization", "").encode(), self._expected):
                return response.json({"error": "this channel answers only the api: missing or wrong token"}, status=401)
            return None

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            body = request.json or {}
            collector = ApiOutputChannel()
            message = UserMessage(body.get("message"), collector, body.get("sender"), input_channel=self.name(),
                                  metadata=body.get("metadata"), message_id=body.get("message_id"))
            await handle_once(request.app.ctx.agent, message)
            return response.json(collector.messages)

        @webhook.route("/parse", methods=["POST"])
        async def read(request: Request) -> HTTPResponse:
            """`{"text", "metadata"}` in, Rasa's NLU parse out, touching no conversation: Rasa's own /model/parse takes no
            metadata, so the e5 vector the api sends with the text (api/chat/waiting.py) would be computed again."""
            body = request.json or {}
            if not isinstance(body.get("text"), str):
                return response.json({"error": "`text` (a string) is required"}, status=400)
            message = UserMessage(body["text"], metadata=body.get("metadata"))
            return response.json(await request.app.ctx.agent.processor.parse_message(message))

        return webhook


async def handle_once(agent: Agent, message: UserMessage) -> None:
    """Rasa's `Agent.handle_message`, unless the conversation already holds this message: then its answer again.

    Looked up under the conversation's lock, so a repeated request waits for the first one and then repeats its answer.
    """
    async with agent.lock_store.lock(message.sender_id):
        earlier = await bot_messages_for(agent.tracker_store, message.sender_id, message.message_id)
        if earlier is None:
            message.parse_data = await parse(agent, message)
            message.metadata = without_query_vector(message.metadata)
            await agent.processor.handle_message(message)
            return
        for bot_message in earlier:
            await message.output_channel.send_response(message.sender_id, bot_message)  # as Rasa's processor sends them


async def parse(agent: Agent, message: UserMessage) -> dict[str, Any]:
    """Rasa's NLU reading of the message plus the api's metadata as entities (bot/message_metadata.py), which
    `from_entity` mappings turn into slots: Rasa's processor takes this parse instead of parsing again."""
    return with_metadata_entities(await agent.processor.parse_message(message), message.metadata)


async def bot_messages_for(store: TrackerStore, sender_id: str, message_id: str) -> list[dict[str, Any]] | None:
    """What the bot said after the customer's message `message_id`, or None if the conversation does not hold it."""
    tracker = await store.retrieve(sender_id)
    events = list(tracker.events) if tracker else []
    start = next((i for i, event in enumerate(events) if isinstance(event, UserUttered) and event.message_id == message_id), None)
    if start is None:
        return None
    said = []
    for event in events[start + 1:]:
        if isinstance(event, UserUttered):
            break
        if isinstance(event, BotUttered):
            said.append(event.message())
    return said

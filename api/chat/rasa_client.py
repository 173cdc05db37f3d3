"""The api's client for the Rasa server, which listens on loopback and is reached only from here."""
from __future__ import annotations

import asyncio
import base64
import logging
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import httpx
import numpy as np

from api.domain_errors import RasaUnavailable
from api.storage.models import Message
from contracts.payloads import BotCustom, BotPayload, CustomerPayload
from knowledge import KnowledgeBase

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BotReply:
    """One bot message as Rasa's channel sends it: its text, buttons and the `custom` JSON sent with it."""

    text: str
    buttons: list[dict[str, Any]] = field(default_factory=list)
    custom: BotCustom = field(default_factory=BotCustom)

    @property
    def payload(self) -> BotPayload:
        """What the api stores with the reply: the source and data are shown, the search decision kept for the back office."""
        return BotPayload(source=self.custom.source, buttons=self.buttons, data=self.custom.data, knowledge=self.custom.knowledge)


def replies_from_rasa(messages: list[dict[str, Any]]) -> list[BotReply]:
    """One reply per bot message our channel (bot/channel.py) sends, with the custom JSON that came in it; a message
    without text has nothing to show (logged)."""
    replies: list[BotReply] = []
    for message in messages:
        if not isinstance(message.get("text"), str) or not message["text"]:
            log.warning("a bot message without text left out: %s", sorted(message))
            continue
        buttons = message.get("buttons")
        replies.append(BotReply(message["text"], buttons=list(buttons) if isinstance(buttons, list) else [],
                                custom=BotCustom.from_json(message.get("custom"))))
    return replies


def query_vector_metadata(model: str, text: str, vector: np.ndarray) -> dict[str, Any]:
    """The e5 query vector of `text` as message metadata: Rasa's intent component classifies with it instead of embedding
    the same text again (bot/message_metadata.py reads it, and uses it only for this model and exactly this text).
    base64 of little-endian float32: 2 KB, against about 8 KB of floats written out in JSON."""
    encoded = base64.b64encode(np.asarray(vector, dtype="<f4").tobytes()).decode("ascii")
    return {"query_vector": {"model": model, "text": text, "vector": encoded}}


def text_for_rasa(message: Message) -> str:
    """What Rasa reads of a stored customer message: a pressed button's payload, else the text, stripped as Rasa's channel strips it."""
    return (CustomerPayload.from_json(message.payload).button or message.text).strip()


async def embedded_once(knowledge: KnowledgeBase, text: str, language: str) -> dict[str, Any]:
    """The `query_vector` metadata for words (typed, or a choice's title): embedded here, once, and remembered by the knowledge
    base, so Rasa's intent component and the search (in the same `language`) both use this one e5 call. Nothing for an
    `/intent` payload."""
    if text.startswith("/"):
        return {}
    vector = await asyncio.to_thread(partial(knowledge.embed_queries, [text], lang=language))
    return query_vector_metadata(knowledge.embedder.name, text, vector[0])


class _WithoutToken(logging.Filter):
    """httpx logs every request's URL at INFO: the token in it is masked before any handler sees the record."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self._token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self._token and self._token in message:
            record.msg, record.args = message.replace(self._token, "***"), ()
        return True


class RasaClient:
    """Sends customer messages to Rasa and checks its health; raises RasaUnavailable on any failure.

    Rasa takes its token only as `?token=` in the URL, and httpx puts the URL in its error texts; so what
    this client reports (health, 503 bodies, logs) is described from the error, never its text as is, and httpx's own
    request log has the token masked.
    """

    def __init__(self, base_url: str, token: str, *, timeout: float) -> None:
        self._token = token
        self._http = httpx.AsyncClient(base_url=base_url, timeout=timeout)
        self._log_filter = _WithoutToken(token)
        logging.getLogger("httpx").addFilter(self._log_filter)

    def _failure(self, exc: Exception) -> str:
        """What went wrong, without the URL or the token: the status Rasa answered, or the kind of failure."""
        if isinstance(exc, httpx.HTTPStatusError):
            return f"HTTP {exc.response.status_code} {exc.response.reason_phrase}".strip()
        detail = str(exc).replace(self._token, "***") if self._token else str(exc)
        return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__

    async def send(self, conversation_id: str, text: str, metadata: dict[str, Any], *, message_id: str) -> list[BotReply]:
        """The bot's replies to one stored message; asked again with the same `message_id`, Rasa repeats them (bot/channel.py)."""
        try:
            response = await self._http.post("/webhooks/shopbot/webhook", headers={"Authorization": f"Bearer {self._token}"},  # bot/channel.py answers only us
                                             json={"sender": conversation_id, "message": text, "metadata": metadata, "message_id": message_id})
            response.raise_for_status()
            return replies_from_rasa(response.json())
        except (httpx.HTTPError, ValueError) as exc:
            raise RasaUnavailable(f"the dialogue engine did not answer: {self._failure(exc)}") from None

    async def intent(self, text: str, metadata: dict[str, Any]) -> str | None:
        """Rasa's NLU reading of `text` (its intent; a button's `/intent` payload is read as that intent), touching no
        conversation: while a chat waits for a person Rasa is paused, and the api decides what answers the customer.
        Our channel's parse (bot/channel.py), not Rasa's /model/parse, which would drop the `query_vector` metadata."""
        try:
            response = await self._http.post("/webhooks/shopbot/parse", headers={"Authorization": f"Bearer {self._token}"},
                                             json={"text": text, "metadata": metadata})
            response.raise_for_status()
            return (response.json().get("intent") or {}).get("name")
        except (httpx.HTTPError, ValueError) as exc:
            raise RasaUnavailable(f"the dialogue engine could not read the message: {self._failure(exc)}") from None

    async def resume(self, conversation_id: str) -> None:
        """Un-pause the conversation in Rasa after an agent hands it back (the bot paused itself at handoff).

        The pause stopped Rasa before its usual `action_listen`; adding it puts the tracker back in the
        state every rule starts from, so the next message is handled with the earlier context.
        """
        events = [{"event": "resume"}, {"event": "action", "name": "action_listen"}]
        try:
            response = await self._http.post(f"/conversations/{conversation_id}/tracker/events", params={"token": self._token},
                                             json=events)
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise RasaUnavailable(f"could not resume the conversation in the dialogue engine: {self._failure(exc)}") from None

    async def paused(self, conversation_id: str) -> bool:
        """Whether Rasa holds the conversation paused (its handoff action paused it, and no resume reached it yet)."""
        try:
            response = await self._http.get(f"/conversations/{conversation_id}/tracker", params={"token": self._token, "include_events": "NONE"})
            response.raise_for_status()
            return bool(response.json().get("paused"))
        except (httpx.HTTPError, ValueError) as exc:
            raise RasaUnavailable(f"could not read the conversation from the dialogue engine: {self._failure(exc)}") from None

    async def forget(self, conversation_id: str) -> None:
        """Replace the conversation's tracker with an empty one: the customer asked us to erase their data."""
        try:
            response = await self._http.put(f"/conversations/{conversation_id}/tracker/events", params={"token": self._token}, json=[])
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise RasaUnavailable(f"could not erase the conversation in the dialogue engine: {self._failure(exc)}") from None

    async def status(self) -> dict[str, Any]:
        """Rasa's own status (loaded model), or the reason it cannot be had."""
        try:
            response = await self._http.get("/status", params={"token": self._token}, timeout=3.0)
            response.raise_for_status()
            body = response.json()
            return {"ok": bool(body.get("model_id")), "model": body.get("model_file"), "model_id": body.get("model_id")}
        except (httpx.HTTPError, ValueError) as exc:
            return {"ok": False, "error": self._failure(exc)}

    async def aclose(self) -> None:
        await self._http.aclose()
        logging.getLogger("httpx").removeFilter(self._log_filter)

"""Texts the api itself shows customers (queue, agents joining, e-mail), in each of their languages, and the messages made of them."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.ext.asyncio import AsyncSession

from api.storage.models import Conversation, Message, Sender
from contracts.languages import DEFAULT_LANGUAGE
from contracts.payloads import BotPayload

TEXTS_FILE = Path(__file__).with_name("system_messages.yml")


@lru_cache(maxsize=1)
def _texts() -> dict[str, dict[str, str]]:
    return yaml.safe_load(TEXTS_FILE.read_text(encoding="utf-8"))


def system_text(key: str, language: str | None, **values: Any) -> str:
    """The message `key` in `language` (English when we lack that language), placeholders filled."""
    texts = _texts()[key]
    return texts.get(language or DEFAULT_LANGUAGE, texts[DEFAULT_LANGUAGE]).format(**values)


def add_system_message(session: AsyncSession, conversation: Conversation, key: str, *, data: dict[str, Any] | None = None,
                       buttons: list[dict[str, str]] | None = None, **values: Any) -> Message:
    """A system text in the conversation's language, added to the session (not committed); `data` reaches clients as
    the message's data (e.g. the ticket an e-mail address filed), `buttons` as choices drawn like the bot's."""
    message = Message(conversation_id=conversation.id, sender=Sender.system, language=conversation.language,
                      text=system_text(key, conversation.language, **values), payload=BotPayload(buttons=list(buttons or []), data=data or {}).to_json())
    session.add(message)
    return message

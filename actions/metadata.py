"""What the api sends with each message: Rasa fills the slots from it itself (bot/message_metadata.py turns it into
entities, domain.yml maps them to slots), and actions read the language of the message at hand from it."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

LANGUAGE_SLOT = "language"
RETURNING_SLOT = "returning_customer"


def message_metadata(tracker: Tracker) -> dict[str, Any]:
    """What the api sent with the latest message (Rasa detects none of it itself)."""
    return tracker.latest_message.get("metadata") or {}


def message_language(tracker: Tracker) -> str | None:
    return message_metadata(tracker).get("language")


def conversation_language(tracker: Tracker) -> str:
    return message_language(tracker) or tracker.get_slot(LANGUAGE_SLOT) or "en"

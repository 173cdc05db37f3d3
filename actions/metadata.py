"""What the api sends with each message (contracts.metadata): Rasa fills the slots from it itself (bot/message_metadata.py
turns it into entities, domain.yml maps them to slots), and actions read the language of the message at hand from it."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from contracts.languages import DEFAULT_LANGUAGE, LanguageCode, language_code
from contracts.metadata import LANGUAGE_SLOT, MessageMetadata


def message_language(message: dict[str, Any]) -> LanguageCode | None:
    """The language the api detected for one customer message (the latest, or any user event of the tracker)."""
    return MessageMetadata.from_json(message.get("metadata")).language


def conversation_language(tracker: Tracker) -> LanguageCode:
    """The latest message's language; the slot (the last one sent) for a message that carried none (rasa shell)."""
    return message_language(tracker.latest_message) or language_code(tracker.get_slot(LANGUAGE_SLOT)) or DEFAULT_LANGUAGE

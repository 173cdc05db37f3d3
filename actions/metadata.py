"""Slots the api fills through message metadata: the detected language, a returning visitor, whether a
colleague is online (offers of a person depend on it), the shop's name (the bot's texts say it; it comes from
the api's settings, so renaming the shop needs no retraining), and the anger counted so far."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.anger import is_angry

LANGUAGE_SLOT = "language"
RETURNING_SLOT = "returning_customer"
ANGER_SLOT = "anger_count"
AGENTS_ONLINE_SLOT = "agents_online"
SHOP_NAME_SLOT = "shop_name"


def message_metadata(tracker: Tracker) -> dict[str, Any]:
    """What the api sent with the latest message (Rasa detects none of it itself)."""
    return tracker.latest_message.get("metadata") or {}


def message_language(tracker: Tracker) -> str | None:
    return message_metadata(tracker).get("language")


def conversation_language(tracker: Tracker) -> str:
    return message_language(tracker) or tracker.get_slot(LANGUAGE_SLOT) or "en"


class ActionReadMetadata(Action):
    """Custom slot mapping for the slots above; Rasa runs it once after every customer message."""

    def name(self) -> str:
        return "action_read_metadata"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
        metadata = message_metadata(tracker)
        events = []
        language = metadata.get("language")
        if language and language != tracker.get_slot(LANGUAGE_SLOT):
            events.append(SlotSet(LANGUAGE_SLOT, language))
        returning = bool(metadata.get("returning"))
        if returning != bool(tracker.get_slot(RETURNING_SLOT)):
            events.append(SlotSet(RETURNING_SLOT, returning))
        shop_name = metadata.get("shop_name")
        if shop_name and shop_name != tracker.get_slot(SHOP_NAME_SLOT):
            events.append(SlotSet(SHOP_NAME_SLOT, shop_name))
        online = bool(metadata.get("agents_online"))
        if online != bool(tracker.get_slot(AGENTS_ONLINE_SLOT)):
            events.append(SlotSet(AGENTS_ONLINE_SLOT, online))
        text = tracker.latest_message.get("text") or ""
        if not text.startswith("/") and is_angry(text, language or tracker.get_slot(LANGUAGE_SLOT)):
            events.append(SlotSet(ANGER_SLOT, float(tracker.get_slot(ANGER_SLOT) or 0) + 1))
        return events

"""Keeps the `language` slot equal to the language the api detected for the latest message."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

LANGUAGE_SLOT = "language"


def message_language(tracker: Tracker) -> str | None:
    """The language the api put in the latest message's metadata (it detects it; Rasa does not)."""
    metadata = tracker.latest_message.get("metadata") or {}
    return metadata.get("language")


class ActionSetLanguage(Action):
    """Custom slot mapping for `language`: runs after every user message, before the next action."""

    def name(self) -> str:
        return "action_set_language"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
        language = message_language(tracker)
        if language and language != tracker.get_slot(LANGUAGE_SLOT):
            return [SlotSet(LANGUAGE_SLOT, language)]
        return []

"""Greeting: a returning visitor (the widget kept their token) is welcomed back."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from contracts.metadata import RETURNING_SLOT


class ActionGreet(Action):
    def name(self) -> str:
        return "action_greet"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
        dispatcher.utter_message(response="utter_welcome_back" if tracker.get_slot(RETURNING_SLOT) else "utter_greet")
        return []

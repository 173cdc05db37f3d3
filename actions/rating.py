"""Asking a helped customer for a rating (1-5) and an optional comment, once per conversation."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.desk import Desk


class ActionAskRating(Action):
    """Only after the bot helped (an answer or a filed claim), and never twice."""

    def name(self) -> str:
        return "action_ask_rating"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
        if not tracker.get_slot("helped") or tracker.get_slot("rating_asked"):
            return []
        dispatcher.utter_message(response="utter_ask_rating")
        return [SlotSet("rating_asked", True)]


class ActionStoreRating(Action):
    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    def name(self) -> str:
        return "action_store_rating"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
        value = next(iter(tracker.get_latest_entity_values("rating")), None)
        try:
            score = int(str(value))
        except ValueError:
            score = 0
        if not 1 <= score <= 5:
            return [SlotSet("rating", None)]
        await self.desk.rate(tracker.sender_id, score)
        return [SlotSet("rating", str(score)), SlotSet("rating_asked", True)]


class ActionStoreRatingComment(Action):
    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    def name(self) -> str:
        return "action_store_rating_comment"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
        comment = (tracker.get_slot("rating_comment") or "").strip()
        if comment:
            await self.desk.comment_rating(tracker.sender_id, comment)
        dispatcher.utter_message(response="utter_rating_thanks")
        return [SlotSet("rating_comment", None)]

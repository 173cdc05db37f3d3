"""Answers product questions from the knowledge base, citing the entry; admits it when it has no answer."""
from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.metadata import conversation_language
from knowledge import Hit, KnowledgeBase


# Messages the NLU already placed inside the shop's topics skip the search's own scope gate.
IN_SCOPE_INTENTS = frozenset({"product_question"})


def source_of(hit: Hit) -> dict[str, Any]:
    """What the api shows as the answer's source (and the agent sees in the transcript)."""
    return {"id": hit.entry_id, "title": hit.title, "score": round(hit.score, 4), "language": hit.language, "link": hit.link}


class ActionAnswerQuestion(Action):
    """Searches the knowledge base with the customer's own words, in their language.

    A confident hit is answered with its source; a close call offers the top entries as buttons; no hit
    says so honestly, and the second miss in a row offers a person.
    """

    def __init__(self, knowledge: KnowledgeBase) -> None:
        self.knowledge = knowledge

    def name(self) -> str:
        return "action_answer_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
        query = tracker.latest_message.get("text") or ""
        language = conversation_language(tracker)
        # Search is CPU work (~20 ms); keep the event loop free for other conversations.
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        # A message the NLU classified as about the shop skips the search's own scope gate.
        decision = await asyncio.to_thread(self.knowledge.decide, query, lang=language, known_in_scope=intent in IN_SCOPE_INTENTS)
        if decision.action == "answer" and decision.best is not None:
            dispatcher.utter_message(text=decision.best.answer, json_message={"source": source_of(decision.best)})
            return [SlotSet("failed_answers", None), SlotSet("helped", True)]
        if decision.action == "clarify":
            # Each button sends the entry's own question back, which then matches it squarely.
            buttons = [{"title": hit.title, "payload": hit.title} for hit in decision.hits]
            dispatcher.utter_message(response="utter_clarify", buttons=buttons)
            return []
        failures = int(float(tracker.get_slot("failed_answers") or 0)) + 1
        if failures >= 2:  # the second miss in a row: stop guessing and offer a person
            dispatcher.utter_message(response="utter_offer_human_after_failure")
        else:
            dispatcher.utter_message(response="utter_no_answer")
        return [SlotSet("failed_answers", float(failures))]

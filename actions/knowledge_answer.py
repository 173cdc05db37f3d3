"""Answers product questions from the knowledge base, citing the entry; admits it when it has no answer."""
from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.metadata import conversation_language
from knowledge import Decision, Hit, KnowledgeBase


# Messages the NLU already placed inside the shop's topics skip the search's own scope gate.
IN_SCOPE_INTENTS = frozenset({"product_question"})


def source_of(hit: Hit) -> dict[str, Any]:
    """What the api shows as the answer's source (and the agent sees in the transcript)."""
    return {"id": hit.entry_id, "title": hit.title, "score": round(hit.score, 4), "language": hit.language, "link": hit.link}


def decision_record(query: str, language: str, decision: Decision) -> dict[str, Any]:
    """What the back office learns from: the question, what the bot decided and how sure it was.

    The api keeps it with the bot's reply (not shown to the customer) for the unanswered-questions list
    and the analytics.
    """
    return {"query": query, "language": language, "decision": decision.action,
            "entries": [hit.entry_id for hit in decision.hits], "margin": round(decision.margin, 4),
            "score": round(decision.best.score, 4) if decision.best else None}


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
        record = {"knowledge": decision_record(query, language, decision)}
        if decision.action == "answer" and decision.best is not None:
            dispatcher.utter_message(text=decision.best.answer, json_message={"source": source_of(decision.best), **record})
            return [SlotSet("failed_answers", None), SlotSet("helped", True)]
        if decision.action == "clarify":
            # Each button sends the entry's own question back, which then matches it squarely.
            buttons = [{"title": hit.title, "payload": hit.title} for hit in decision.hits]
            dispatcher.utter_message(response="utter_clarify", buttons=buttons, json_message=record)
            return []
        failures = int(float(tracker.get_slot("failed_answers") or 0)) + 1
        if failures >= 2:  # the second miss in a row: stop guessing and offer a person
            dispatcher.utter_message(response="utter_offer_human_after_failure", json_message=record)
        else:
            dispatcher.utter_message(response="utter_no_answer", json_message=record)
        return [SlotSet("failed_answers", float(failures))]


class ActionOutOfScope(Action):
    """Says honestly that the question is outside what the shop can help with, and records the question.

    Recorded because "out of scope" to the NLU is sometimes a topic the shop should cover (a product it
    does not sell yet): editors see these among the unanswered questions.
    """

    def name(self) -> str:
        return "action_out_of_scope"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
        query = tracker.latest_message.get("text") or ""
        record = {"query": query, "language": conversation_language(tracker), "decision": "out_of_scope", "entries": [], "margin": 0.0,
                  "score": None}
        dispatcher.utter_message(response="utter_out_of_scope", json_message={"knowledge": record})
        return []

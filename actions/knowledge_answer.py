"""Answers product questions from the knowledge base, citing the entry; admits it when it has no answer."""
from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.metadata import conversation_language
from knowledge import Decision, Hit, KnowledgeBase

# Messages the NLU placed among questions about the shop: inside the claim form they are answered, not taken as a field.
QUESTION_INTENTS = frozenset({"product_question"})


def latest_intent(tracker: Tracker) -> str | None:
    """The NLU's intent for the customer's latest message (nlu_fallback when it was unsure)."""
    return (tracker.latest_message.get("intent") or {}).get("name")


# "Only {answer_language}" in the customer's language (rows) for an answer written in another one (columns).
LANGUAGE_ADVERBS = {
    "cs": {"cs": "česky", "pl": "polsky", "lv": "lotyšsky", "en": "anglicky"},
    "pl": {"cs": "po czesku", "pl": "po polsku", "lv": "po łotewsku", "en": "po angielsku"},
    "lv": {"cs": "čehu valodā", "pl": "poļu valodā", "lv": "latviešu valodā", "en": "angļu valodā"},
    "en": {"cs": "in Czech", "pl": "in Polish", "lv": "in Latvian", "en": "in English"},
}


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
    says so honestly, and the second miss in a row offers a person. Messages the NLU called out of scope
    are searched too (its out_of_scope examples are close to our topics, and the search, calibrated on the content, is
    surer); when the search finds nothing, the customer hears what the shop does help with.
    """

    def __init__(self, knowledge: KnowledgeBase) -> None:
        self.knowledge = knowledge

    def name(self) -> str:
        return "action_answer_question"

    async def decide(self, tracker: Tracker) -> Decision:
        """The search's decision on the latest message; CPU work (~20 ms) kept off the event loop."""
        query = tracker.latest_message.get("text") or ""
        return await asyncio.to_thread(self.knowledge.decide, query, lang=conversation_language(tracker))

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, decision: Decision) -> list[dict[str, Any]]:
        """The top hit's answer with its source; the caller has checked that the decision is to answer."""
        best = decision.hits[0]
        if best.cross_lingual:  # the shop wrote this entry in other languages only: say so before showing it as written
            customer = conversation_language(tracker)
            adverb = LANGUAGE_ADVERBS.get(customer, LANGUAGE_ADVERBS["en"]).get(best.language, best.language)
            dispatcher.utter_message(response="utter_answer_in_other_language", answer_language=adverb)
        dispatcher.utter_message(text=best.answer, json_message={"source": source_of(best), "knowledge": self._record(tracker, decision)})
        return [SlotSet("failed_answers", None), SlotSet("helped", True)]

    def offer_choices(self, dispatcher: CollectingDispatcher, tracker: Tracker, decision: Decision) -> None:
        """The top hits as buttons; each sends the entry's own question back, which the search then answers outright."""
        buttons = [{"title": hit.title, "payload": hit.title} for hit in decision.hits]
        dispatcher.utter_message(response="utter_clarify", buttons=buttons, json_message={"knowledge": self._record(tracker, decision)})

    @staticmethod
    def _record(tracker: Tracker, decision: Decision) -> dict[str, Any]:
        return decision_record(tracker.latest_message.get("text") or "", conversation_language(tracker), decision)

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
        decision = await self.decide(tracker)
        if decision.action == "answer":
            return self.answer(dispatcher, tracker, decision)
        record = {"knowledge": self._record(tracker, decision)}
        if decision.action == "clarify":
            self.offer_choices(dispatcher, tracker, decision)
            return []
        if latest_intent(tracker) == "out_of_scope":
            # Not a failure of ours: the back office lists it as out of scope, and no person is pushed on the customer.
            record["knowledge"]["decision"] = "out_of_scope"
            dispatcher.utter_message(response="utter_out_of_scope", json_message=record)
            return []
        failures = int(float(tracker.get_slot("failed_answers") or 0)) + 1
        if failures >= 2:  # the second miss in a row: stop guessing and offer a person
            dispatcher.utter_message(response="utter_offer_human_after_failure", json_message=record)
        else:
            dispatcher.utter_message(response="utter_no_answer", json_message=record)
        return [SlotSet("failed_answers", float(failures))]

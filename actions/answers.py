"""Answers from the knowledge base, for every action that gives one: the search's decision on the customer's latest
message, and the answer with its source, the choices, or the honest "no answer" it leads to.

The question action, the complaint action and the claim form's digressions all answer through one `Answers`, so no
action runs another. A choice's button names its entry by id (`choice_payload`), so a pressed choice is answered with
that entry, whatever the search would rank first for its title.
"""
from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.metadata import conversation_language
from contracts.decisions import DecisionRecord, Source
from contracts.payloads import BotCustom
from knowledge import Decision, Hit, KnowledgeBase

# Messages the NLU placed among questions about the shop: inside the claim form they are answered, not taken as a field.
QUESTION_INTENTS = frozenset({"product_question"})
# The entity a choice's payload carries (domain.yml lists it, with no slot): the id of the entry the customer chose.
CHOSEN_ENTRY = "knowledge_entry"

# "Only {answer_language}" in the customer's language (rows) for an answer written in another one (columns).
LANGUAGE_ADVERBS = {
    "cs": {"cs": "česky", "pl": "polsky", "lv": "lotyšsky", "en": "anglicky"},
    "pl": {"cs": "po czesku", "pl": "po polsku", "lv": "po łotewsku", "en": "po angielsku"},
    "lv": {"cs": "čehu valodā", "pl": "poļu valodā", "lv": "latviešu valodā", "en": "angļu valodā"},
    "en": {"cs": "in Czech", "pl": "in Polish", "lv": "in Latvian", "en": "in English"},
}


def latest_intent(tracker: Tracker) -> str | None:
    """The NLU's intent for the customer's latest message (nlu_fallback when it was unsure)."""
    return (tracker.latest_message.get("intent") or {}).get("name")


def choice_payload(entry_id: str) -> str:
    """What a choice's button sends: Rasa's `/intent{"entity": "value"}` form, read without the NLU, naming the entry
    by id (a title can be typed by anyone, and two entries may share one)."""
    return "/product_question" + json.dumps({CHOSEN_ENTRY: entry_id}, ensure_ascii=False)


def chosen_entry(tracker: Tracker) -> str | None:
    """The entry id of the choice the customer pressed, None when they wrote their own words."""
    return next(iter(tracker.get_latest_entity_values(CHOSEN_ENTRY)), None)


def source_of(hit: Hit) -> Source:
    """What the api shows as the answer's source (and the agent sees in the transcript)."""
    return Source(hit.entry_id, hit.title, round(hit.score, 4), hit.language, hit.link)


def decision_record(query: str, language: str, decision: Decision) -> DecisionRecord:
    """What the back office learns from: the question, what the bot decided and how sure it was.

    The api keeps it with the bot's reply (not shown to the customer) for the unanswered-questions list
    and the analytics.
    """
    return DecisionRecord(query=query, language=language, decision=decision.action, entries=tuple(hit.entry_id for hit in decision.hits),
                          margin=round(decision.margin, 4), score=round(decision.best.score, 4) if decision.best else None)


def asked(tracker: Tracker, decision: Decision) -> str:
    """The question the record keeps: the customer's words, or for a pressed choice the entry's question its button
    showed (nothing for an entry gone since, which the unanswered-questions list then leaves out)."""
    if chosen_entry(tracker) is not None:
        return decision.best.title if decision.best else ""
    return tracker.latest_message.get("text") or ""


class Answers:
    """Searches the knowledge base with the customer's own words, in their language, and says what it found.

    A confident hit is answered with its source; a close call offers the top entries as buttons; no hit
    says so honestly, and the second miss in a row offers a person. Messages the NLU called out of scope
    are searched too (its out_of_scope examples are close to our topics, and the search, calibrated on the content, is
    surer); when the search finds nothing, the customer hears what the shop does help with.
    """

    def __init__(self, knowledge: KnowledgeBase) -> None:
        self.knowledge = knowledge

    async def decide(self, tracker: Tracker) -> Decision:
        """The search's decision on the latest message, or the pressed choice's entry; CPU work (~20 ms) kept off the event loop."""
        language = conversation_language(tracker)
        entry_id = chosen_entry(tracker)
        if entry_id is not None:
            return await asyncio.to_thread(self.knowledge.choose, entry_id, lang=language)
        return await asyncio.to_thread(self.knowledge.decide, tracker.latest_message.get("text") or "", lang=language)

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, decision: Decision) -> list[dict[str, Any]]:
        """The top hit's answer with its source; the caller has checked that the decision is to answer."""
        best = decision.hits[0]
        if best.cross_lingual:  # the shop wrote this entry in other languages only: say so before showing it as written
            customer = conversation_language(tracker)
            adverb = LANGUAGE_ADVERBS.get(customer, LANGUAGE_ADVERBS["en"]).get(best.language, best.language)
            dispatcher.utter_message(response="utter_answer_in_other_language", answer_language=adverb)
        dispatcher.utter_message(text=best.answer, json_message=BotCustom(source=source_of(best), knowledge=self._record(tracker, decision)).to_json())
        return [SlotSet("failed_answers", None), SlotSet("helped", True)]

    def offer_choices(self, dispatcher: CollectingDispatcher, tracker: Tracker, decision: Decision) -> None:
        """The top hits as buttons titled with each entry's question; each sends the entry's id back (`choice_payload`)."""
        buttons = [{"title": hit.title, "payload": choice_payload(hit.entry_id)} for hit in decision.hits]
        dispatcher.utter_message(response="utter_clarify", buttons=buttons, json_message=BotCustom(knowledge=self._record(tracker, decision)).to_json())

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict[str, Any]]:
        """The whole reply to a question: the answer, the choices, or no answer (a person offered at the second miss)."""
        decision = await self.decide(tracker)
        if decision.action == "answer":
            return self.answer(dispatcher, tracker, decision)
        if decision.action == "clarify":
            self.offer_choices(dispatcher, tracker, decision)
            return []
        record = self._record(tracker, decision)
        if latest_intent(tracker) == "out_of_scope":
            # Not a failure of ours: the back office lists it as out of scope, and no person is pushed on the customer.
            dispatcher.utter_message(response="utter_out_of_scope", json_message=BotCustom(knowledge=replace(record, decision="out_of_scope")).to_json())
            return []
        failures = int(float(tracker.get_slot("failed_answers") or 0)) + 1
        if failures >= 2:  # the second miss in a row: stop guessing and offer a person
            dispatcher.utter_message(response="utter_offer_human_after_failure", json_message=BotCustom(knowledge=record).to_json())
        else:
            dispatcher.utter_message(response="utter_no_answer", json_message=BotCustom(knowledge=record).to_json())
        return [SlotSet("failed_answers", float(failures))]

    @staticmethod
    def _record(tracker: Tracker, decision: Decision) -> DecisionRecord:
        return decision_record(asked(tracker, decision), conversation_language(tracker), decision)

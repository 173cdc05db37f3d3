"""Answers product questions from the knowledge base, citing the entry; admits it when it has no answer."""
from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.language import LANGUAGE_SLOT, message_language
from knowledge import Hit, KnowledgeBase


IN_SCOPE_INTENTS = frozenset({"product_question", "complain"})


def source_of(hit: Hit) -> dict[str, Any]:
    """What the api shows as the answer's source (and the agent sees in the transcript)."""
    return {"id": hit.entry_id, "title": hit.title, "score": round(hit.score, 4), "language": hit.language, "link": hit.link}


class ActionAnswerQuestion(Action):
    """Searches the knowledge base with the customer's own words, in their language.

    `fallback_entries` name an entry to show when the search has no confident answer for a given
    intent: a customer who complains gets the complaint procedure rather than choices or "I don't know".
    """

    def __init__(self, knowledge: KnowledgeBase, *, fallback_entries: dict[str, str] | None = None) -> None:
        self.knowledge = knowledge
        self.fallback_entries = fallback_entries or {}

    def name(self) -> str:
        return "action_answer_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
        query = tracker.latest_message.get("text") or ""
        language = message_language(tracker) or tracker.get_slot(LANGUAGE_SLOT) or "en"
        # Search is CPU work (~20 ms); keep the event loop free for other conversations.
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        # A message the NLU classified as about the shop skips the search's own scope gate.
        decision = await asyncio.to_thread(self.knowledge.decide, query, lang=language, known_in_scope=intent in IN_SCOPE_INTENTS)
        fallback = self.knowledge.entry_hit(self.fallback_entries[intent], lang=language) if intent in self.fallback_entries else None
        if decision.action == "answer" and decision.best is not None:
            dispatcher.utter_message(text=decision.best.answer, json_message={"source": source_of(decision.best)})
        elif fallback is not None:  # e.g. an unsure match to a complaint: the complaint procedure, not a quiz
            dispatcher.utter_message(text=fallback.answer, json_message={"source": source_of(fallback)})
        elif decision.action == "clarify":
            # Each button sends the entry's own question back, which then matches it squarely.
            buttons = [{"title": hit.title, "payload": hit.title} for hit in decision.hits]
            dispatcher.utter_message(response="utter_clarify", buttons=buttons)
        else:
            dispatcher.utter_message(response="utter_no_answer")
        return []

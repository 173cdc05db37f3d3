"""Answers product questions from the knowledge base, citing the entry; admits it when it has no answer."""
from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.language import LANGUAGE_SLOT, message_language
from knowledge import Hit, KnowledgeBase


def source_of(hit: Hit) -> dict[str, Any]:
    """What the api shows as the answer's source (and the agent sees in the transcript)."""
    return {"id": hit.entry_id, "title": hit.title, "score": round(hit.score, 4), "language": hit.language, "link": hit.link}


class ActionAnswerQuestion(Action):
    """Searches the knowledge base with the customer's own words, in their language."""

    def __init__(self, knowledge: KnowledgeBase) -> None:
        self.knowledge = knowledge

    def name(self) -> str:
        return "action_answer_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
        query = tracker.latest_message.get("text") or ""
        language = message_language(tracker) or tracker.get_slot(LANGUAGE_SLOT) or "en"
        # Search is CPU work (~20 ms); keep the event loop free for other conversations.
        decision = await asyncio.to_thread(self.knowledge.decide, query, lang=language)
        if decision.action == "answer" and decision.best is not None:
            dispatcher.utter_message(text=decision.best.answer, json_message={"source": source_of(decision.best)})
        elif decision.action == "clarify":
            # Each button sends the entry's own question back, which then matches it squarely.
            buttons = [{"title": hit.title, "payload": hit.title} for hit in decision.hits]
            dispatcher.utter_message(response="utter_clarify", buttons=buttons)
        else:
            dispatcher.utter_message(response="utter_no_answer")
        return []

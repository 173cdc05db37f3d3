"""Answers product questions from the knowledge base, citing the entry; admits it when it has no answer."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import Answers


class ActionAnswerQuestion(Action):
    """A question about the shop, or a pressed choice: answered through the shared `Answers` (actions/answers.py)."""

    def __init__(self, answers: Answers) -> None:
        self.answers = answers

    def name(self) -> str:
        return "action_answer_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
        return await self.answers.respond(dispatcher, tracker)

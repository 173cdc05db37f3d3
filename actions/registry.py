"""The one place that knows which actions exist and what each needs."""
from __future__ import annotations

from rasa_sdk.executor import ActionExecutor

from actions.knowledge_answer import ActionAnswerQuestion
from actions.language import ActionSetLanguage
from knowledge import KnowledgeBase


def build_executor(knowledge: KnowledgeBase, *, fallback_entries: dict[str, str] | None = None) -> ActionExecutor:
    """An executor with every action registered as an instance holding its dependencies."""
    executor = ActionExecutor()
    for action in (ActionSetLanguage(), ActionAnswerQuestion(knowledge, fallback_entries=fallback_entries)):
        executor.register_action(action)
    return executor

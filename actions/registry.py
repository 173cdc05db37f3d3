"""The one place that knows which actions exist and what each needs."""
from __future__ import annotations

from rasa_sdk.executor import ActionExecutor

from actions.answers import Answers
from actions.complaint import (
    ActionAcknowledgeComplaint,
    ActionAskComplaintConfirmed,
    ActionCancelComplaint,
    ActionSubmitComplaint,
    ValidateComplaintForm,
)
from actions.desk import Desk
from actions.greeting import ActionGreet
from actions.handoff import ActionHandoff
from actions.knowledge_answer import ActionAnswerQuestion
from actions.rating import ActionAskRating, ActionStoreRating, ActionStoreRatingComment
from knowledge import KnowledgeBase


def build_executor(knowledge: KnowledgeBase, desk: Desk) -> ActionExecutor:
    """An executor with every action registered as an instance holding its dependencies."""
    executor = ActionExecutor()
    answers = Answers(knowledge)  # one answering service: no action runs another
    actions = (
        ActionGreet(),
        ActionAnswerQuestion(answers),
        ActionAcknowledgeComplaint(desk, answers), ValidateComplaintForm(answers), ActionAskComplaintConfirmed(),
        ActionSubmitComplaint(desk), ActionCancelComplaint(),
        ActionHandoff(desk),
        ActionAskRating(), ActionStoreRating(desk), ActionStoreRatingComment(desk),
    )
    for action in actions:
        executor.register_action(action)
    return executor

"""Handing a conversation to a person: the note the agent reads first, then the bot steps aside.

The api owns what happens next (queue, agent console); the bot only marks the conversation and pauses.
"""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused, FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.desk import Desk
from actions.metadata import ANGER_SLOT, conversation_language

# Intents that carry no question of their own: the note shows the customer's last real question instead.
_SMALL_TALK = frozenset({"greet", "goodbye", "thank", "affirm", "deny", "bot_challenge", "apologize", "request_human",
                         "back_to_bot", "stop", "inform", "rate", "complaint_edit"})
_FORM_SLOTS = ("complaint_order", "complaint_problem", "complaint_resolution", "claim_number")


def handoff_summary(tracker: Tracker) -> dict[str, Any]:
    """Language, intents in order, what the forms collected, the sources the bot cited, the last question."""
    intents: list[str] = []
    sources: list[dict[str, Any]] = []
    last_question = None
    for event in tracker.events:
        if event.get("event") == "user":
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            if intent:
                intents.append(intent)
            text = event.get("text") or ""
            if intent not in _SMALL_TALK and text and not text.startswith("/"):
                last_question = text
        elif event.get("event") == "bot":
            source = ((event.get("data") or {}).get("custom") or {}).get("source")
            if source and source.get("id") not in {s.get("id") for s in sources}:
                sources.append({"id": source.get("id"), "title": source.get("title")})
    collected = {slot: tracker.get_slot(slot) for slot in _FORM_SLOTS if tracker.get_slot(slot)}
    return {
        "language": conversation_language(tracker),
        "intents": intents,
        "collected": collected,
        "sources": sources,
        "last_question": last_question,
        "angry_messages": int(float(tracker.get_slot(ANGER_SLOT) or 0)),
    }


async def hand_over(desk: Desk, dispatcher: CollectingDispatcher, tracker: Tracker, *, reason: str) -> list[dict[str, Any]]:
    """Ask for a person with the note they read first, and tell the customer the truth.

    Queued: a colleague comes, and the bot pauses. Nobody online: the customer is asked for an e-mail address (the api
    files the ticket from their next message) and the bot stays, answering what it can; the turn ends here, so an
    angry complaint does not go on into the claim form.
    """
    receipt = await desk.request_handoff(tracker.sender_id, reason, handoff_summary(tracker))
    if receipt.queued:
        dispatcher.utter_message(response="utter_handoff")
        return [ConversationPaused()]
    dispatcher.utter_message(response="utter_handoff_offline", reply_hours=receipt.reply_hours)
    return [FollowupAction("action_listen")]


def handoff_reason(tracker: Tracker) -> str:
    """Why the customer gets a person: asked after the bot failed, angry, about a claim, or simply asked."""
    if float(tracker.get_slot(ANGER_SLOT) or 0) >= 2:
        return "angry"
    if tracker.get_slot("failed_answers"):
        return "bot_failed"
    if tracker.get_slot("complaint_problem") or tracker.get_slot("claim_number"):
        return "complaint"
    return "requested"


class ActionHandoff(Action):
    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    def name(self) -> str:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
        return await hand_over(self.desk, dispatcher, tracker, reason=handoff_reason(tracker))

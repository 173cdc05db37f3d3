"""Handing a conversation to a person: the note the agent reads first, then the bot steps aside.

The api owns what happens next (queue, agent console); the bot only marks the conversation and pauses.
"""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused, FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.anger import angry_messages
from actions.answers import QUESTION_INTENTS
from actions.contact_details import find_email, find_order_number
from actions.desk import Desk
from actions.metadata import conversation_language
from contracts.payloads import BotCustom

# Intents that carry no question of their own: the note quotes the customer's other messages.
_SMALL_TALK = frozenset({"greet", "goodbye", "thank", "affirm", "deny", "bot_challenge", "apologize", "request_human",
                         "back_to_bot", "stop", "inform", "rate", "complaint_edit"})
_FORM_SLOTS = ("complaint_order", "complaint_problem", "complaint_resolution", "claim_number")
_WANTS = 3  # the customer's latest questions quoted in the note: enough to see what they are after, short enough to read


def _picked(buttons: list[dict[str, Any]], text: str) -> str | None:
    """The title of the button the customer pressed (a button sends its payload as the text), None if they wrote instead."""
    return next((b.get("title") for b in buttons if text in (b.get("payload"), b.get("title"))), None)


def handoff_summary(tracker: Tracker) -> dict[str, Any]:
    """The note an agent reads before taking the chat, in the agent's terms rather than the bot's: what the customer
    wants in their own words, the order number and e-mail address they gave, the choices the bot offered and which one
    they picked, and which entries the bot answered from. `last_question` becomes a ticket's problem."""
    wants: list[str] = []
    order_number = email = None
    choices: list[dict[str, Any]] = []
    offered: list[dict[str, Any]] = []  # buttons the bot showed last, until the customer's next message
    answers: list[dict[str, Any]] = []
    question = None  # the customer's message the bot is answering
    for event in tracker.events:
        if event.get("event") == "user":
            text = event.get("text") or ""
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            pressed = _picked(offered, text) if offered else None
            if offered:  # the message right after a choice: a pressed button, or words of their own
                choices.append({"offered": [b.get("title") for b in offered], "picked": pressed})
                offered = []
            if text.startswith("/"):
                if pressed is not None and intent in QUESTION_INTENTS:  # a pressed choice: it asked the entry's question
                    question = pressed
                continue
            question = text
            order_number = find_order_number(text) or order_number
            email = find_email(text) or email
            if pressed is None and intent not in _SMALL_TALK and text not in wants:  # a button's title is not their words
                wants.append(text)
        elif event.get("event") == "bot":
            data = event.get("data") or {}
            source = BotCustom.from_json(data.get("custom")).source
            if source:
                answers.append({"question": question, "entry": source.title, "id": source.id})
            offered = data.get("buttons") or offered
    collected = {slot: tracker.get_slot(slot) for slot in _FORM_SLOTS if tracker.get_slot(slot)}
    return {
        "language": conversation_language(tracker),
        "wants": wants[-_WANTS:],
        "last_question": wants[-1] if wants else None,
        "order_number": collected.get("complaint_order") or order_number,
        "email": email,
        "choices": choices + ([{"offered": [b.get("title") for b in offered], "picked": None}] if offered else []),
        "answers": answers,
        "collected": collected,
        "angry_messages": angry_messages(tracker, conversation_language(tracker)),
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
    if angry_messages(tracker, conversation_language(tracker)) >= 2:
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

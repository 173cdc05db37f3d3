"""Complaints: acknowledge in the customer's own words, collect the claim in a form, file it as a ticket.

Many complaints are problems the FAQ already solves (a parcel that is late, a double charge): when the
knowledge base answers one confidently and the customer did not ask for a claim, the answer comes first
and a claim is offered with one button. The form asks only for what is missing (an order number in the
first message is kept), validates each answer, lets the customer change any field at the confirmation
step, and can be cancelled at any time. An angry complaint skips both: a person takes it over at once.
"""
from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.anger import angry_messages, is_angry
from actions.answers import QUESTION_INTENTS, Answers, latest_intent
from actions.contact_details import find_order_number
from actions.dates import format_date
from actions.desk import Claim, Desk
from actions.handoff import hand_over
from actions.metadata import conversation_language
from actions.responses import response_text
from contracts.payloads import BotCustom
from knowledge.lexical import fold

COMPLAINT_SLOTS = ("complaint_order", "complaint_problem", "complaint_resolution", "complaint_confirmed")
RESOLUTIONS = ("repair", "replacement", "refund")
# Accent-folded word starts that name each remedy in cs, pl, lv and en.
_RESOLUTION_WORDS = {
    "repair": ("repair", "fix", "oprav", "napraw", "remont", "salab", "labo"),
    "replacement": ("replac", "exchang", "swap", "new one", "vymen", "novy kus", "wymian", "nowy", "nowa", "apmain",
                    "nomain", "jaun"),
    "refund": ("refund", "money", "penez", "penize", "vraceni", "vratit", "zwrot", "pienia", "pienie", "naud", "atmaks"),
}
# Accent-folded word starts by which a customer asks for a claim itself (reklamace, reklamovat, reklamacja, pretenzija,
# sūdzība, complaint, claim), in any of our languages; not "reklam" alone, which starts advertising (reklamní).
_CLAIM_WORDS = ("reklamac", "reklamov", "reklamow", "reklamuj", "zareklam", "stiznost", "stezov", "stezuj", "skarg", "pretenzij",
                "sudzib", "sudzet", "sudzej", "complain", "claim")
_QUOTE_CHARS = 160


def asks_for_a_claim(text: str) -> bool:
    """True when the customer wants a claim filed rather than an answer: an order number, or a claim asked for.

    "I want to file a claim" is a request; "how long does a claim take?" is a question the FAQ answers.
    """
    if find_order_number(text) is not None:
        return True
    return "?" not in text and any(re.search(rf"\b{stem}", fold(text)) for stem in _CLAIM_WORDS)


def find_resolution(text: str) -> str | None:
    """The one remedy the text names, or None when it names none or several."""
    folded = fold(text)
    named = [r for r, words in _RESOLUTION_WORDS.items() if any(re.search(rf"\b{re.escape(w)}", folded) for w in words)]
    return named[0] if len(named) == 1 else None


def quote(text: str) -> str:
    """The customer's words, shortened for reflecting them back in one line."""
    text = " ".join(text.split())
    return text if len(text) <= _QUOTE_CHARS else text[: _QUOTE_CHARS - 1].rsplit(" ", 1)[0] + "…"


class ActionAcknowledgeComplaint(Action):
    """Reflects the complaint back, thanks and apologises, then answers it from the FAQ or starts a fresh claim.

    An angry customer is handed over instead. A complaint that does not ask for a claim is searched: a confident
    answer is given, a close call offers the entries it may be about; then the claim is offered with one button.
    `claim_offered` tells the rules which way it went: offered after the FAQ spoke, or the claim form straight away.
    """

    def __init__(self, desk: Desk, answers: Answers) -> None:
        self.desk = desk
        self.answers = answers

    def name(self) -> str:
        return "action_acknowledge_complaint"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
        text = tracker.latest_message.get("text") or ""
        language = conversation_language(tracker)
        angry = is_angry(text, language) or angry_messages(tracker, language) >= 2
        if angry:
            dispatcher.utter_message(response="utter_angry_ack")
            return await hand_over(self.desk, dispatcher, tracker, reason="angry")
        # The first message already says what happened (and maybe which order): the form won't ask again.
        fresh_claim = [SlotSet(slot, None) for slot in COMPLAINT_SLOTS] + [
            SlotSet("complaint_problem", quote(text)),
            SlotSet("complaint_order", find_order_number(text)),
        ]
        decision = None if asks_for_a_claim(text) else await self.answers.decide(tracker)
        dispatcher.utter_message(response="utter_complaint_ack", problem=quote(text))
        if decision is not None and decision.action == "answer":
            answered = self.answers.answer(dispatcher, tracker, decision)
            return fresh_claim + answered + [SlotSet("claim_offered", True)]
        if decision is not None and decision.action == "clarify":
            # Likely an information question phrased as a complaint ("two holds on my card for one order"): the
            # entries it may be about come first, the claim stays one button away.
            self.answers.offer_choices(dispatcher, tracker, decision)
            return fresh_claim + [SlotSet("claim_offered", True)]
        return fresh_claim + [SlotSet("claim_offered", False)]


class ValidateComplaintForm(FormValidationAction):
    """Checks each answer; the confirmation step also takes 'change X' and routes it back to that question.

    A question asked instead of an order number or a remedy ("who pays the return postage?") is answered
    from the knowledge base, and the form then asks again: customers digress, and the claim must survive it.
    """

    def __init__(self, answers: Answers) -> None:
        self.answers = answers

    def name(self) -> str:
        return "validate_complaint_form"

    async def _answered_a_question(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
        """Answers the latest message when it is a question (the slot's events are the form's to set, so none are kept)."""
        if latest_intent(tracker) not in QUESTION_INTENTS:
            return False
        await self.answers.respond(dispatcher, tracker)
        return True

    async def validate_complaint_order(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                       domain: dict[str, Any]) -> dict[str, Any]:
        number = find_order_number(str(value or ""))
        if number is None and not await self._answered_a_question(dispatcher, tracker):
            dispatcher.utter_message(response="utter_invalid_order_number", value=quote(str(value or "")))
        return {"complaint_order": number}

    def validate_complaint_problem(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> dict[str, Any]:
        text = " ".join(str(value or "").split())
        if len(text) < 8 or text.startswith("/"):
            dispatcher.utter_message(response="utter_invalid_complaint_problem")
            return {"complaint_problem": None}
        return {"complaint_problem": quote(text)}

    async def validate_complaint_resolution(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                            domain: dict[str, Any]) -> dict[str, Any]:
        chosen = next(iter(tracker.get_latest_entity_values("complaint_resolution")), None)
        resolution = chosen if chosen in RESOLUTIONS else find_resolution(str(value or ""))
        if resolution is None and not await self._answered_a_question(dispatcher, tracker):
            dispatcher.utter_message(response="utter_invalid_complaint_resolution")
        return {"complaint_resolution": resolution}

    def validate_complaint_confirmed(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> dict[str, Any]:
        intent = latest_intent(tracker)
        if intent == "affirm":
            return {"complaint_confirmed": "yes"}
        field = next(iter(tracker.get_latest_entity_values("complaint_field")), None)
        if intent == "complaint_edit" and field in COMPLAINT_SLOTS[:3]:
            return {field: None, "complaint_confirmed": None}
        # A typed correction ("the order is 45678") is taken as it is; anything else asks again.
        number = find_order_number(str(value or ""))
        if number and number != tracker.get_slot("complaint_order"):
            return {"complaint_order": number, "complaint_confirmed": None}
        resolution = find_resolution(str(value or ""))
        if resolution and resolution != tracker.get_slot("complaint_resolution"):
            return {"complaint_resolution": resolution, "complaint_confirmed": None}
        return {"complaint_confirmed": None}


class ActionAskComplaintConfirmed(Action):
    """Reads the claim back before filing it, with buttons to file, change a field, or cancel."""

    def name(self) -> str:
        return "action_ask_complaint_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
        language = conversation_language(tracker)
        resolution = tracker.get_slot("complaint_resolution")
        dispatcher.utter_message(
            response="utter_ask_complaint_confirmed",
            order=tracker.get_slot("complaint_order"),
            problem=tracker.get_slot("complaint_problem"),
            resolution=response_text(domain, f"utter_resolution_{resolution}", language) if resolution else "",
        )
        return []


class ActionSubmitComplaint(Action):
    """Files the claim and tells the customer its number and the deadlines we keep."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    def name(self) -> str:
        return "action_submit_complaint"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
        language = conversation_language(tracker)
        claim = Claim(order_number=tracker.get_slot("complaint_order"), problem=tracker.get_slot("complaint_problem"),
                      resolution=tracker.get_slot("complaint_resolution"), language=language)
        receipt = await self.desk.file_claim(tracker.sender_id, claim)
        ticket = {"number": receipt.number, "resolve_by": receipt.resolve_by.isoformat()}  # the widget shows it beside the text
        dispatcher.utter_message(response="utter_complaint_filed", ticket=receipt.number, first_reply_days=receipt.first_reply_days,
                                 deadline=format_date(receipt.resolve_by, language), json_message=BotCustom(data={"ticket": ticket}).to_json())
        return [SlotSet("claim_number", receipt.number), SlotSet("complaint_confirmed", None), SlotSet("helped", True)]


class ActionCancelComplaint(Action):
    """The customer stopped the claim: nothing is filed, and a person is offered."""

    def name(self) -> str:
        return "action_cancel_complaint"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
        dispatcher.utter_message(response="utter_complaint_cancelled")
        return [SlotSet(slot, None) for slot in COMPLAINT_SLOTS] + [SlotSet("requested_slot", None)]

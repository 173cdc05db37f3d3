"""The handoff action tells the truth: a colleague comes (the bot pauses), or nobody is online and the customer is asked
for an e-mail address (the bot stays), with the real CollectingDispatcher and the real domain's responses."""
from __future__ import annotations

import asyncio
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import choice_payload
from actions.desk import Claim, ClaimReceipt, HandoffReceipt
from actions.handoff import ActionHandoff, handoff_reason, handoff_summary
from api.settings import ROOT

DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


class DeskAnswering:
    """A desk whose handoffs go where it is told: the queue, or (nobody online) the customer's e-mail address."""

    def __init__(self, receipt: HandoffReceipt) -> None:
        self.receipt = receipt
        self.requests: list[tuple[str, str]] = []

    async def request_handoff(self, conversation_id: str, reason: str, summary: dict[str, Any]) -> HandoffReceipt:
        self.requests.append((conversation_id, reason))
        return self.receipt

    async def file_claim(self, conversation_id: str, claim: Claim) -> ClaimReceipt:
        raise AssertionError("no claim here")

    async def rate(self, conversation_id: str, score: int) -> None:
        raise AssertionError("no rating here")

    async def comment_rating(self, conversation_id: str, comment: str) -> None:
        raise AssertionError("no rating here")


def asked_for_a_person(language: str) -> Tracker:
    message = {"text": "Chci mluvit s člověkem", "intent": {"name": "request_human"}, "metadata": {"language": language}}
    return Tracker("c1", {"language": language}, message, [{"event": "user", **message, "parse_data": message}], False, None, {}, "action_listen")


@pytest.mark.parametrize(("receipt", "response", "events"), [
    (HandoffReceipt(queued=True, reply_hours=24), "utter_handoff", [{"event": "pause", "timestamp": None}]),
    (HandoffReceipt(queued=False, reply_hours=8), "utter_handoff_offline",
     [{"event": "followup", "timestamp": None, "name": "action_listen"}]),  # the bot stays, the turn ends
], ids=["queued", "nobody-online"])
def test_the_customer_hears_where_the_request_went(receipt: HandoffReceipt, response: str, events: list[dict[str, Any]]) -> None:
    desk = DeskAnswering(receipt)
    dispatcher = CollectingDispatcher()
    returned = asyncio.run(ActionHandoff(desk).run(dispatcher, asked_for_a_person("cs"), DOMAIN))
    assert returned == events and desk.requests == [("c1", "requested")]
    [said] = dispatcher.messages
    assert said["response"] == response
    if not receipt.queued:
        assert said["reply_hours"] == 8  # the promised reply time fills {reply_hours} in every language
        assert all("{reply_hours}" in variant["text"] for variant in DOMAIN["responses"][response])
        assert {c["value"] for variant in DOMAIN["responses"][response] for c in variant.get("condition", [])} == {"cs", "pl", "lv", "en"}


def _user(text: str, intent: str) -> dict[str, Any]:
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}, "metadata": {"language": "cs"}}}


def _bot(text: str, **data: Any) -> dict[str, Any]:
    return {"event": "bot", "text": text, "data": data}


def test_the_note_tells_the_agent_what_the_customer_wants_in_their_words() -> None:
    """Not "Intents: nlu_fallback → request_human": the customer's questions, the order and address they gave, the choices
    the bot offered and the one picked, and which entry answered which question."""
    events = [
        _user("Dobrý den", "greet"),
        _bot("Dobrý den!"),
        _user("Kolik stojí doprava na Slovensko?", "product_question"),
        _bot("Doprava na Slovensko stojí 5 €.", custom={"source": {"id": "delivery-sk", "title": "Doprava na Slovensko"}}),
        _user("a jak to je s vracením", "product_question"),
        _bot("Myslíte jedno z tohle?", buttons=[{"title": "Vrácení zboží do 14 dnů", "payload": choice_payload("returns")},
                                                 {"title": "Reklamace", "payload": choice_payload("claims")}]),
        _user(choice_payload("returns"), "product_question"),  # pressed
        _bot("Zboží můžete vrátit do 14 dnů.", custom={"source": {"id": "returns", "title": "Vrácení zboží"}}),
        _user("Objednávka 45120 mi pořád nepřišla, jsem jana.kralova@example.com", "nlu_fallback"),
        _user("chci mluvit s člověkem", "request_human"),
    ]
    tracker = Tracker("c1", {"language": "cs"}, events[-1]["parse_data"] | {"text": events[-1]["text"]}, events, False, None, {}, "action_listen")
    note = handoff_summary(tracker)
    assert note["wants"] == ["Kolik stojí doprava na Slovensko?", "a jak to je s vracením",
                             "Objednávka 45120 mi pořád nepřišla, jsem jana.kralova@example.com"]  # not the greeting, not the button
    assert note["last_question"] == "Objednávka 45120 mi pořád nepřišla, jsem jana.kralova@example.com"  # a ticket's problem
    assert note["order_number"] == "45120" and note["email"] == "jana.kralova@example.com"
    assert note["choices"] == [{"offered": ["Vrácení zboží do 14 dnů", "Reklamace"], "picked": "Vrácení zboží do 14 dnů"}]
    assert note["answers"] == [{"question": "Kolik stojí doprava na Slovensko?", "entry": "Doprava na Slovensko", "id": "delivery-sk"},
                               {"question": "Vrácení zboží do 14 dnů", "entry": "Vrácení zboží", "id": "returns"}]
    assert "intents" not in note  # the bot's vocabulary stays out of the agent's note


def test_a_choice_the_customer_wrote_past_is_shown_with_nothing_picked() -> None:
    events = [_user("reklamace", "product_question"),
              _bot("Myslíte?", buttons=[{"title": "Reklamace", "payload": choice_payload("claims")},
                                        {"title": "Vrácení", "payload": choice_payload("returns")}]),
              _user("ne, chci člověka", "request_human")]
    tracker = Tracker("c1", {"language": "cs"}, events[-1]["parse_data"] | {"text": events[-1]["text"]}, events, False, None, {}, "action_listen")
    assert handoff_summary(tracker)["choices"] == [{"offered": ["Reklamace", "Vrácení"], "picked": None}]


def test_the_second_angry_message_makes_the_reason_angry_counted_from_the_conversation() -> None:
    """Anger is counted from the conversation's own messages, each judged in its language (no slot, so no action call
    after every message); a button's payload is never angry, a calm message does not count."""
    def said(text: str, language: str) -> dict[str, Any]:
        return {"event": "user", "text": text, "metadata": {"language": language}, "parse_data": {"intent": {"name": "complain"}}}

    events = [said("To je nehorázné, kde je můj balík", "cs"), said("/deny", "cs"), said("Paczka nie przyszła", "pl")]
    tracker = Tracker("c1", {"language": "pl"}, events[-1] | {"intent": {"name": "complain"}}, events, False, None, {}, "action_listen")
    assert handoff_reason(tracker) == "requested" and handoff_summary(tracker)["angry_messages"] == 1
    events.append(said("To skandal, oszukaliście mnie", "pl"))
    tracker = Tracker("c1", {"language": "pl"}, events[-1] | {"intent": {"name": "complain"}}, events, False, None, {}, "action_listen")
    assert handoff_reason(tracker) == "angry" and handoff_summary(tracker)["angry_messages"] == 2

"""The handoff action tells the truth: a colleague comes (the bot pauses), or nobody is online and the customer is asked
for an e-mail address (the bot stays), with the real CollectingDispatcher and the real domain's responses."""
from __future__ import annotations

import asyncio
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.desk import Claim, ClaimReceipt, HandoffReceipt
from actions.handoff import ActionHandoff
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

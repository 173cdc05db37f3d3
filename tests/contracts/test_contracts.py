"""The contracts of the Rasa round trip (contracts/): what a writer builds reads back the same, rows older code stored
still load, and a decision outside the contract is refused, not passed on to the back office."""
from __future__ import annotations

import json
import logging

import pytest

from bot.message_metadata import metadata_entities
from contracts.decisions import DecisionRecord, Source, decision_action
from contracts.json_values import ContractError
from contracts.metadata import MessageMetadata
from contracts.payloads import AttachmentRef, BotCustom, BotPayload, CustomerPayload

RECORD = DecisionRecord(query="Kolik stojí doprava?", decision="clarify", language="cs", entries=("delivery-cost", "payment-methods"),
                        margin=0.0123, score=0.91)
SOURCE = Source("delivery-cost", "Kolik stojí doprava?", 0.91, "cs", "https://shop.example/doprava")


def through_json(value: object) -> object:
    """As the database's JSON column and Rasa's REST body carry it."""
    return json.loads(json.dumps(value))


def test_what_the_bot_sends_and_stores_reads_back_the_same() -> None:
    custom = BotCustom(source=SOURCE, knowledge=RECORD, data={"ticket": {"number": "R-1", "resolve_by": "2026-12-30"}})
    assert BotCustom.from_json(through_json(custom.to_json())) == custom
    payload = BotPayload(source=SOURCE, buttons=[{"title": "A", "payload": "/a"}], data={"ticket": {"number": "R-1"}}, knowledge=RECORD)
    assert BotPayload.from_json(through_json(payload.to_json())) == payload
    customer = CustomerPayload(button='/product_question{"knowledge_entry": "delivery-cost"}', client_id="c-1",
                               attachment=AttachmentRef("a1", "photo.jpg", "image/jpeg", 1234))
    assert CustomerPayload.from_json(through_json(customer.to_json())) == customer


def test_the_stored_keys_are_the_ones_older_code_wrote() -> None:
    """Rows written before and after the contracts are read by the same code: the column's shape did not change."""
    assert BotPayload(source=SOURCE, knowledge=RECORD).to_json() == {
        "source": {"id": "delivery-cost", "title": "Kolik stojí doprava?", "score": 0.91, "language": "cs", "link": "https://shop.example/doprava"},
        "knowledge": {"query": "Kolik stojí doprava?", "language": "cs", "decision": "clarify", "entries": ["delivery-cost", "payment-methods"],
                      "margin": 0.0123, "score": 0.91}}
    assert BotPayload(data={"rate_handoff": 3}).to_json() == {"custom": {"rate_handoff": 3}}
    assert BotPayload().to_json() is None and CustomerPayload().to_json() is None  # a plain text stores no payload
    assert CustomerPayload(client_id="c-1").to_json() == {"client_id": "c-1"}


def test_old_and_odd_rows_still_load() -> None:
    # a source without score, language and link; a decision without language, entries or margin (the first records)
    old = BotPayload.from_json({"source": {"id": "delivery-cost", "title": "Kolik stojí doprava?"},
                                "knowledge": {"query": "doprava?", "decision": "out_of_scope"}, "custom": {"ticket": "R-1"}})
    assert old.source == Source("delivery-cost", "Kolik stojí doprava?")
    assert old.knowledge == DecisionRecord(query="doprava?", decision="out_of_scope")
    assert old.data == {"ticket": "R-1"}
    # no decision at all was read as "no answer" by the back office; a pressed choice whose entry is gone asked nothing
    assert BotPayload.from_json({"knowledge": {"query": "x"}}).knowledge == DecisionRecord(query="x", decision="no_answer")
    assert BotPayload.from_json({"knowledge": {"decision": "no_answer", "query": None}}).knowledge == DecisionRecord(query="", decision="no_answer")
    # wrong types count as absent, a customer's payload read as a bot's (and back) is empty
    odd = BotPayload.from_json({"source": "delivery-cost", "buttons": "A", "custom": [1], "knowledge": {"decision": "answer", "margin": "high",
                                                                                                          "entries": "x", "language": "Czech"}})
    assert odd == BotPayload(knowledge=DecisionRecord(query="", decision="answer"))
    assert BotPayload.from_json({"button": "/greet", "client_id": "c-1"}) == BotPayload()
    assert CustomerPayload.from_json({"source": {"id": "x", "title": "y"}, "attachment": {"id": "a1"}}) == CustomerPayload()
    nothings: tuple[object, ...] = (None, [], "text", 3)
    for nothing in nothings:
        assert BotPayload.from_json(nothing) == BotPayload() and CustomerPayload.from_json(nothing) == CustomerPayload()


def test_a_decision_outside_the_contract_is_refused(caplog: pytest.LogCaptureFixture) -> None:
    with pytest.raises(ContractError, match="'maybe' is none of answer, clarify, no_answer, out_of_scope"):
        DecisionRecord.from_json({"query": "x", "decision": "maybe"})
    with pytest.raises(ContractError):
        decision_action(None)
    # a stored row or a bot message with one keeps everything else, and says what it left out
    with caplog.at_level(logging.WARNING, logger="contracts.payloads"):
        payload = BotPayload.from_json({"source": SOURCE.to_json(), "knowledge": {"query": "x", "decision": "maybe"}})
        custom = BotCustom.from_json({"knowledge": {"query": "x", "decision": "maybe"}, "ticket": "R-1"})
    assert payload == BotPayload(source=SOURCE) and custom == BotCustom(data={"ticket": "R-1"})
    assert "a search decision left out: decision 'maybe'" in caplog.text


def test_the_metadata_the_api_sends_fills_rasas_slots_and_a_malformed_value_fills_none() -> None:
    """api/chat/conversations.py writes MessageMetadata, bot/message_metadata.py (in Rasa's Python) makes the slots' entities of it."""
    sent = MessageMetadata(language="cs", returning=False, agents_online=True, shop_name="Domovo").to_json()
    assert sent == {"language": "cs", "returning": False, "agents_online": True, "shop_name": "Domovo"}
    assert MessageMetadata.from_json(through_json(sent)) == MessageMetadata("cs", False, True, "Domovo")
    assert {e["entity"]: e["value"] for e in metadata_entities(sent)} == {"language": "cs", "returning_customer": False,
                                                                          "agents_online": True, "shop_name": "Domovo"}
    assert metadata_entities({"language": "Czech", "returning": "yes", "query_vector": {}}) == []
    assert metadata_entities(None) == [] and MessageMetadata.from_json({"language": "sk"}).language == "sk"  # a fifth language

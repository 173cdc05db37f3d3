"""The actions that answer from the knowledge base, run as Rasa's action server runs them: a real `rasa_sdk.Tracker` and
`CollectingDispatcher`, the real search over a small shop's FAQ (tests/fixtures/tea-shop) and the real domain's slots.

The question action answers, offers choices or admits it has no answer; a pressed choice is answered with the entry its
button named; a complaint that is really a question is answered first (the rules then offer the claim with one
button), a claim asked for goes to the form; a question asked inside the form is answered and the form asks again.
"""
from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import CHOSEN_ENTRY, Answers, choice_payload
from actions.complaint import ActionAcknowledgeComplaint, ValidateComplaintForm
from actions.desk import Claim, ClaimReceipt, HandoffReceipt
from actions.knowledge_answer import ActionAnswerQuestion
from knowledge import KnowledgeBase
from tests.tea_shop import ANSWERED, NOT_COVERED

UNSURE = "kde nechat čaj aby nezvětral"  # three storage and freshness entries fit about as well (tests/knowledge/test_calibration.py)


class NoDesk:
    """The desk of a conversation nobody is handed over in and no claim is filed: any call is a wrong turn."""

    async def file_claim(self, conversation_id: str, claim: Claim) -> ClaimReceipt:
        raise AssertionError("no claim is filed here")

    async def request_handoff(self, conversation_id: str, reason: str, summary: dict[str, Any]) -> HandoffReceipt:
        raise AssertionError("nobody is handed over here")

    async def rate(self, conversation_id: str, score: int) -> None:
        raise AssertionError("no rating here")

    async def comment_rating(self, conversation_id: str, comment: str) -> None:
        raise AssertionError("no rating here")


def customer(text: str, *, intent: str = "product_question", language: str = "cs", entities: list[dict[str, Any]] | None = None,
             **slots: Any) -> Tracker:
    """The tracker after the customer's message, as Rasa sends it to the action server (the api's language as metadata)."""
    message = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": entities or [], "metadata": {"language": language}}
    return Tracker("c1", {"language": language, **slots}, message, [{"event": "user", **message, "parse_data": message}], False, None, {},
                   "action_listen")


def parsed(payload: str) -> tuple[str, dict[str, Any]]:
    """A button's `/intent{"entity": "value"}` payload as Rasa reads it, without the NLU: the intent and the entities."""
    intent, entities = payload[1:].split("{", 1)
    return intent, json.loads("{" + entities)


def pressed(payload: str, *, language: str = "cs") -> Tracker:
    """The tracker after a pressed button."""
    intent, values = parsed(payload)
    return customer(payload, intent=intent, language=language, entities=[{"entity": name, "value": value} for name, value in values.items()])


@pytest.fixture
def answers(tea_kb: KnowledgeBase) -> Answers:
    return Answers(tea_kb)


def answer_question(answers: Answers, tracker: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """What the question action says (the dispatcher's messages) and the events it returns."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionAnswerQuestion(answers).run(dispatcher, tracker, {}))
    return dispatcher.messages, events


def slots_set(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


@pytest.mark.parametrize(("question", "lang", "entry"), ANSWERED)
def test_a_question_the_faq_answers_is_answered_with_its_source(answers: Answers, question: str, lang: str, entry: str) -> None:
    messages, events = answer_question(answers, customer(question, language=lang))
    [said] = messages
    assert said["custom"]["source"]["id"] == entry and said["text"] == answers.knowledge.index.entries[entry].texts[lang]["answer"]
    record = said["custom"]["knowledge"]
    assert (record["query"], record["language"], record["decision"], record["entries"][0]) == (question, lang, "answer", entry)
    assert slots_set(events) == {"failed_answers": None, "helped": True}


def test_an_unsure_question_gets_choices_whose_buttons_name_their_entries(answers: Answers) -> None:
    messages, events = answer_question(answers, customer(UNSURE))
    [said] = messages
    assert said["response"] == "utter_clarify" and events == []
    entries = said["custom"]["knowledge"]["entries"]
    assert said["custom"]["knowledge"]["decision"] == "clarify" and "tea-storage" in entries
    titles = [answers.knowledge.index.entries[entry].texts["cs"]["question"] for entry in entries]
    assert said["buttons"] == [{"title": title, "payload": f'/product_question{{"{CHOSEN_ENTRY}": "{entry}"}}'}
                               for title, entry in zip(titles, entries, strict=True)]


def test_a_pressed_choice_is_answered_with_the_entry_its_button_named(answers: Answers) -> None:
    """Every offered entry, not only the one the search would rank first for its title; the record keeps the question
    the button showed, as it did when buttons sent titles."""
    [offered] = answer_question(answers, customer(UNSURE))[0]
    for button in offered["buttons"]:
        messages, events = answer_question(answers, pressed(button["payload"]))
        [said] = messages
        entry = parsed(button["payload"])[1][CHOSEN_ENTRY]
        assert said["custom"]["source"]["id"] == entry and said["custom"]["source"]["title"] == button["title"]
        assert said["custom"]["knowledge"]["query"] == button["title"] and said["custom"]["knowledge"]["decision"] == "answer"
        assert slots_set(events)["helped"] is True


def test_a_choice_whose_entry_was_removed_meanwhile_is_no_answer_not_another_entry(answers: Answers) -> None:
    messages, events = answer_question(answers, pressed(choice_payload("an-entry-deleted-since")))
    [said] = messages
    assert said["response"] == "utter_no_answer" and "source" not in said["custom"]
    assert said["custom"]["knowledge"]["query"] == ""  # not listed among the questions customers asked
    assert slots_set(events) == {"failed_answers": 1.0}


@pytest.mark.parametrize(("question", "lang"), NOT_COVERED[:2])
def test_a_question_the_faq_does_not_cover_is_told_so_and_the_second_miss_offers_a_person(answers: Answers, question: str, lang: str) -> None:
    messages, events = answer_question(answers, customer(question, language=lang))
    assert [m["response"] for m in messages] == ["utter_no_answer"] and slots_set(events) == {"failed_answers": 1.0}
    record = messages[0]["custom"]["knowledge"]
    assert (record["query"], record["language"], record["decision"]) == (question, lang, "no_answer")
    messages, events = answer_question(answers, customer(question, language=lang, failed_answers=1.0))
    assert [m["response"] for m in messages] == ["utter_offer_human_after_failure"] and slots_set(events) == {"failed_answers": 2.0}


def test_out_of_scope_with_no_answer_says_what_the_shop_helps_with_and_counts_no_failure(answers: Answers) -> None:
    messages, events = answer_question(answers, customer(NOT_COVERED[0][0], intent="out_of_scope", language="en"))
    [said] = messages
    assert said["response"] == "utter_out_of_scope" and said["custom"]["knowledge"]["decision"] == "out_of_scope" and events == []


def acknowledge(answers: Answers, tracker: Tracker) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """What the complaint action says and the slots it sets."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionAcknowledgeComplaint(NoDesk(), answers).run(dispatcher, tracker, {}))
    return dispatcher.messages, slots_set(events)


def test_a_question_phrased_as_a_complaint_is_answered_first_with_the_claim_one_button_away(answers: Answers) -> None:
    """`claim_offered` true: the rules then offer the claim (utter_offer_claim) instead of starting the form."""
    text = "I ordered the wrong tea, can I send it back?"
    messages, slots = acknowledge(answers, customer(text, intent="complain", language="en"))
    assert [m["response"] for m in messages] == ["utter_complaint_ack", None]
    assert messages[0]["problem"] == text and messages[1]["custom"]["source"]["id"] == "returns"
    assert slots["claim_offered"] is True and slots["helped"] is True and slots["complaint_problem"] == text


def test_an_unsure_complaint_shows_the_entries_it_may_be_about_as_choices_by_id(answers: Answers) -> None:
    messages, slots = acknowledge(answers, customer(UNSURE, intent="complain"))
    assert [m["response"] for m in messages] == ["utter_complaint_ack", "utter_clarify"] and slots["claim_offered"] is True
    assert all(b["payload"].startswith(f'/product_question{{"{CHOSEN_ENTRY}"') for b in messages[1]["buttons"])


def test_a_claim_asked_for_goes_to_the_form_without_a_search_keeping_the_order_number(answers: Answers) -> None:
    """`claim_offered` false: the rules start the claim form, which will not ask again for the order number given."""
    text = "Chci reklamovat čaj z objednávky 45120, přišel rozsypaný"
    messages, slots = acknowledge(answers, customer(text, intent="complain"))
    assert [m["response"] for m in messages] == ["utter_complaint_ack"]
    assert slots["claim_offered"] is False and slots["complaint_order"] == "45120" and slots["complaint_problem"] == text
    assert "helped" not in slots


def validate_order(answers: Answers, tracker: Tracker) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    value = tracker.latest_message["text"]
    slots = asyncio.run(ValidateComplaintForm(answers).validate_complaint_order(value, dispatcher, tracker, {}))
    return dispatcher.messages, slots


def test_a_question_or_a_pressed_choice_instead_of_an_order_number_is_answered_and_the_form_asks_again(answers: Answers) -> None:
    question, lang, entry = ANSWERED[0]
    for tracker in (customer(question, language=lang, requested_slot="complaint_order"), pressed(choice_payload(entry), language=lang)):
        messages, slots = validate_order(answers, tracker)
        assert [m["custom"]["source"]["id"] for m in messages] == [entry] and slots == {"complaint_order": None}
    messages, slots = validate_order(answers, customer("nevím", intent="nlu_fallback"))
    assert [m["response"] for m in messages] == ["utter_invalid_order_number"] and slots == {"complaint_order": None}

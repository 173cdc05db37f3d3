"""The bot's manners end to end: complaints through the claim form, handoff, ratings, returning customers."""
from __future__ import annotations

import time
from datetime import date, timedelta

import httpx
import pytest
import yaml

from api.settings import ROOT
from knowledge.content import load_content
from runner.processes import Stack
from tests.conftest import Person
from tests.integration.chat import Console, buttons, database_rows, press, responses, said, say, start, texts, wait_for_availability

pytestmark = pytest.mark.integration
NOTICES = yaml.safe_load((ROOT / "api" / "chat" / "system_messages.yml").read_text(encoding="utf-8"))


def test_polish_complaint_goes_through_the_form_with_one_correction_to_a_ticket(client: httpx.Client, stack: Stack) -> None:
    conversation, headers = start(client)
    complaint = "Dostałem uszkodzony czajnik, obudowa jest pęknięta i przecieka. Chcę złożyć reklamację."
    body = say(client, conversation, headers, complaint)
    assert body["language"] == "pl" and body["state"] == "bot"
    assert said(body, "utter_complaint_ack", "pl") and "obudowa jest pęknięta" in texts(body), body  # the customer's words reflected
    assert said(body, "utter_ask_complaint_order", "pl"), body

    body = say(client, conversation, headers, "to jest zamówienie nr 31877")
    assert said(body, "utter_ask_complaint_resolution", "pl"), body
    choices = {b["payload"]: b for b in buttons(body)}
    body = press(client, conversation, headers, choices['/inform{"complaint_resolution":"replacement"}'])
    assert said(body, "utter_ask_complaint_confirmed", "pl") and "31877" in texts(body), body

    edit = next(b for b in buttons(body) if '"complaint_order"' in b["payload"])  # the customer typed the wrong number
    body = press(client, conversation, headers, edit)
    assert said(body, "utter_ask_complaint_order", "pl"), body
    body = say(client, conversation, headers, "31878")
    assert said(body, "utter_ask_complaint_confirmed", "pl") and "31878" in texts(body) and "31877" not in texts(body), body

    body = press(client, conversation, headers, next(b for b in buttons(body) if b["payload"] == "/affirm"))
    assert said(body, "utter_complaint_filed", "pl"), body
    [filed] = [reply for reply in body["replies"] if reply.get("data", {}).get("ticket")]  # the ticket rides with the text that names it
    ticket, due = filed["data"]["ticket"], date.today() + timedelta(days=stack.settings.complaint_resolution_days)
    assert ticket["number"] in filed["text"] and due.strftime("%d.%m.%Y") in filed["text"], body
    # nobody is online in this suite at this point: a person is offered by e-mail, not promised live
    offline = [v["text"] for v in responses()["utter_offer_colleague"] if {"name": "agents_online", "type": "slot", "value": False} in v.get("condition", [])
               and any(c.get("value") == "pl" for c in v["condition"])]
    assert offline and offline[0] in texts(body), body

    rows = database_rows(stack, "select order_number, resolution, problem, due_on, language from tickets where number = ?", ticket["number"])
    assert rows == [("31878", "replacement", complaint, due.isoformat(), "pl")]


def test_a_problem_the_faq_solves_is_answered_first_and_a_claim_is_one_button_away(client: httpx.Client, stack: Stack) -> None:
    conversation, headers = start(client, "lv")
    complaint = "Jūs man divreiz noņēmāt naudu par vienu un to pašu pasūtījumu."
    body = say(client, conversation, headers, complaint)
    assert said(body, "utter_complaint_ack", "lv"), body  # still heard and thanked
    assert [r["source"]["id"] for r in body["replies"] if r.get("source")] == ["payment-double-charge"], body
    assert said(body, "utter_offer_claim", "lv") and not said(body, "utter_ask_complaint_order", "lv"), body

    body = press(client, conversation, headers, next(b for b in buttons(body) if b["payload"] == "/affirm"))
    assert said(body, "utter_ask_complaint_order", "lv"), body  # the claim starts; what happened is not asked again
    body = say(client, conversation, headers, "pasūtījums 52817")
    assert said(body, "utter_ask_complaint_resolution", "lv"), body

    other, headers = start(client, "lv")
    body = say(client, other, headers, complaint)
    body = press(client, other, headers, next(b for b in buttons(body) if b["payload"] == "/deny"))
    assert said(body, "utter_anything_else", "lv") and not said(body, "utter_ask_complaint_order", "lv"), body
    assert database_rows(stack, "select count(*) from tickets where conversation_id in (?, ?)", conversation, other) == [(0,)]


def test_an_information_question_phrased_as_a_complaint_gets_the_entries_first_not_the_claim_form(client: httpx.Client) -> None:
    """The search is not sure which entry it is: the customer sees them, and the claim is still one button away."""
    conversation, headers = start(client, "pl")
    body = say(client, conversation, headers, "Bank trzeci raz odrzucił moją płatność za toster i zamówienie dalej wisi nieopłacone, to jakiś koszmar.")
    assert said(body, "utter_complaint_ack", "pl"), body
    assert not said(body, "utter_ask_complaint_order", "pl"), body  # no claim form for a payment question
    choices = [b for b in buttons(body) if '"knowledge_entry"' in b["payload"]]
    assert choices and said(body, "utter_offer_claim", "pl"), body
    body = press(client, conversation, headers, next(b for b in choices if b["title"] == "Płatność kartą nie przeszła, co robić?"))
    assert [r["source"]["id"] for r in body["replies"] if r.get("source")] == ["payment-failed"], body


@pytest.mark.parametrize(("language", "question"), [("en", "How do I reset my password?"), ("pl", "Jak zresetować hasło?")])
def test_a_plain_password_question_is_answered_in_the_customers_language(client: httpx.Client, language: str, question: str) -> None:
    """Found by trying the product: the NLU took the English one for out of scope (beside an Apple ID example there),
    and the Polish one was answered in Czech ("jak")."""
    conversation, headers = start(client, language)
    body = say(client, conversation, headers, question)
    sources = [r["source"] for r in body["replies"] if r.get("source")]
    assert body["language"] == language and [s["id"] for s in sources] == ["password-reset"], body
    assert sources[0]["language"] == language, body


def test_unrelated_questions_are_declined_honestly_with_a_way_to_a_person_not_a_push(client: httpx.Client) -> None:
    """No dead end (the back office's preview promises a person too), yet nobody is queued unless the customer asks."""
    conversation, headers = start(client, "en")
    for question in ("Who won the football match yesterday?", "Can you recommend a good pizza place nearby?"):
        body = say(client, conversation, headers, question)
        assert said(body, "utter_out_of_scope", "en"), body
        assert not said(body, "utter_offer_human_after_failure", "en") and not any(r.get("source") for r in body["replies"]), body
        assert body["state"] == "bot"
        offered = [b for r in body["replies"] for b in r["buttons"]]
        assert [b["payload"] for b in offered] == ["/request_human"], body
    pressed = press(client, conversation, headers, offered[0])
    assert pressed["state"] == "waiting" or said(pressed, "utter_handoff_offline", "en"), pressed  # queued, or asked for an e-mail


def test_a_question_in_the_middle_of_a_claim_is_answered_and_the_claim_goes_on(client: httpx.Client) -> None:
    conversation, headers = start(client, "cs")
    body = say(client, conversation, headers, "Vysavač RoboClean po dvou týdnech přestal nabíjet, chci to reklamovat.")
    assert said(body, "utter_ask_complaint_order", "cs"), body

    body = say(client, conversation, headers, "A jak dlouho bude trvat vyřízení reklamace?")
    sources = [reply["source"]["id"] for reply in body["replies"] if reply.get("source")]
    offered = [button["title"] for reply in body["replies"] for button in reply["buttons"]]
    procedure = next(e for e in load_content(ROOT / "knowledge").entries if e.id == "complaint-procedure").texts["cs"].question
    assert sources == ["complaint-procedure"] or procedure in offered, body  # answered from the FAQ in Czech, or offered among choices
    assert not said(body, "utter_invalid_order_number", "cs"), body  # not scolded for a missing order number
    assert said(body, "utter_ask_complaint_order", "cs"), body  # and the claim goes on

    body = say(client, conversation, headers, "objednávka 48213")
    assert said(body, "utter_ask_complaint_resolution", "cs"), body


def test_a_claim_can_be_cancelled_and_nothing_is_filed(client: httpx.Client, stack: Stack) -> None:
    conversation, headers = start(client)
    body = say(client, conversation, headers, "Vysavač RoboClean mi po týdnu přestal nabíjet, chci ho reklamovat.")
    assert said(body, "utter_ask_complaint_order", "cs"), body
    body = say(client, conversation, headers, "zrušit, nechci nic podávat")
    assert said(body, "utter_complaint_cancelled", "cs"), body
    assert database_rows(stack, "select count(*) from tickets where conversation_id = ?", conversation) == [(0,)]
    body = say(client, conversation, headers, "Kolik stojí doprava kurýrem?")  # the bot is itself again
    assert [r["source"]["id"] for r in body["replies"] if r.get("source")] == ["delivery-cost"], body


def test_a_latvian_request_for_a_person_ends_in_the_handoff_state(client: httpx.Client, stack: Stack, alice: Console) -> None:
    conversation, headers = start(client)
    say(client, conversation, headers, "Cik maksā piegāde uz pakomātu?")
    body = say(client, conversation, headers, "Vai es varētu runāt ar konsultantu, lūdzu?")
    assert body["state"] == "waiting", body
    assert said(body, "utter_handoff", "lv"), body
    system = [r["text"] for r in body["replies"] if r["sender"] == "system"]
    assert system and system[0].startswith(NOTICES["queued"]["lv"].split("{")[0]), body  # in Latvian: the place in the queue

    heard = say(client, conversation, headers, "Labi, es pagaidīšu")
    assert heard["state"] == "waiting" and [r["sender"] for r in heard["replies"]] == ["system"], heard  # the queue heard it
    assert heard["replies"][0]["text"].startswith(NOTICES["waiting_ack"]["lv"].split("{")[0]), heard
    [(reason, summary)] = database_rows(stack, "select reason, summary from handoffs where conversation_id = ?", conversation)
    note = yaml.safe_load(summary)
    assert reason == "requested"
    assert note["language"] == "lv" and note["wants"][-1] == "Cik maksā piegāde uz pakomātu?"
    assert note["last_question"] == "Cik maksā piegāde uz pakomātu?" and note["answers"][-1]["question"] == note["last_question"], note


def test_an_angry_complaint_goes_straight_to_a_person(client: httpx.Client, stack: Stack, alice: Console) -> None:
    conversation, headers = start(client)
    body = say(client, conversation, headers, "TO JE SKANDÁL, UŽ POTŘETÍ MI POSÍLÁTE ROZBITÝ VYSAVAČ!!!")
    assert body["state"] == "waiting", body
    assert said(body, "utter_angry_ack", "cs"), body
    assert database_rows(stack, "select reason from handoffs where conversation_id = ?", conversation) == [("angry",)]


def test_an_angry_complaint_with_nobody_online_is_told_so_and_not_pushed_into_the_claim_form(client: httpx.Client, stack: Stack) -> None:
    wait_for_availability(client, online=False)
    conversation, headers = start(client)
    body = say(client, conversation, headers, "TO JE SKANDÁL, UŽ POTŘETÍ MI POSÍLÁTE ROZBITÝ VYSAVAČ!!!")
    assert body["state"] == "bot" and said(body, "utter_angry_ack", "cs") and said(body, "utter_handoff_offline", "cs"), body
    assert not said(body, "utter_ask_complaint_order", "cs"), body  # the turn ends with the request for an e-mail
    assert database_rows(stack, "select reason, email_requested_at is not null from handoffs where conversation_id = ?", conversation) == [
        ("angry", 1)]


def test_a_czech_customer_without_diacritics_is_answered_in_czech(client: httpx.Client) -> None:
    conversation, headers = start(client)
    body = say(client, conversation, headers, "kolik stoji doprava kuryrem na slovensko")
    assert body["language"] == "cs", body
    sources = [r["source"] for r in body["replies"] if r.get("source")]
    assert sources and sources[0]["language"] == "cs" and sources[0]["id"].startswith("delivery"), body


def test_a_returning_customer_is_welcomed_back_in_their_language(client: httpx.Client) -> None:
    first, headers = start(client, "lv")
    body = say(client, first, headers, "Labdien!")
    assert said(body, "utter_greet", "lv") and not said(body, "utter_welcome_back", "lv"), body
    second, again = start(client, "lv", visitor_token=headers["X-Visitor"])
    body = say(client, second, again, "Labdien!")
    assert said(body, "utter_welcome_back", "lv"), body


def test_a_helped_customer_is_asked_for_a_rating_which_is_stored(client: httpx.Client, stack: Stack, admin: Person) -> None:
    conversation, headers = start(client)
    say(client, conversation, headers, "How long do I have to return an item?")
    body = say(client, conversation, headers, "thanks, that's all")
    rating_buttons = {b["title"]: b for b in buttons(body)}
    assert said(body, "utter_ask_rating", "en") and set(rating_buttons) == {"1", "2", "3", "4", "5"}, body
    body = press(client, conversation, headers, rating_buttons["4"])
    assert said(body, "utter_ask_rating_comment", "en"), body
    body = say(client, conversation, headers, "The answer could say where to send the parcel")
    assert said(body, "utter_rating_thanks", "en"), body
    assert database_rows(stack, "select score, comment from ratings where conversation_id = ?", conversation) == [
        (4, "The answer could say where to send the parcel")]
    body = say(client, conversation, headers, "thank you")
    assert not said(body, "utter_ask_rating", "en"), body  # asked once per conversation
    token = client.post("/api/agent/login", json={"email": admin.email, "password": admin.password}).json()["token"]
    ratings = client.get("/api/agent/ratings", headers={"Authorization": f"Bearer {token}"}).json()
    assert {"conversation_id": conversation, "score": 4, "comment": "The answer could say where to send the parcel"}.items() <= next(
        r for r in ratings if r["conversation_id"] == conversation).items()  # the agents see it


def test_a_message_sent_while_rasa_is_down_is_answered_when_it_is_back(client: httpx.Client, stack: Stack) -> None:
    conversation, headers = start(client)
    say(client, conversation, headers, "Dobrý den")
    stack.stop_rasa()
    try:
        body = say(client, conversation, headers, "Kolik stojí doprava kurýrem?")
        assert body["pending"] and body["replies"][0]["sender"] == "system", body  # "one moment", in Czech
        assert body["replies"][0]["text"] == yaml.safe_load((ROOT / "api" / "chat" / "system_messages.yml").read_text())["one_moment"]["cs"]
    finally:
        stack.start_rasa()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        messages = client.get(f"/api/conversations/{conversation}/messages", headers=headers).json()["messages"]
        if any(m.get("source") for m in messages):
            break
        time.sleep(1)
    assert [m["source"]["id"] for m in messages if m.get("source")] == ["delivery-cost"], messages
    assert [m["text"] for m in messages if m["sender"] == "customer"] == ["Dobrý den", "Kolik stojí doprava kurýrem?"]  # stored once

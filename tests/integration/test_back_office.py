"""The back office through the real product: what the bot could not answer reaches the editors, grouped, with figures."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import httpx
import pytest

from runner.processes import Stack
from tests.conftest import Person, add_agent
from tests.integration.chat import Console, database_rows, rasa_rows, say, start


@pytest.fixture(scope="module")
def erika(stack: Stack) -> Person:
    return add_agent(stack.settings, "Erika", "editor")


@pytest.fixture
def editor(client: httpx.Client, erika: Person) -> Iterator[Console]:
    console = Console(client, erika.email, erika.password, online=False)
    yield console
    console.close()


def test_questions_the_bot_could_not_answer_reach_the_editors_grouped_and_counted(client: httpx.Client, editor: Console) -> None:
    weather_lv, headers_lv = start(client, "lv")
    say(client, weather_lv, headers_lv, "Kāds būs laiks rīt Rīgā?")
    weather_en, headers_en = start(client, "en")
    say(client, weather_en, headers_en, "What will the weather be like in Riga tomorrow?")
    delivery, headers_cs = start(client, "cs")
    answered = say(client, delivery, headers_cs, "Kolik stojí doprava na výdejní místo?")
    [source] = [r["source"] for r in answered["replies"] if r.get("source")]

    groups = editor.get("/api/back-office/unanswered?days=1")
    assert groups.status_code == 200, groups.text
    page = groups.json()
    assert page["count"] == len(page["data"]) and page["grouped"] == page["questions"] >= 2
    listed = {cid: group for group in page["data"] for cid in group["conversation_ids"]}
    assert weather_lv in listed and weather_en in listed, page
    for conversation, lang in ((weather_lv, "lv"), (weather_en, "en")):
        reasons = listed[conversation]["reasons"]  # out_of_scope from the NLU, or no_answer from the search's own scope gate
        assert reasons.get("out_of_scope", 0) + reasons.get("no_answer", 0) >= 1 and lang in listed[conversation]["languages"]
    assert delivery not in listed  # answered outright, and nobody complained
    first = editor.get("/api/back-office/unanswered?days=1&limit=1").json()
    assert first["data"] == page["data"][:1] and first["count"] == page["count"]
    assert editor.get(f"/api/back-office/unanswered?days=1&offset={page['count']}").json()["data"] == []

    figures = editor.get("/api/back-office/analytics?days=1")
    assert figures.status_code == 200, figures.text
    body = figures.json()
    assert body["total"]["conversations"] >= 3 and body["languages"]["lv"]["questions"] >= 1
    assert source["id"] in [q["entry_id"] for q in body["languages"]["cs"]["top_questions"]]
    assert any(weather_lv in group["conversation_ids"] for group in body["missing_topics"])
    czech = editor.get("/api/back-office/analytics?days=1&language=cs").json()
    assert set(czech["languages"]) == {"cs"} and czech["total"]["conversations"] == body["languages"]["cs"]["conversations"]


def test_agents_cannot_read_the_back_office(client: httpx.Client, stack: Stack) -> None:
    person = add_agent(stack.settings, "Olga")
    agent = Console(client, person.email, person.password, online=False)
    try:
        assert agent.get("/api/back-office/analytics").status_code == 403
        assert agent.get("/api/back-office/unanswered").status_code == 403
    finally:
        agent.close()


def test_an_admin_exports_conversations_and_erases_one_customer_everywhere(client: httpx.Client, stack: Stack, admin: Person) -> None:
    first, headers = start(client, "pl")
    say(client, first, headers, "Jak mogę zapłacić za zamówienie 48213? Jestem Jan Kowalski")
    second, again = start(client, "pl", visitor_token=headers["X-Visitor"])
    say(client, second, again, "Czy paczka do Gdańska dojdzie jutro?")
    other, other_headers = start(client, "pl")
    say(client, other, other_headers, "Ile kosztuje dostawa kurierem?")
    lead = Console(client, admin.email, admin.password, online=False)
    try:
        exported = lead.get("/api/admin/export/messages.csv?days=1&language=pl")
        assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(exported.text)))
        written = "\n".join(row["text"] for row in rows if row["sender"] == "customer")
        assert "Jan Kowalski" in written and "Gdańska" in written and "kurierem" in written
        assert any(row["source_entry"] for row in rows if row["sender"] == "bot")
        counted = lead.get("/api/back-office/analytics?days=1&language=pl").json()["total"]["conversations"]

        erased = lead.client.delete(f"/api/admin/customers/{first}", headers=lead.headers)
        assert erased.status_code == 200, erased.text
        assert set(erased.json()["conversations"]) == {first, second} and erased.json()["messages"] >= 4

        texts_left = lead.get("/api/admin/export/messages.csv?days=1&language=pl").text
        assert "Kowalski" not in texts_left and "Gdańska" not in texts_left and "kurierem" in texts_left  # only that customer
        assert database_rows(stack, "select count(*) from messages where conversation_id in (?, ?)", first, second) == [(0,)]
        assert lead.get("/api/back-office/analytics?days=1&language=pl").json()["total"]["conversations"] == counted  # aggregates stay
    finally:
        lead.close()
    tracker = httpx.get(f"http://127.0.0.1:{stack.settings.rasa_port}/conversations/{first}/tracker",
                        params={"token": stack.settings.rasa_token.get_secret_value()}, timeout=10).json()
    assert not [e for e in tracker["events"] if e.get("event") in ("user", "bot")], "Rasa's tracker store keeps nothing of it"
    assert rasa_rows(stack, "select count(*) from events where sender_id in (?, ?)", first, second) == [(0,)]  # its SQLite file neither
    assert rasa_rows(stack, "select count(*) from events where sender_id = ?", other)[0][0] > 0  # only that customer
    assert lead.client.delete("/api/admin/customers/nonexistent", headers=lead.headers).status_code == 404


"""A customer rates the agent who helped them (#22 item 6): asked when the agent closes the chat or hands it back, stored
once per handoff through the api (the chat may be closed, the bot is not asked), counted per agent in the back office
and the ratings export, and kept through an erasure. The real Rasa, api and database."""
from __future__ import annotations

import csv
import io

import httpx
import yaml

from api.settings import ROOT
from runner.processes import Stack
from tests.conftest import Person, add_agent
from tests.integration.chat import Console, database_rows, say, start
from tests.integration.test_handover import transcript

SYSTEM_TEXTS = yaml.safe_load((ROOT / "api" / "chat" / "system_messages.yml").read_text(encoding="utf-8"))
ASK_FOR_A_PERSON = {"en": "I want to talk to a human, please", "pl": "Chciałbym porozmawiać z konsultantem, proszę.",
                    "lv": "Vai es varētu runāt ar konsultantu, lūdzu?"}


def taken_by(client: httpx.Client, stack: Stack, console: Console, language: str) -> tuple[str, dict[str, str], int]:
    """A chat an agent has taken, and its handoff's id."""
    conversation, headers = start(client, language)
    assert say(client, conversation, headers, ASK_FOR_A_PERSON[language])["state"] == "waiting"
    taken = console.post(f"/api/agent/conversations/{conversation}/take")
    assert taken.status_code == 200, taken.text
    [(handoff,)] = database_rows(stack, "select id from handoffs where conversation_id = ? and ended_at is null", conversation)
    return conversation, headers, handoff


def rating_questions(client: httpx.Client, conversation: str, headers: dict[str, str]) -> list[dict]:
    return [m for m in transcript(client, conversation, headers)["messages"] if m["data"].get("rate_handoff")]


def rate(client: httpx.Client, conversation: str, headers: dict[str, str], handoff: int | str, body: object) -> httpx.Response:
    return client.put(f"/api/conversations/{conversation}/handoffs/{handoff}/rating", json=body, headers=headers)


def test_a_closed_chat_asks_to_rate_the_agent_once_per_handoff_and_refuses_what_is_not_a_rating(client: httpx.Client, stack: Stack) -> None:
    radka = add_agent(stack.settings, "Radka")
    console = Console(client, radka.email, radka.password)
    try:
        conversation, headers, handoff = taken_by(client, stack, console, "en")
        assert rating_questions(client, conversation, headers) == []  # not while the agent is still helping
        early = rate(client, conversation, headers, handoff, {"score": 5})
        assert early.status_code == 409 and "rated once they close the chat" in early.json()["detail"], early.text

        assert console.post(f"/api/agent/conversations/{conversation}/close").status_code == 200
        [question] = rating_questions(client, conversation, headers)
        assert question["text"] == SYSTEM_TEXTS["rate_agent"]["en"].format(agent="Radka")  # "How did Radka help you? …"
        assert [b["title"] for b in question["buttons"]] == ["1", "2", "3", "4", "5"] and question["data"]["rate_handoff"] == handoff

        for score in (0, 6, "five", None, 4.5):
            refused = rate(client, conversation, headers, handoff, {"score": score})
            assert refused.status_code == 422, (score, refused.text)
            assert "score" in refused.text, refused.text  # the reason names the field
        assert rate(client, conversation, headers, handoff, {"score": 5, "comment": "x" * 2001}).status_code == 422
        missing = rate(client, conversation, headers, 10**9, {"score": 5})
        assert missing.status_code == 404 and "no handoff" in missing.json()["detail"], missing.text
        assert rate(client, conversation, headers, "abc", {"score": 5}).status_code == 422
        assert client.put(f"/api/conversations/{conversation}/handoffs/{handoff}/rating", json={"score": 5}).status_code == 401

        other, other_headers = start(client, "en")  # another customer cannot rate this handoff
        assert rate(client, other, other_headers, handoff, {"score": 1}).status_code == 404
        assert database_rows(stack, "select count(*) from ratings where handoff_id = ?", handoff) == [(0,)]  # nothing stored so far

        customer_messages = database_rows(stack, "select count(*) from messages where conversation_id = ? and sender = 'customer'", conversation)
        first = rate(client, conversation, headers, handoff, {"score": 4, "comment": "Quick and kind"})
        assert first.status_code == 200, first.text
        assert [m["text"] for m in first.json()["messages"]] == [SYSTEM_TEXTS["rating_saved"]["en"]]
        again = rate(client, conversation, headers, handoff, {"score": 5})  # the customer changed their mind
        assert again.status_code == 200 and again.json()["messages"] == [], again.text
        assert database_rows(stack, "select score, comment from ratings where handoff_id = ?", handoff) == [(5, "Quick and kind")]
        commented = rate(client, conversation, headers, handoff, {"score": 5, "comment": "Quick, kind and right"})  # the widget's comment, later
        assert [m["text"] for m in commented.json()["messages"]] == [SYSTEM_TEXTS["comment_saved"]["en"]], commented.text
        detail = console.get(f"/api/agent/conversations/{conversation}").json()  # the agent's transcript carries the rating
        assert [(r["handoff_id"], r["score"], r["comment"]) for r in detail["ratings"]] == [(handoff, 5, "Quick, kind and right")]
        assert transcript(client, conversation, headers)["state"] == "closed"  # the press did not reopen the chat for the bot
        assert database_rows(stack, "select count(*) from messages where conversation_id = ? and sender = 'customer'", conversation) == customer_messages
    finally:
        console.put("/api/agent/presence", {"presence": "away"})
        console.close()


def test_agents_ratings_are_counted_per_agent_exported_with_the_agent_and_kept_through_an_erasure(
        client: httpx.Client, stack: Stack, admin: Person) -> None:
    vilma = add_agent(stack.settings, "Vilma")
    console = Console(client, vilma.email, vilma.password)
    lead = Console(client, admin.email, admin.password, online=False)
    try:
        bot_ratings = lead.get("/api/back-office/analytics?days=1").json()["total"]["ratings"]
        closed, closed_headers, closed_handoff = taken_by(client, stack, console, "pl")
        assert console.post(f"/api/agent/conversations/{closed}/close").status_code == 200
        handed, handed_headers, handed_handoff = taken_by(client, stack, console, "lv")
        assert console.post(f"/api/agent/conversations/{handed}/handback").status_code == 200
        [question] = rating_questions(client, handed, handed_headers)  # a hand-back asks too, in the customer's language
        assert question["text"] == SYSTEM_TEXTS["rate_agent"]["lv"].format(agent="Vilma")

        assert rate(client, closed, closed_headers, closed_handoff, {"score": 5, "comment": "Świetnie, dziękuję Janowi"}).status_code == 200
        assert rate(client, handed, handed_headers, handed_handoff, {"score": 2}).status_code == 200

        figures = lead.get("/api/back-office/analytics?days=1").json()
        [mine] = [a for a in figures["agents"] if a["agent"] == "Vilma"]
        assert (mine["ratings"], mine["mean_rating"], mine["csat"]) == (2, 3.5, 0.5)
        assert figures["total"]["ratings"] == bot_ratings  # the bot's CSAT is not the agents'
        assert [a["agent"] for a in lead.get("/api/back-office/analytics?days=1&language=lv").json()["agents"] if a["agent"] == "Vilma"] == ["Vilma"]

        exported = list(csv.DictReader(io.StringIO(lead.get("/api/admin/export/ratings.csv?days=1").text)))
        assert {(row["conversation_id"], row["score"], row["agent"]) for row in exported if row["agent"] == "Vilma"} == {
            (closed, "5", "Vilma"), (handed, "2", "Vilma")}

        assert lead.client.delete(f"/api/admin/customers/{closed}", headers=lead.headers).status_code == 200
        [row] = [r for r in csv.DictReader(io.StringIO(lead.get("/api/admin/export/ratings.csv?days=1").text)) if r["conversation_id"] == closed]
        assert (row["score"], row["comment"], row["agent"]) == ("5", "", "Vilma")  # the score and the agent stay, the words go
        [mine] = [a for a in lead.get("/api/back-office/analytics?days=1").json()["agents"] if a["agent"] == "Vilma"]
        assert mine["ratings"] == 2
    finally:
        console.put("/api/agent/presence", {"presence": "away"})
        console.close()
        lead.close()

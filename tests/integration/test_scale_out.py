"""The scale-out profile, started as `make run-scale-out` starts it: PostgreSQL, Redis, two Rasa replicas, two api
replicas and nginx in front. A customer on one api replica and an agent on the other talk live; a claim survives
a Rasa replica going down; erasure reaches Rasa's conversations in PostgreSQL; rate limits count across replicas.
"""
from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.web.sockets import UNAUTHORIZED
from runner.processes import Stack, answers, free_port, start_rasa, stop, wait_until
from runner.scale_out import ScaleOut, running_scale_out
from runner.servers import PostgresServer, RedisServer
from tests.conftest import Person, add_agent
from tests.integration.chat import Console, Live, closed, said, say, send_like_the_widget, start, ws_url

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def lead(profile: ScaleOut) -> Person:
    """An admin in the profile's own database (PostgreSQL), created with the CLI as an operator does."""
    return add_agent(profile.apis[0].settings, "Lena", "admin")


@pytest.fixture(scope="module")
def profile(stack: Stack, trained_model: Path, postgres: PostgresServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScaleOut]:
    """The whole profile, on the session's PostgreSQL and a Redis of its own, with the suite's test settings.

    Module-scoped: its replicas (two Rasa servers among them) must not outlive these tests.
    """
    redis = RedisServer()
    redis.wait_ready()
    settings = stack.settings.model_copy(update={
        "var_dir": tmp_path_factory.mktemp("scale-out"), "api_host": "127.0.0.1", "api_port": free_port(),
        "watch_content": False, "rate_limit_ip_conversations": "4/minute"})
    try:
        with running_scale_out(settings, trained_model, postgres=postgres, redis=redis) as running:
            yield running
    finally:
        redis.stop()


def rasa_events(postgres: PostgresServer, conversation: str) -> int:
    """How many events of the conversation Rasa keeps in its tracker store (read with psql, as an operator would)."""
    return int(postgres.query("rasa", f"SELECT count(*) FROM events WHERE sender_id = '{conversation}'"))


def test_a_customer_on_one_replica_and_an_agent_on_the_other_talk_live(profile: ScaleOut, lead: Person) -> None:
    a, b = profile.apis
    with httpx.Client(base_url=a.url, timeout=30) as on_a, httpx.Client(base_url=b.url, timeout=30) as on_b:
        conversation, headers = start(on_a, "pl")
        customer = Live(ws_url(a.url, f"/api/conversations/{conversation}/ws"), headers["Authorization"].split()[1])
        console = Console(on_b, lead.email, lead.password)
        try:
            assert on_a.get("/api/availability").json()["agents_online"] is True  # the console is on b: a knows from the database
            asked = say(on_a, conversation, headers, "Chcę porozmawiać z konsultantem")
            assert asked["state"] == "waiting", asked
            assert console.post(f"/api/agent/conversations/{conversation}/take").status_code == 200
            customer.wait_for(lambda e: e["type"] == "message" and e["sender"] == "system" and "Lena" in e["text"])  # from b, through Redis

            say(on_a, conversation, headers, "Czy mogę zmienić adres dostawy?")
            console.live.wait_for(lambda e: e["type"] == "message" and e["conversation_id"] == conversation
                                  and e["text"] == "Czy mogę zmienić adres dostawy?")  # from a, through Redis
            customer.send({"type": "typing", "active": True})
            console.live.wait_for(lambda e: e["type"] == "typing" and e["conversation_id"] == conversation and e["active"])

            assert console.post(f"/api/agent/conversations/{conversation}/messages", {"text": "Tak, oczywiście."}).status_code == 201
            customer.wait_for(lambda e: e["type"] == "message" and e["sender"] == "agent" and e["text"] == "Tak, oczywiście.")
        finally:
            console.put("/api/agent/presence", {"presence": "away"})
            console.close()
            customer.close()


def test_signing_out_on_one_replica_closes_the_console_on_the_other(profile: ScaleOut, lead: Person) -> None:
    a, b = profile.apis
    with httpx.Client(base_url=a.url, timeout=30) as on_a, httpx.Client(base_url=b.url, timeout=30) as on_b:
        console = Console(on_b, lead.email, lead.password, online=False)
        assert on_a.post("/api/agent/logout", headers=console.headers).status_code == 204
        code, _, seconds = closed(console.live._socket, timeout=5)  # told through Redis
        assert code == UNAUTHORIZED and seconds < 2, (code, seconds)


def test_the_replicas_count_one_address_together(profile: ScaleOut) -> None:
    a, b = profile.apis
    address = {"X-Forwarded-For": "203.0.113.99"}
    for replica in (a, b, a, b):
        assert httpx.post(f"{replica.url}/api/conversations", json={}, headers=address).status_code == 201
    refused = httpx.post(f"{b.url}/api/conversations", json={}, headers=address)
    assert refused.status_code == 429, refused.text  # 4 a minute in all, not 4 on each replica


def test_the_public_port_does_not_lead_to_the_action_webhook(profile: ScaleOut) -> None:
    assert httpx.post(f"{profile.url}/internal/actions/webhook", json={}).status_code == 404
    assert httpx.get(f"{profile.url}/api/health").status_code == 200


def test_an_erased_customer_is_gone_from_rasas_conversations_in_postgresql(profile: ScaleOut, postgres: PostgresServer, lead: Person) -> None:
    with httpx.Client(base_url=profile.url, timeout=30) as client:  # through nginx
        conversation, headers = start(client, "lv")
        body = say(client, conversation, headers, "Cik maksā piegāde ar kurjeru uz Rīgu?")
        assert [r["source"]["id"] for r in body["replies"] if r.get("source")], body  # answered from the FAQ, in Latvian
        assert rasa_events(postgres, conversation) > 0
        console = Console(client, lead.email, lead.password, online=False)
        try:
            assert console.client.delete(f"/api/admin/customers/{conversation}", headers=console.headers).status_code == 200
        finally:
            console.close()
    assert rasa_events(postgres, conversation) == 0


ANOTHER_ADDRESS = {"X-Forwarded-For": "192.0.2.31"}  # the profile allows 4 new conversations a minute per address: not 127.0.0.1's


def test_an_api_replica_killed_is_started_again_by_the_runners_supervisor(profile: ScaleOut, trained_model: Path,
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """What `make run-scale-out` does with a replica that exits; meanwhile nginx sends customers to the other one."""
    replica = profile.apis[0]
    with httpx.Client(base_url=profile.url, timeout=60, headers=ANOTHER_ADDRESS) as client:
        conversation, headers = start(client, "en")
    supervisor = profile.supervised(trained_model)
    supervisor.start()
    try:
        killed = replica.process
        killed.send_signal(signal.SIGKILL)
        # nginx answers 502 to a POST it had sent to the killed replica; the widget sends it again, the other replica takes it
        body = send_like_the_widget(profile.url, conversation, {**headers, **ANOTHER_ADDRESS}, "How much is shipping to a pickup point?")
        assert body["replies"], body
        deadline = time.monotonic() + 300
        while replica.process is killed or not answers(f"{replica.url}/api/health"):
            assert time.monotonic() < deadline, "the replica was not started again"
            time.sleep(1)
    finally:
        supervisor.stop()
    with httpx.Client(base_url=replica.url, timeout=60, headers=ANOTHER_ADDRESS) as client:  # the restarted replica itself
        conversation, headers = start(client, "en")
        assert say(client, conversation, headers, "How long is the warranty on a kettle?")["replies"]
    assert f"api-a exited with code -9 (its log: {replica.log}); starting it again in 1 s" in capsys.readouterr().out


def test_a_claim_begun_on_one_rasa_replica_goes_on_on_the_other(profile: ScaleOut, trained_model: Path) -> None:
    """Last in the module: it stops Rasa replicas. nginx skips the one that is down; the other knows the claim from PostgreSQL."""
    first, second = profile.rasas
    stop(first.process)
    with httpx.Client(base_url=profile.url, timeout=60) as client:
        conversation, headers = start(client, "cs")
        body = say(client, conversation, headers, "Vysavač RoboClean po dvou týdnech přestal nabíjet, chci to reklamovat.")
        assert said(body, "utter_ask_complaint_order", "cs"), body  # the second replica began the claim

        first.process = start_rasa(first.settings, trained_model, first.log)
        wait_until("Rasa replica a", f"{first.url}/status", first.process, timeout=300, log=first.log,
                   params={"token": first.settings.rasa_token.get_secret_value()})
        stop(second.process)
        body = say(client, conversation, headers, "objednávka 48213")
        assert said(body, "utter_ask_complaint_resolution", "cs"), body  # the first one went on where the claim was

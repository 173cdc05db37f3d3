"""Two api replicas sharing a real Redis: live events (a customer on one, an agent on the other) and rate limits."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest

from runner.processes import Stack, free_port, start_api, stop, wait_until
from tests.conftest import Person
from tests.integration.chat import Console, Live, say, start, ws_url
from tests.servers import RedisServer

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer()
    server.wait_ready()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def replicas(stack: Stack, redis_server: RedisServer) -> Iterator[list[Stack]]:
    """Two more api processes on the stack's database, Rasa and index, publishing through Redis.

    Module-scoped: their background loops (pending answers, queue waits) must not outlive these tests.
    """
    logs = stack.settings.var_dir / "logs"
    started: list[Stack] = []
    try:
        for name in ("a", "b"):
            settings = stack.settings.model_copy(update={
                "api_port": free_port(), "watch_content": False, "redis_url": redis_server.url,
                "rate_limit_storage": f"async+{redis_server.url}", "rate_limit_ip_conversations": "4/minute"})
            log = logs / f"replica-{name}.log"
            started.append(replace(stack, settings=settings, api=start_api(settings, log), api_log=log))
        for replica in started:
            wait_until("an api replica", f"{replica.api_url}/api/health", replica.api, timeout=180, log=replica.api_log)
        yield started
    finally:
        for replica in started:
            stop(replica.api)


def test_a_customer_on_one_replica_and_an_agent_on_the_other_talk_live(replicas: list[Stack], admin: Person) -> None:
    a, b = replicas
    with httpx.Client(base_url=a.api_url, timeout=30) as on_a, httpx.Client(base_url=b.api_url, timeout=30) as on_b:
        conversation, headers = start(on_a, "pl")
        customer = Live(ws_url(a, f"/api/conversations/{conversation}/ws"), headers["Authorization"].split()[1])
        console = Console(on_b, b, admin.email, admin.password)
        try:
            asked = say(on_a, conversation, headers, "Chcę porozmawiać z konsultantem")
            assert asked["state"] == "waiting", asked
            assert console.post(f"/api/agent/conversations/{conversation}/take").status_code == 200
            customer.wait_for(lambda e: e["type"] == "message" and e["sender"] == "system" and "Alice" in e["text"])  # from b, through Redis

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


def test_the_replicas_count_one_address_together(replicas: list[Stack]) -> None:
    a, b = replicas
    address = {"X-Forwarded-For": "203.0.113.99"}
    for replica in (a, b, a, b):
        assert httpx.post(f"{replica.api_url}/api/conversations", json={}, headers=address).status_code == 201
    refused = httpx.post(f"{b.api_url}/api/conversations", json={}, headers=address)
    assert refused.status_code == 429, refused.text  # 4 a minute in all, not 4 on each replica

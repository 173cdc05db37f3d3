"""Security on the real stack: CORS only for the configured shop, and no secret in any log."""
from __future__ import annotations

import httpx

from runner.processes import Stack
from tests.conftest import SHOP_ORIGIN, Person
from tests.integration.chat import say, start


def preflight(client: httpx.Client, origin: str) -> httpx.Response:
    return client.options("/api/conversations", headers={"Origin": origin, "Access-Control-Request-Method": "POST",
                                                          "Access-Control-Request-Headers": "content-type"})


def test_only_the_configured_shop_may_call_the_api_from_its_pages(client: httpx.Client) -> None:
    allowed = preflight(client, SHOP_ORIGIN)
    assert allowed.status_code == 200 and allowed.headers["access-control-allow-origin"] == SHOP_ORIGIN
    refused = preflight(client, "http://evil.example")
    assert refused.status_code == 400 and "access-control-allow-origin" not in refused.headers
    created = client.post("/api/conversations", json={"language": "en"}, headers={"Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in created.headers  # the browser would not let that page read it
    from_shop = client.post("/api/conversations", json={"language": "en"}, headers={"Origin": SHOP_ORIGIN})
    assert from_shop.headers["access-control-allow-origin"] == SHOP_ORIGIN
    assert from_shop.headers["access-control-expose-headers"] == "Retry-After"  # the widget reads how long to wait


def test_no_token_or_password_reaches_the_logs(client: httpx.Client, stack: Stack, admin: Person) -> None:
    conversation, headers = start(client, "cs")
    say(client, conversation, headers, "Chci mluvit s člověkem")  # a handoff: Rasa's tracker is paused and resumed with its token
    session = client.post("/api/agent/login", json={"email": admin.email, "password": admin.password}).json()["token"]
    assert client.get("/api/agent/queue", headers={"Authorization": f"Bearer {session}"}).status_code == 200
    logs = "\n".join(path.read_text(encoding="utf-8", errors="replace") for path in (stack.settings.var_dir / "logs").glob("*.log"))
    assert logs, "the stack writes logs"
    secrets = {"Rasa's token": stack.settings.rasa_token.get_secret_value(), "the action token": stack.settings.action_token.get_secret_value(),
               "a password": admin.password, "an agent session": session, "a customer token": headers["Authorization"].split()[1]}
    leaked = [name for name, secret in secrets.items() if secret in logs]
    assert leaked == []

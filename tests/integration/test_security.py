"""Security on the real stack: CORS only for the configured shop, and no secret in any log."""
from __future__ import annotations

import logging
import secrets
import stat
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.main import create_app
from runner.processes import Stack
from tests.conftest import SHOP_ORIGIN, Person, add_agent
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


@pytest.mark.parametrize("path", ["/console/", "/console/office.html", "/console/console.js"])
def test_the_console_and_back_office_allow_only_their_own_files_and_no_framing(client: httpx.Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response.headers["x-frame-options"] == "DENY" and response.headers["x-content-type-options"] == "nosniff"


def test_the_demo_page_and_the_widget_script_may_be_embedded_but_not_sniffed(client: httpx.Client) -> None:
    demo = client.get("/demo/")
    assert "script-src 'self'" in demo.headers["content-security-policy"] and "unsafe-inline" not in demo.headers["content-security-policy"]
    widget = client.get("/widget/widget.js")
    assert widget.headers["x-content-type-options"] == "nosniff" and widget.headers["content-type"].startswith("text/javascript")
    for response in (demo, widget):  # shops frame their own pages and embed the widget script as they like
        assert "x-frame-options" not in response.headers and "frame-ancestors" not in response.headers.get("content-security-policy", "")
    assert client.get("/api/health").headers["x-content-type-options"] == "nosniff"


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


def test_a_failing_rasa_call_is_reported_without_rasa_s_token(stack: Stack, caplog: pytest.LogCaptureFixture) -> None:
    """Rasa takes its token in the URL, and httpx's errors quote the URL: the public health, 503 bodies and logs must not.

    A second api (in this process, its own database) holds a token the real Rasa refuses, as after a token
    rotation that reached only one side: every call it makes with the token fails.
    """
    token = secrets.token_urlsafe(32)
    settings = stack.settings.model_copy(update={"rasa_token": SecretStr(token), "watch_content": False,
                                                 "database_url": f"sqlite+aiosqlite:///{stack.settings.var_dir / 'rotated.db'}"})
    lead = add_agent(settings, "Rotated", "admin")
    caplog.set_level(logging.INFO)
    with TestClient(create_app(settings)) as api:
        health = api.get("/api/health")
        assert health.status_code == 503 and health.json()["rasa"]["ok"] is False
        assert "401" in health.json()["rasa"]["error"]  # what went wrong is still said
        conversation = api.post("/api/conversations", json={"language": "en"}).json()["id"]
        session = api.post("/api/agent/login", json={"email": lead.email, "password": lead.password}).json()["token"]
        erased = api.delete(f"/api/admin/customers/{conversation}", headers={"Authorization": f"Bearer {session}"})
        assert erased.status_code == 503 and "could not erase" in erased.json()["detail"]
    leaks = {"health": health.text, "the 503 body": erased.text, "the log": caplog.text}
    assert [where for where, text in leaks.items() if token in text] == []


def test_the_databases_and_the_logs_are_readable_by_the_products_user_only(stack: Stack, client: httpx.Client) -> None:
    """They hold transcripts, e-mail addresses and password hashes (Rasa's: the conversations); `ps`-level access must not be enough."""
    conversation, headers = start(client, "cs")
    say(client, conversation, headers, "Dobrý den")  # something written, by the api and by Rasa
    var = stack.settings.var_dir
    modes = {path.relative_to(var).as_posix(): stat.S_IMODE(path.stat().st_mode)
             for path in [*var.glob("shopbot.db*"), *var.glob("rasa.db*"), var / "logs", *(var / "logs").glob("*.log")]}
    assert "shopbot.db" in modes and "rasa.db" in modes and "logs/api.log" in modes and "logs/rasa.log" in modes
    assert modes == {name: 0o700 if name == "logs" else 0o600 for name in modes}


def test_rasa_s_token_is_on_no_command_line_and_still_guards_its_api(stack: Stack) -> None:
    """Any local user reads every process's arguments (`ps`, /proc/<pid>/cmdline); with the token Rasa's whole HTTP API opens."""
    token = stack.settings.rasa_token.get_secret_value()
    command_lines = {}
    for path in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            command_lines[path.parent.name] = path.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # a process that ended meanwhile
            continue
    assert str(stack.rasa.pid) in command_lines  # Rasa was among them
    assert [pid for pid, line in command_lines.items() if token in line] == []
    status = f"http://127.0.0.1:{stack.settings.rasa_port}/status"
    assert httpx.get(status, timeout=10).status_code == 401  # the token still reached Rasa
    assert httpx.get(status, params={"token": token}, timeout=10).status_code == 200


def test_only_the_api_can_send_rasa_a_message(client: httpx.Client, stack: Stack) -> None:
    """Another local process posting `/request_human` straight to Rasa must not queue the customer's chat for a person."""
    conversation, headers = start(client, "en")
    rasa = f"http://127.0.0.1:{stack.settings.rasa_port}/webhooks"
    message = {"sender": conversation, "message": "/request_human", "metadata": {"language": "en"}}
    attempts = [httpx.post(f"{rasa}/rest/webhook", json=message, timeout=30),  # Rasa's own REST channel
                httpx.post(f"{rasa}/shopbot/webhook", json=message, timeout=30),
                httpx.post(f"{rasa}/shopbot/webhook", json=message, headers={"Authorization": "Bearer guessed"}, timeout=30)]
    assert [a.status_code for a in attempts] == [404, 401, 401]
    assert client.get(f"/api/conversations/{conversation}/messages", headers=headers).json()["state"] == "bot"
    assert say(client, conversation, headers, "Hello")["replies"]  # the api itself still gets through


def test_rasa_s_nlu_reads_a_message_for_the_api_only_and_names_what_is_missing(stack: Stack) -> None:
    """The channel's parse (what a waiting chat's message is) is behind the same token as its webhook."""
    parse = f"http://127.0.0.1:{stack.settings.rasa_port}/webhooks/shopbot/parse"
    token = {"Authorization": f"Bearer {stack.settings.rasa_token.get_secret_value()}"}
    assert httpx.post(parse, json={"text": "chci zpátky na robota"}, timeout=30).status_code == 401
    missing = httpx.post(parse, json={"metadata": {}}, headers=token, timeout=30)
    assert missing.status_code == 400 and "`text`" in missing.json()["error"], missing.text
    read = httpx.post(parse, json={"text": "/back_to_bot", "metadata": {}}, headers=token, timeout=30)
    assert read.status_code == 200 and read.json()["intent"]["name"] == "back_to_bot", read.text

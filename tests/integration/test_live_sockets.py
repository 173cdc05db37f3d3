"""The live sockets' bounds: who may keep listening, what consoles hear, and how much one client may hold or send."""
from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from runner.processes import Stack
from tests.conftest import Person, add_agent
from tests.integration.chat import Console, Live, closed, database_rows, say, start, ws_url

pytestmark = pytest.mark.integration
UNAUTHORIZED, POLICY, TOO_BIG, UNSUPPORTED, INVALID = 4401, 1008, 1009, 1003, 1007


def raw(stack: Stack, path: str) -> ClientConnection:
    return connect(ws_url(stack.api_url, path), open_timeout=10, max_size=None)


def log_size(stack: Stack) -> int:
    return (stack.settings.var_dir / "logs" / "api.log").stat().st_size


def log_since(stack: Stack, offset: int) -> str:
    with (stack.settings.var_dir / "logs" / "api.log").open(encoding="utf-8", errors="replace") as log:
        log.seek(offset)
        return log.read()


@pytest.fixture(scope="module")
def mira(stack: Stack) -> Person:
    return add_agent(stack.settings, "Mira")


@pytest.fixture(scope="module")
def otto(stack: Stack) -> Person:
    return add_agent(stack.settings, "Otto")


def socket_of(console: Console) -> ClientConnection:
    return console.live._socket  # the test reads the close frame itself


# --- item 1: sockets end with the session, and consoles hear only what an agent needs ----------------------------

def test_signing_out_closes_the_consoles_socket_at_once(client: httpx.Client, mira: Person) -> None:
    console = Console(client, mira.email, mira.password, online=False)
    other_browser = Console(client, mira.email, mira.password, online=False)  # a session of its own
    assert console.post("/api/agent/logout").status_code == 204
    code, reason, seconds = closed(socket_of(console), timeout=5)
    assert code == UNAUTHORIZED and "sign in" in reason, (code, reason)
    assert seconds < 2, seconds
    print(f"closed {seconds * 1000:.0f} ms after the sign-out")
    with pytest.raises(AssertionError, match="still open"):  # the other session's console stays
        closed(socket_of(other_browser), timeout=1.5)
    other_browser.close()


def test_disabling_an_agent_closes_their_consoles_at_once(client: httpx.Client, stack: Stack, alice: Console) -> None:
    person = add_agent(stack.settings, "Ines")
    console = Console(client, person.email, person.password, online=False)
    second_tab = Live(ws_url(stack.api_url, "/api/agent/ws"), console.session["token"])
    assert alice.client.delete(f"/api/admin/agents/{console.session['agent']['id']}", headers=alice.headers).status_code == 204
    for socket in (socket_of(console), second_tab._socket):
        code, reason, seconds = closed(socket, timeout=5)
        assert code == UNAUTHORIZED and "disabled" in reason, (code, reason)
        assert seconds < 2, seconds
        print(f"closed {seconds * 1000:.0f} ms after the disabling")


def test_an_expired_session_is_noticed_on_the_timer(client: httpx.Client, stack: Stack, otto: Person) -> None:
    console = Console(client, otto.email, otto.password, online=False)
    path = stack.settings.database.split("///", 1)[1]
    with contextlib.closing(sqlite3.connect(path)) as connection, connection:
        connection.execute("update agent_sessions set expires_at = '2000-01-01 00:00:00.000000' where agent_id = ?",
                           (console.session["agent"]["id"],))
    code, reason, _ = closed(socket_of(console), timeout=stack.settings.agent_session_check_seconds + 3)
    assert code == UNAUTHORIZED and "expired" in reason, (code, reason)


def message_events(live: Live, conversation: str, seconds: float) -> list[dict[str, Any]]:
    """Every event about `conversation` the console receives within `seconds`."""
    with contextlib.suppress(AssertionError):
        live.wait_for(lambda e: False, timeout=seconds)
    return [e for e in live.seen if e.get("conversation_id") == conversation]


def test_consoles_hear_the_queue_and_their_own_chats_not_every_customer(client: httpx.Client, alice: Console, mira: Person) -> None:
    rival = Console(client, mira.email, mira.password)
    try:
        conversation, headers = start(client)
        say(client, conversation, headers, "My card number is 4111 1111 1111 1111, how long do I have to return an item?")
        assert message_events(alice.live, conversation, 1.5) == [] and message_events(rival.live, conversation, 0) == []

        assert say(client, conversation, headers, "Can I talk to a real person, please?")["state"] == "waiting"
        rival.live.wait_for(lambda e: e["type"] == "queue_changed")
        alice.live.wait_for(lambda e: e.get("conversation_id") == conversation and e["sender"] == "system")  # she may take it
        message_events(alice.live, conversation, 0.5)
        assert rival.post(f"/api/agent/conversations/{conversation}/take").status_code == 200
        rival.live.wait_for(lambda e: e.get("conversation_id") == conversation and e["type"] == "message" and "Mira" in e["text"])
        alice.live.seen.clear()
        say(client, conversation, headers, "Here is my address, 5 Long Street")
        rival.live.wait_for(lambda e: e.get("conversation_id") == conversation and e.get("text") == "Here is my address, 5 Long Street")
        assert rival.post(f"/api/agent/conversations/{conversation}/messages", {"text": "Thanks, noted."}).status_code == 201
        rival.live.wait_for(lambda e: e.get("conversation_id") == conversation and e.get("text") == "Thanks, noted.")
        alice.live.send({"type": "typing", "conversation_id": conversation, "active": True})  # Alice does not hold it
        assert message_events(alice.live, conversation, 1.5) == []
    finally:
        rival.post(f"/api/agent/conversations/{conversation}/close")
        rival.close()


# --- item 9: bounds on what one client may hold and send -----------------------------------------------------------

def test_a_socket_that_does_not_authenticate_is_closed_soon(stack: Stack) -> None:
    socket = raw(stack, "/api/agent/ws")
    code, reason, seconds = closed(socket, timeout=stack.settings.ws_auth_seconds + 5)
    assert code == POLICY and "authenticate" in reason and seconds < stack.settings.ws_auth_seconds + 1, (code, seconds)


def test_a_frame_bigger_than_the_limit_is_refused_unparsed(stack: Stack) -> None:
    socket = raw(stack, "/api/agent/ws")
    with contextlib.suppress(ConnectionClosed):
        socket.send(json.dumps({"type": "auth", "token": "x" * 8_000_000}))
    code, _, _ = closed(socket, timeout=5)
    assert code == TOO_BIG, code


def test_binary_and_malformed_frames_close_cleanly(stack: Stack, client: httpx.Client) -> None:
    offset = log_size(stack)
    socket = raw(stack, "/api/agent/ws")
    socket.send(b"\x00\x01binary")
    assert closed(socket, timeout=5)[0] == UNSUPPORTED
    conversation, headers = start(client)
    customer = Live(ws_url(stack.api_url, f"/api/conversations/{conversation}/ws"), headers["Authorization"].split()[1])
    customer._socket.send("{not json")
    assert closed(customer._socket, timeout=5)[0] == INVALID
    time.sleep(0.5)
    written = log_since(stack, offset)
    assert "Traceback" not in written and "KeyError" not in written, written[-3000:]


def test_one_address_holds_a_bounded_number_of_sockets(stack: Stack) -> None:
    sockets = [raw(stack, "/api/agent/ws") for _ in range(stack.settings.ws_max_sockets_per_ip + 1)]  # none authenticates
    try:
        code, reason, seconds = closed(sockets[-1], timeout=stack.settings.ws_auth_seconds + 3)
        assert code == POLICY and "address" in reason and seconds < 1, (code, reason, seconds)
    finally:
        for socket in sockets:
            socket.close()


def test_one_conversation_and_one_agent_hold_a_bounded_number_of_sockets(client: httpx.Client, stack: Stack, mira: Person) -> None:
    conversation, headers = start(client)
    token = headers["Authorization"].split()[1]
    url = ws_url(stack.api_url, f"/api/conversations/{conversation}/ws")
    tabs = [Live(url, token) for _ in range(stack.settings.ws_max_sockets_per_conversation)]
    extra = raw(stack, f"/api/conversations/{conversation}/ws")
    extra.send(json.dumps({"type": "auth", "token": token}))
    assert closed(extra, timeout=5)[0] == POLICY
    for tab in tabs:
        tab.close()
    Live(url, token).close()  # room again once tabs are closed

    session = client.post("/api/agent/login", json={"email": mira.email, "password": mira.password}).json()
    consoles = [Live(ws_url(stack.api_url, "/api/agent/ws"), session["token"]) for _ in range(stack.settings.ws_max_sockets_per_agent)]
    extra = raw(stack, "/api/agent/ws")
    extra.send(json.dumps({"type": "auth", "token": session["token"]}))
    assert closed(extra, timeout=5)[0] == POLICY
    for console in consoles:
        console.close()


def test_a_flood_of_typing_frames_reaches_the_console_as_a_trickle(client: httpx.Client, stack: Stack, alice: Console) -> None:
    conversation, headers = start(client)
    assert say(client, conversation, headers, "Can I talk to a real person, please?")["state"] == "waiting"
    customer = Live(ws_url(stack.api_url, f"/api/conversations/{conversation}/ws"), headers["Authorization"].split()[1])
    alice.live.seen.clear()
    began = time.monotonic()
    for number in range(2000):
        customer.send({"type": "typing", "active": number % 2 == 0})
    sending = time.monotonic() - began
    typing = [e for e in message_events(alice.live, conversation, 2.0) if e["type"] == "typing"]
    allowed = stack.settings.ws_typing_burst + stack.settings.ws_typing_per_second * (sending + 2.5)
    assert 1 <= len(typing) <= allowed, (len(typing), allowed, sending)
    print(f"2000 typing frames in {sending:.2f} s: {len(typing)} reached the console")
    customer.close()
    database_rows(stack, "select 1")  # the api is still answering its database

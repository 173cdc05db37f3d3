"""Rate limits on a real api process (`limited_api`: 3 conversations and 6 messages a minute per address,
2 messages per 5 s per conversation, 3 sign-ins a minute per address). The client address is what the
proxy in front says (X-Forwarded-For from loopback, which uvicorn trusts by default)."""
from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from tests.integration.chat import say, start


@pytest.fixture
def limited(limited_api: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=limited_api, timeout=30.0) as http:
        yield http


def from_address(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


def test_one_address_opening_many_conversations_is_told_to_wait_and_others_are_not(limited: httpx.Client) -> None:
    for _ in range(3):
        assert limited.post("/api/conversations", json={"language": "en"}, headers=from_address("203.0.113.10")).status_code == 201
    refused = limited.post("/api/conversations", json={"language": "en"}, headers=from_address("203.0.113.10"))
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.json()["retry_after"] == int(refused.headers["Retry-After"])
    assert "too many requests" in refused.json()["detail"]
    assert limited.post("/api/conversations", json={"language": "en"}, headers=from_address("203.0.113.11")).status_code == 201


def test_a_customer_writing_too_fast_is_told_to_wait_and_the_message_then_arrives_once(limited: httpx.Client) -> None:
    limited.headers.update(from_address("203.0.113.20"))
    conversation, headers = start(limited, "en")
    say(limited, conversation, headers, "Hello")
    say(limited, conversation, headers, "Do you deliver to Latvia?")
    refused = limited.post(f"/api/conversations/{conversation}/messages", json={"text": "How much does it cost?"}, headers=headers)
    assert refused.status_code == 429, refused.text
    customer_texts = lambda: [m["text"] for m in limited.get(f"/api/conversations/{conversation}/messages", headers=headers).json()["messages"]  # noqa: E731
                              if m["sender"] == "customer"]
    assert customer_texts() == ["Hello", "Do you deliver to Latvia?"]  # the refused text was not stored: the client keeps it

    time.sleep(int(refused.headers["Retry-After"]))
    answer = say(limited, conversation, headers, "How much does it cost?")
    assert answer["replies"], answer
    assert customer_texts() == ["Hello", "Do you deliver to Latvia?", "How much does it cost?"]


def test_password_guessing_from_one_address_is_slowed_down(limited: httpx.Client) -> None:
    guess = {"email": "alice@domovo.test", "password": "wrong-guess"}  # pragma: allowlist secret
    for _ in range(3):
        assert limited.post("/api/agent/login", json=guess, headers=from_address("198.51.100.30")).status_code == 401
    refused = limited.post("/api/agent/login", json=guess, headers=from_address("198.51.100.30"))
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert limited.post("/api/agent/login", json=guess, headers=from_address("198.51.100.31")).status_code == 401

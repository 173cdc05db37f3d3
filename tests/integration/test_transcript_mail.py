"""A customer has the conversation e-mailed (#22 item 6): the real api, Rasa and an SMTP server (aiosmtpd) on loopback."""
from __future__ import annotations

import httpx
import pytest

from tests.conftest import Mailbox
from tests.integration.chat import say, start

pytestmark = pytest.mark.integration


def test_the_transcript_goes_to_the_address_given_in_the_customers_language_with_sources(client: httpx.Client, mailbox: Mailbox) -> None:
    conversation, headers = start(client, "cs")
    answered = say(client, conversation, headers, "Kolik stojí doprava kurýrem?")
    [source] = [r["source"] for r in answered["replies"] if r.get("source")]
    sent = client.post(f"/api/conversations/{conversation}/transcript", json={"email": "eva.nova@example.com"}, headers=headers)
    assert sent.status_code == 200, sent.text
    assert sent.json()["email"] == "eva.nova@example.com" and sent.json()["messages"] >= 2

    [mail] = [m for m in mailbox.messages if m["To"] == "eva.nova@example.com"]
    assert mail["Subject"] == "Zákaznická podpora Domovo: přepis našeho rozhovoru"
    body = mail.get_content().replace("\r\n", "\n")
    assert "Vy:\nKolik stojí doprava kurýrem?" in body
    assert f"Asistent:\n{answered['replies'][0]['text']}" in body
    assert f"Zdroj: {source['title']} <{source['link']}>" in body


def test_a_transcript_needs_the_conversations_token_a_real_address_and_is_not_a_mailing_tool(client: httpx.Client, mailbox: Mailbox) -> None:
    conversation, headers = start(client, "en")
    say(client, conversation, headers, "Hello")
    assert client.post(f"/api/conversations/{conversation}/transcript", json={"email": "a@example.com"}).status_code == 401

    for wrong in ("not an address", "a@example.com,b@example.com", "a@exam\x1cple.com"):  # one, and no header tricks
        bad = client.post(f"/api/conversations/{conversation}/transcript", json={"email": wrong}, headers=headers)
        assert bad.status_code == 422 and "email" in bad.text, bad.text  # the field is named; a typo does not use up a send

    for n in range(3):
        assert client.post(f"/api/conversations/{conversation}/transcript", json={"email": f"n{n}@example.com"}, headers=headers).status_code == 200
    refused = client.post(f"/api/conversations/{conversation}/transcript", json={"email": "n3@example.com"}, headers=headers)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 60, refused.text  # three an hour
    assert not [m for m in mailbox.messages if m["To"] in ("a@example.com", "not an address", "n3@example.com")]

"""A customer sends a photo of a broken product with the chat ("posílám fotku? Jak?"), on the real stack: it is stored,
shown in the transcript, read back by the customer and by agents, refused when it is not a photo or PDF or too large,
served so that it can never run as a page, and erased with the customer."""
from __future__ import annotations

import httpx

from tests.conftest import Person
from tests.images import png
from tests.integration.chat import Console, start

# A small real PNG and a PDF header: what the api judges by, whatever the name says.
PNG = png(4, 4, (200, 30, 30))
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def upload(client: httpx.Client, conversation: str, headers: dict[str, str], data: bytes, name: str) -> httpx.Response:
    """As the widget sends a picked file: its bytes as the body, its name in the query."""
    return client.post(f"/api/conversations/{conversation}/attachments", params={"name": name}, content=data,
                       headers={**headers, "Content-Type": "application/octet-stream"})


def test_a_photo_is_kept_with_the_chat_and_read_back_by_the_customer_and_agents(client: httpx.Client, admin: Person) -> None:
    conversation, headers = start(client, "cs")
    sent = upload(client, conversation, headers, PNG, "../../rozbitý hrnek.png")
    assert sent.status_code == 201, sent.text
    body = sent.json()
    assert body["attachment"]["type"] == "image/png" and body["attachment"]["name"] == "rozbitý hrnek.png"  # no folders
    assert body["attachment"]["size"] == len(PNG)
    assert body["replies"] and "soubor" in body["replies"][0]["text"]  # the bot has the chat: who will see it, in Czech

    transcript = client.get(f"/api/conversations/{conversation}/messages", headers=headers).json()["messages"]
    shown = next(m for m in transcript if m["attachment"])
    assert shown["sender"] == "customer" and shown["attachment"]["id"] == body["attachment"]["id"]

    path = f"/attachments/{body['attachment']['id']}"
    mine = client.get(f"/api/conversations/{conversation}{path}", headers=headers)
    assert mine.status_code == 200 and mine.content == PNG and mine.headers["content-type"] == "image/png"
    assert "sandbox" in mine.headers["content-security-policy"] and mine.headers["x-content-type-options"] == "nosniff"

    other, other_headers = start(client, "cs")
    assert client.get(f"/api/conversations/{other}{path}", headers=other_headers).status_code == 404  # not in that chat
    assert client.get(f"/api/conversations/{conversation}{path}", headers=other_headers).status_code in (403, 404)

    agent = Console(client, admin.email, admin.password)
    try:
        seen = agent.get(f"/api/agent/conversations/{conversation}{path}")
        assert seen.status_code == 200 and seen.content == PNG
        detail = agent.get(f"/api/agent/conversations/{conversation}").json()
        assert any(m.get("attachment") for m in detail["messages"])
    finally:
        agent.close()
    assert client.get(f"/api/agent/conversations/{conversation}{path}").status_code == 401


def test_a_pdf_is_offered_as_a_download_never_shown_as_a_page(client: httpx.Client) -> None:
    conversation, headers = start(client, "en")
    sent = upload(client, conversation, headers, PDF, "invoice.html").json()  # the name does not decide the type
    assert sent["attachment"]["type"] == "application/pdf"
    read = client.get(f"/api/conversations/{conversation}/attachments/{sent['attachment']['id']}", headers=headers)
    assert read.headers["content-type"] == "application/pdf" and read.headers["content-disposition"].startswith("attachment;")


def test_what_is_not_a_photo_or_pdf_or_is_too_large_or_empty_is_refused_with_the_reason(client: httpx.Client) -> None:
    conversation, headers = start(client, "en")
    page = upload(client, conversation, headers, b"<html><script>alert(1)</script></html>", "photo.png")
    assert page.status_code == 415 and "JPEG, PNG" in page.json()["detail"]
    empty = upload(client, conversation, headers, b"", "photo.png")
    assert empty.status_code == 422 and "empty" in empty.json()["detail"]
    huge = upload(client, conversation, headers, PNG + b"\0" * (6 * 1024 * 1024), "photo.png")
    assert huge.status_code == 413 and "larger than" in huge.json()["detail"]
    messages = client.get(f"/api/conversations/{conversation}/messages", headers=headers).json()["messages"]
    assert not any(m["attachment"] for m in messages)  # nothing half-stored
    assert client.post(f"/api/conversations/{conversation}/messages", json={"text": "x" * 20_000}, headers=headers).status_code == 413


def test_an_erased_customer_s_photos_are_gone(client: httpx.Client, admin: Person) -> None:
    conversation, headers = start(client, "pl")
    sent = upload(client, conversation, headers, PNG, "zdjęcie.png").json()
    lead = Console(client, admin.email, admin.password)
    try:
        assert lead.client.delete(f"/api/admin/customers/{conversation}", headers=lead.headers).status_code == 200
        assert lead.get(f"/api/agent/conversations/{conversation}/attachments/{sent['attachment']['id']}").status_code == 404
    finally:
        lead.close()

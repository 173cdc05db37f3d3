"""Chromium through Playwright (the system's Chromium: browsers cannot be downloaded here)."""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Dialog, Page, ViewportSize, sync_playwright
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from api.settings import ROOT
from api.storage.models import Message, Sender
from runner.processes import Stack
from tests.conftest import Person

CHROMIUM = os.environ.get("SHOPBOT_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = ROOT / "var" / "test-output" / "screenshots"
DESKTOP = ViewportSize(width=1280, height=800)
PHONE = ViewportSize(width=390, height=844)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP)
    context.grant_permissions(["notifications"])
    page = context.new_page()
    dialogs: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.dialogs = dialogs  # type: ignore[attr-defined]  # a script injection would open one
    refused: list[str] = []  # what a page's Content-Security-Policy blocked: a policy that breaks the page
    page.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None)
    yield page
    context.close()
    assert refused == [], refused


def screenshot(page: Page, name: str) -> Path:
    """Saved for a person to look at: var/test-output/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def screenshots(page: Page, name: str) -> list[Path]:
    """The page as a desktop (1280 x 800) and a phone (390 x 844) show it: <name>-desktop.png and <name>-phone.png.

    The phone shot resizes the same page, so the widget's small-screen layout is what gets saved.
    """
    paths = []
    for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        paths.append(screenshot(page, f"{name}-{size}"))
    page.set_viewport_size(DESKTOP)
    return paths


def fill_sign_in(page: Page, url: str, person: Person) -> None:
    """Open a console page and sign in through its form, as an agent or editor does."""
    page.goto(url)
    form = page.locator("#signin-form")
    form.get_by_label("E-mail").fill(person.email)
    form.get_by_label("Password").fill(person.password)
    form.get_by_role("button", name="Sign in").click()


def store_bot_reply(stack: Stack, conversation_id: str, text: str, source: dict[str, Any]) -> None:
    """A bot reply citing `source`, written to the stack's database as the api stores one (e.g. from an older index).

    Synchronously (Playwright's sync API holds an event loop in this thread): the same model through sqlite3.
    """
    engine = create_engine(stack.settings.database.replace("sqlite+aiosqlite://", "sqlite://"))
    try:
        with Session(engine) as session:
            session.add(Message(conversation_id=conversation_id, sender=Sender.bot, text=text, language="cs", payload={"source": source}))
            session.commit()
    finally:
        engine.dispose()

"""The scale-out profile's tracker store on a real SQL database (SQLite here; PostgreSQL in the scale-out test).

Runs in .venv-rasa: `.venv-rasa/bin/python -m pytest bot/tests` (the main suite runs it for you).
"""
from __future__ import annotations

import asyncio
from pathlib import Path

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.tracker_store import ErasableSQLTrackerStore


def conversation(sender: str) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(sender, [
        ActionExecuted("action_listen"), UserUttered("Jan Kowalski, zamówienie 48213"), BotUttered("Dziękuję!")])


def stored(store: SQLTrackerStore, sender: str) -> int:
    tracker = asyncio.run(store.retrieve(sender))
    return len(tracker.events) if tracker else 0


def test_an_empty_tracker_erases_the_conversation_and_only_that_one(tmp_path: Path) -> None:
    store = ErasableSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "rasa.db"))
    for sender in ("erased", "kept"):
        asyncio.run(store.save(conversation(sender)))
    asyncio.run(store.save(DialogueStateTracker.from_events("erased", [])))  # what PUT /tracker/events with [] saves
    assert stored(store, "erased") == 0
    assert stored(store, "kept") == 3


def test_a_growing_conversation_is_appended_as_by_rasas_own_store(tmp_path: Path) -> None:
    store = ErasableSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "rasa.db"))
    tracker = conversation("customer")
    asyncio.run(store.save(tracker))
    tracker.update(UserUttered("A kiedy dostawa?"))
    asyncio.run(store.save(tracker))
    assert stored(store, "customer") == 4


def test_rasas_own_store_would_have_kept_the_erased_messages(tmp_path: Path) -> None:
    """Why the subclass exists: if Rasa fixes this upstream, this test tells us the subclass can go."""
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "rasa.db"))
    asyncio.run(store.save(conversation("erased")))
    asyncio.run(store.save(DialogueStateTracker.from_events("erased", [])))
    assert stored(store, "erased") == 3


def test_on_sqlite_the_store_writes_ahead_and_commits_without_waiting_for_the_disk(tmp_path: Path) -> None:
    store = ErasableSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "rasa.db"))
    asyncio.run(store.save(conversation("customer")))
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    assert stored(store, "customer") == 3

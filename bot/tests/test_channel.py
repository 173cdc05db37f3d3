"""The api's channel answers each message id once: asked again, it finds what the bot said in the tracker store.

Runs in .venv-rasa: `.venv-rasa/bin/python -m pytest bot/tests` (the main suite runs it for you).
"""
from __future__ import annotations

import asyncio
from pathlib import Path

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.channel import bot_messages_for
from bot.tracker_store import ErasableSQLTrackerStore


def test_what_the_bot_said_after_a_message_is_found_by_its_id_and_only_that(tmp_path: Path) -> None:
    store = ErasableSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "rasa.db"))
    asyncio.run(store.save(DialogueStateTracker.from_events("customer", [
        ActionExecuted("action_listen"), UserUttered("Chci reklamovat vysavač", message_id="41"),
        BotUttered("Jaké je číslo objednávky?", {"buttons": [{"title": "Nevím", "payload": "/unknown"}]}),
        ActionExecuted("action_listen"), UserUttered("objednávka 48213", message_id="42"), SlotSet("order", "48213"),
        BotUttered("Co navrhujete?"), BotUttered(None, {"custom": {"ticket": "R-1"}}), ActionExecuted("action_listen")])))

    first = asyncio.run(bot_messages_for(store, "customer", "41"))
    assert first is not None and [(m["text"], m["buttons"]) for m in first] == [("Jaké je číslo objednávky?", [{"title": "Nevím", "payload": "/unknown"}])]
    second = asyncio.run(bot_messages_for(store, "customer", "42"))
    assert second is not None and [(m["text"], m.get("custom")) for m in second] == [("Co navrhujete?", None), (None, {"ticket": "R-1"})]
    assert asyncio.run(bot_messages_for(store, "customer", "43")) is None  # not handled yet: Rasa handles it
    assert asyncio.run(bot_messages_for(store, "someone else", "41")) is None

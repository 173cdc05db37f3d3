"""The api's channel answers each message id once: asked again, it finds what the bot said in the tracker store.

Runs in .venv-rasa: `.venv-rasa/bin/python -m pytest bot/tests` (the main suite runs it for you).
"""
from __future__ import annotations

import asyncio
from pathlib import Path

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.channel import ApiOutputChannel, bot_messages_for
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


def test_a_bot_message_and_its_custom_json_go_out_as_one_message() -> None:
    """The api reads the source, the decision and a ticket from the message whose text they belong to (Rasa's own collector
    sends the JSON as a message of its own after the text, and the api had to guess)."""
    source = {"source": {"id": "delivery-cost", "title": "Kolik stojí doprava?"}}
    channel = ApiOutputChannel()
    for event in (BotUttered("Doprava stojí 89 Kč.", {"custom": source}),
                  BotUttered("Který myslíte?", {"buttons": [{"title": "A", "payload": "/a"}], "custom": {"knowledge": {"decision": "clarify"}}}),
                  BotUttered("První odstavec.\n\nDruhý odstavec.", {"custom": source}),  # Rasa splits a text at blank lines
                  BotUttered("Bez dat."), BotUttered(None, {"custom": {"ticket": "R-1"}})):
        asyncio.run(channel.send_response("customer", event.message()))
    assert [(m.get("text"), m.get("buttons"), m.get("custom")) for m in channel.messages] == [
        ("Doprava stojí 89 Kč.", None, source),
        ("Který myslíte?", [{"title": "A", "payload": "/a"}], {"knowledge": {"decision": "clarify"}}),
        ("První odstavec.", None, None), ("Druhý odstavec.", None, source),
        ("Bez dat.", None, None), (None, None, {"ticket": "R-1"})]
    assert ApiOutputChannel.name() == "collector"  # responses written for Rasa's collector still apply

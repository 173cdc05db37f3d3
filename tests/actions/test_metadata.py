"""The language an action answers in is read one way (contracts.metadata): the one the api detected for the message at
hand, else the slot Rasa filled from an earlier message's metadata, else the default; a malformed value is no language."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from actions.anger import angry_messages
from actions.metadata import conversation_language


def tracker(metadata: dict[str, Any] | None, slot: str | None, *, earlier: list[dict[str, Any]] | None = None) -> Tracker:
    message: dict[str, Any] = {"text": "Dobrý den", "intent": {"name": "greet", "confidence": 1.0}, "entities": [], "metadata": metadata}
    return Tracker("c1", {"language": slot}, message, [*(earlier or []), {"event": "user", **message}], False, None, {}, "action_listen")


def test_the_messages_language_wins_over_the_slot_and_a_malformed_one_counts_as_none() -> None:
    assert conversation_language(tracker({"language": "pl"}, "cs")) == "pl"
    assert conversation_language(tracker({"language": "Czech"}, "cs")) == "cs"
    assert conversation_language(tracker(None, "lv")) == "lv"  # rasa shell sends no metadata
    assert conversation_language(tracker(None, None)) == "en"
    assert conversation_language(tracker({"language": "sk"}, "cs")) == "sk"  # a fifth language the shop serves


def test_each_earlier_message_is_judged_angry_in_its_own_language() -> None:
    """`nehorázné` marks anger in Czech only: an earlier Czech message counts in a conversation that is Polish now."""
    czech = {"event": "user", "text": "To je nehorázné, vyřešte to.", "metadata": {"language": "cs"}}
    assert angry_messages(tracker({"language": "pl"}, "pl", earlier=[czech]), "pl") == 1
    assert angry_messages(tracker({"language": "pl"}, "pl", earlier=[{**czech, "metadata": {"language": "Czech"}}]), "pl") == 0

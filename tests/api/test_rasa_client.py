"""Rasa's REST channel output becomes the api's replies, with a cited source joined to its text."""
from __future__ import annotations

from api.rasa_client import replies_from_rasa


def test_a_source_sent_as_custom_json_joins_the_text_before_it() -> None:
    replies = replies_from_rasa([
        {"recipient_id": "c", "text": "Doprava stojí 89 Kč."},
        {"recipient_id": "c", "custom": {"source": {"id": "delivery-cost", "title": "Kolik stojí doprava?", "score": 0.9}}},
    ])
    assert len(replies) == 1
    source = replies[0].source
    assert replies[0].text == "Doprava stojí 89 Kč." and source is not None and source["id"] == "delivery-cost"


def test_plain_texts_and_buttons_stay_separate_replies() -> None:
    replies = replies_from_rasa([
        {"recipient_id": "c", "text": "Hello"},
        {"recipient_id": "c", "text": "Which one?", "buttons": [{"title": "A", "payload": "/a"}]},
    ])
    assert [r.text for r in replies] == ["Hello", "Which one?"]
    assert replies[0].source is None and replies[1].buttons == [{"title": "A", "payload": "/a"}]

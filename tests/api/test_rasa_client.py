"""Rasa's channel output becomes the api's replies, each with the source and decision sent in it; the query vector the api
sends is the one Rasa's side reads."""
from __future__ import annotations

import json

import numpy as np

from api.chat.rasa_client import query_vector_metadata, replies_from_rasa
from bot.message_metadata import query_vector
from contracts.decisions import Source
from knowledge.embedder import E5Embedder


def test_the_source_and_decision_sent_in_a_message_are_that_messages_own() -> None:
    """bot/channel.py sends a bot message's custom JSON inside it: the api reads it from there, typed, and guesses nothing."""
    replies = replies_from_rasa([
        {"recipient_id": "c", "text": "Doprava stojí 89 Kč.", "custom": {
            "source": {"id": "delivery-cost", "title": "Kolik stojí doprava?", "score": 0.9},
            "knowledge": {"query": "kolik stoji doprava", "language": "cs", "decision": "answer", "entries": ["delivery-cost"], "margin": 0.2}}},
        {"recipient_id": "c", "text": "Hotovo, reklamace R-1.", "custom": {"ticket": {"number": "R-1", "resolve_by": "2026-12-30"}}},
    ])
    assert [r.text for r in replies] == ["Doprava stojí 89 Kč.", "Hotovo, reklamace R-1."]
    answer, filed = replies[0].payload, replies[1].payload
    assert answer.source == Source("delivery-cost", "Kolik stojí doprava?", 0.9) and answer.data == {}
    assert answer.knowledge is not None and (answer.knowledge.decision, answer.knowledge.entries) == ("answer", ("delivery-cost",))
    assert filed.source is None and filed.knowledge is None and filed.data == {"ticket": {"number": "R-1", "resolve_by": "2026-12-30"}}


def test_custom_json_in_a_message_of_its_own_is_not_guessed_onto_the_text_before_it() -> None:
    replies = replies_from_rasa([
        {"recipient_id": "c", "text": "Dobrý den."},
        {"recipient_id": "c", "custom": {"source": {"id": "delivery-cost", "title": "Kolik stojí doprava?", "score": 0.9}}},
    ])
    assert [(r.text, r.payload.source) for r in replies] == [("Dobrý den.", None)]


def test_plain_texts_and_buttons_stay_separate_replies() -> None:
    replies = replies_from_rasa([
        {"recipient_id": "c", "text": "Hello"},
        {"recipient_id": "c", "text": "Which one?", "buttons": [{"title": "A", "payload": "/a"}]},
    ])
    assert [r.text for r in replies] == ["Hello", "Which one?"]
    assert replies[0].payload.source is None and replies[1].buttons == [{"title": "A", "payload": "/a"}]


def test_the_query_vector_the_api_sends_is_read_back_for_its_text_only(e5: E5Embedder) -> None:
    """bot/message_metadata.py reads what api/chat/rasa_client.py writes (they run in different environments), for this model
    and exactly this text: a vector for other words would classify the wrong message."""
    text = "Kolik stojí doprava?"
    vector = e5.embed_queries([text])[0]
    metadata = query_vector_metadata(e5.name, text, vector)
    read = query_vector(metadata, text)
    assert read is not None and np.array_equal(read, vector)
    assert query_vector(metadata, "Kolik stojí doprava na Slovensko?") is None
    assert query_vector(query_vector_metadata("sentence-transformers:all-MiniLM-L6-v2", text, vector), text) is None
    assert len(json.dumps(metadata)) < 2200  # base64 float32: about a quarter of the floats written out

"""Rasa's REST channel output becomes the api's replies, with a cited source joined to its text; the query vector the api
sends is the one Rasa's side reads."""
from __future__ import annotations

import json

import numpy as np

from api.rasa_client import query_vector_metadata, replies_from_rasa
from bot.message_metadata import query_vector
from knowledge.embedder import E5Embedder


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


def test_the_query_vector_the_api_sends_is_read_back_for_its_text_only(e5: E5Embedder) -> None:
    """bot/message_metadata.py reads what api/rasa_client.py writes (they run in different environments), for this model
    and exactly this text: a vector for other words would classify the wrong message."""
    text = "Kolik stojí doprava?"
    vector = e5.embed_queries([text])[0]
    metadata = query_vector_metadata(e5.name, text, vector)
    read = query_vector(metadata, text)
    assert read is not None and np.array_equal(read, vector)
    assert query_vector(metadata, "Kolik stojí doprava na Slovensko?") is None
    assert query_vector(query_vector_metadata("sentence-transformers:all-MiniLM-L6-v2", text, vector), text) is None
    assert len(json.dumps(metadata)) < 2200  # base64 float32: about a quarter of the floats written out

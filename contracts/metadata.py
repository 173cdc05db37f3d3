"""What the api sends with each customer message as Rasa's `metadata`: the facts Rasa cannot know.

Rasa's channel turns each into an entity that a `from_entity` mapping in domain.yml copies into a slot (bot/message_metadata.py):
the `language` slot chooses the variant of Rasa's own responses. The actions read a message's language from its metadata,
the slot only for a message that carried none (actions/metadata.py). The e5 query vector the api sends beside these has
its own format (api/chat/rasa_client.py writes it, bot/message_metadata.py reads it).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from contracts.json_values import flag, mapping, text, without_none
from contracts.languages import LanguageCode, language_code

# a field of MessageMetadata → the entity, and the slot, it fills (domain.yml lists them, influence_conversation: false)
SLOT_ENTITIES = {"language": "language", "returning": "returning_customer", "agents_online": "agents_online", "shop_name": "shop_name"}
LANGUAGE_SLOT, RETURNING_SLOT = SLOT_ENTITIES["language"], SLOT_ENTITIES["returning"]


@dataclass(frozen=True)
class MessageMetadata:
    """The customer message's language as the api detected it, a returning visitor, a colleague online, the shop's name."""

    language: LanguageCode | None = None
    returning: bool | None = None
    agents_online: bool | None = None
    shop_name: str | None = None

    def to_json(self) -> dict[str, Any]:
        return without_none(asdict(self))

    @classmethod
    def from_json(cls, value: object) -> MessageMetadata:
        """Tolerant: a message without metadata (rasa shell, rasa test, an older tracker's event) has none of these."""
        sent = mapping(value)
        return cls(language=language_code(sent.get("language")), returning=flag(sent, "returning"),
                   agents_online=flag(sent, "agents_online"), shop_name=text(sent, "shop_name"))

"""Typed views of a stored message's `payload` (one JSON column for every sender) and of the `custom` JSON an action sends
with a bot message through Rasa.

A customer's message keeps what the bot reads instead of its text (a pressed button's payload), the client's id of it
(a resend is stored once) and an attached file; the bot's and the system's keep the cited source, the buttons, the data
clients are shown (`custom`, e.g. a filed claim's ticket) and the search decision. Old rows load: unknown keys are ignored,
a malformed part is left out (`from_json` never raises); the keys written are the ones older code wrote.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from contracts.decisions import DecisionRecord, Source
from contracts.json_values import ContractError, mapping, number, text, without_none

SOURCE, KNOWLEDGE = "source", "knowledge"  # the keys of `custom` that are the reply's own, not data for clients
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BotCustom:
    """What an action sends as a bot message's `custom` JSON, in the same message as its text (bot/channel.py keeps them
    together): the cited source, the search decision, and any other keys as data for clients (a filed claim's ticket)."""

    source: Source | None = None
    knowledge: DecisionRecord | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {**self.data, **without_none({SOURCE: self.source.to_json() if self.source else None,
                                             KNOWLEDGE: self.knowledge.to_json() if self.knowledge else None})}

    @classmethod
    def from_json(cls, value: object) -> BotCustom:
        """Rasa's `custom` as the api (or the handoff note, from the tracker) reads it."""
        custom = mapping(value)
        return cls(source=Source.from_json(custom.get(SOURCE)), knowledge=_decision(custom.get(KNOWLEDGE)),
                   data={key: item for key, item in custom.items() if key not in (SOURCE, KNOWLEDGE)})


def _decision(value: object) -> DecisionRecord | None:
    """The decision, or None for none or one outside the contract (logged): the message is kept without it, not lost."""
    if not isinstance(value, dict):
        return None
    try:
        return DecisionRecord.from_json(value)
    except ContractError as exc:
        log.warning("a search decision left out: %s", exc)
        return None


@dataclass(frozen=True)
class BotPayload:
    """A bot's (or a system) message as stored: source, buttons and data are shown, the decision only counted."""

    source: Source | None = None
    buttons: list[dict[str, Any]] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)  # stored as `custom`, shown to clients as the message's `data`
    knowledge: DecisionRecord | None = None

    def to_json(self) -> dict[str, Any] | None:
        """The payload column's value: only the keys that hold something, None for a plain text."""
        stored = {SOURCE: self.source.to_json() if self.source else None, "buttons": self.buttons or None, "custom": self.data or None,
                  KNOWLEDGE: self.knowledge.to_json() if self.knowledge else None}
        return without_none(stored) or None

    @classmethod
    def from_json(cls, value: object) -> BotPayload:
        payload = mapping(value)
        buttons = payload.get("buttons")
        return cls(source=Source.from_json(payload.get(SOURCE)),
                   buttons=[b for b in buttons if isinstance(b, dict)] if isinstance(buttons, list) else [],
                   data=mapping(payload.get("custom")), knowledge=_decision(payload.get(KNOWLEDGE)))


@dataclass(frozen=True)
class AttachmentRef:
    """A file the customer sent, as its message names it (the bytes are in the attachments table)."""

    id: str
    name: str
    type: str
    size: int

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "type": self.type, "size": self.size}

    @classmethod
    def from_json(cls, value: object) -> AttachmentRef | None:
        data = mapping(value)
        attachment_id, name, kind, size = text(data, "id"), text(data, "name"), text(data, "type"), number(data, "size")
        if attachment_id is None or name is None or kind is None or size is None:
            return None
        return cls(attachment_id, name, kind, int(size))


@dataclass(frozen=True)
class CustomerPayload:
    """A customer's message as stored: the pressed button's `/intent{...}` (what Rasa reads instead of the text, which is
    the button's title), the id the client gave it, an attached file."""

    button: str | None = None
    client_id: str | None = None
    attachment: AttachmentRef | None = None

    def to_json(self) -> dict[str, Any] | None:
        stored = {"button": self.button or None, "client_id": self.client_id or None,
                  "attachment": self.attachment.to_json() if self.attachment else None}
        return without_none(stored) or None

    @classmethod
    def from_json(cls, value: object) -> CustomerPayload:
        payload = mapping(value)
        return cls(button=text(payload, "button"), client_id=text(payload, "client_id"), attachment=AttachmentRef.from_json(payload.get("attachment")))

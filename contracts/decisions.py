"""The search's decision on a customer's question and the source an answer cites, as they travel: from the action that
decided (actions/answers.py) or the api answering a waiting chat (api/chat/waiting.py), in the bot message's `custom` JSON
through Rasa, into the stored message's payload, and out to the back office (api/office/insights.py, api/office/export.py)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, get_args

from contracts.json_values import ContractError, mapping, number, text
from contracts.languages import language_code

# What the search decides (knowledge.Decision.action); the dialogue adds `out_of_scope`: no answer to a message the NLU
# found outside the shop's topics, which the back office lists apart and after which no person is offered
SearchAction = Literal["answer", "clarify", "no_answer"]
DecisionAction = Literal[SearchAction, "out_of_scope"]
DECISION_ACTIONS: tuple[DecisionAction, ...] = get_args(DecisionAction)


def decision_action(value: object) -> DecisionAction:
    """The value as a decision's action; ContractError for any other, since only our code writes it."""
    for action in DECISION_ACTIONS:
        if value == action:
            return action
    raise ContractError(f"decision {value!r} is none of {', '.join(DECISION_ACTIONS)}")


@dataclass(frozen=True)
class Source:
    """The entry an answer cites: the customer sees its title and link, the agent's note and the export its id."""

    id: str
    title: str
    score: float = 0.0
    language: str | None = None
    link: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "score": self.score, "language": self.language, "link": self.link}

    @classmethod
    def from_json(cls, value: object) -> Source | None:
        """The cited entry, or None when the value names none (old rows may lack the score, language and link)."""
        data = mapping(value)
        entry_id, title = text(data, "id"), text(data, "title")
        if entry_id is None or title is None:
            return None
        return cls(entry_id, title, number(data, "score") or 0.0, language_code(data.get("language")), text(data, "link"))


@dataclass(frozen=True)
class DecisionRecord:
    """What the back office learns from: the question (empty for a pressed choice whose entry is gone), what the bot
    decided, the entries it weighed and how sure it was. Kept with the bot's reply, never shown to the customer."""

    query: str
    decision: DecisionAction
    language: str | None = None
    entries: tuple[str, ...] = ()
    margin: float = 0.0
    score: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {"query": self.query, "language": self.language, "decision": self.decision, "entries": list(self.entries),
                "margin": self.margin, "score": self.score}

    @classmethod
    def from_json(cls, value: object) -> DecisionRecord:
        """The record as stored: missing fields as the back office always read them (no decision: no answer); a decision
        outside `DecisionAction` raises ContractError."""
        data = mapping(value)
        entries = data.get("entries")
        return cls(query=text(data, "query") or "", decision=decision_action(data.get("decision", "no_answer")),
                   language=language_code(data.get("language")),
                   entries=tuple(e for e in entries if isinstance(e, str)) if isinstance(entries, list) else (),
                   margin=number(data, "margin") or 0.0, score=number(data, "score"))


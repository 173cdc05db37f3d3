"""What the actions need from the service desk (tickets, handoffs, ratings); the api implements it.

The actions run inside the api, which owns the database; this protocol keeps them from depending on it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol


@dataclass(frozen=True)
class Claim:
    """What a complaint needs before it can be filed."""

    order_number: str
    problem: str
    resolution: str  # repair | replacement | refund
    language: str


@dataclass(frozen=True)
class ClaimReceipt:
    """What the customer is told: the claim's number and the dates we promise."""

    number: str
    first_reply_days: int
    resolve_by: date


@dataclass(frozen=True)
class HandoffReceipt:
    """Where a request for a person went: to the queue, or (nobody online) to the customer's e-mail address, which the
    api then takes from their next message; `reply_hours` is the reply time promised then."""

    queued: bool
    reply_hours: int


class Desk(Protocol):
    async def file_claim(self, conversation_id: str, claim: Claim) -> ClaimReceipt: ...

    async def request_handoff(self, conversation_id: str, reason: str, summary: dict[str, Any]) -> HandoffReceipt: ...

    async def rate(self, conversation_id: str, score: int) -> None: ...

    async def comment_rating(self, conversation_id: str, comment: str) -> None: ...

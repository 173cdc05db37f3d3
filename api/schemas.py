"""Request and response bodies of the public api."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from api.models import ConversationState

Language = Literal["cs", "pl", "lv", "en"]


class ConversationCreate(BaseModel):
    language: Language | None = Field(None, description="The page's language, a hint until the customer writes.")


class ConversationCreated(BaseModel):
    id: str
    token: str = Field(description="The customer's bearer token for this conversation; shown only once.")
    state: ConversationState
    language: str | None


class MessageIn(BaseModel):
    text: str = Field(description="What the customer wrote.")


class Source(BaseModel):
    id: str
    title: str
    score: float
    language: str | None = None
    link: str | None = None


class Reply(BaseModel):
    sender: Literal["bot", "agent", "system"]
    text: str
    source: Source | None = None
    buttons: list[dict[str, Any]] = []


class MessageResult(BaseModel):
    message_id: int = Field(description="The stored customer message.")
    language: str
    replies: list[Reply]
    state: ConversationState
    pending: bool = Field(False, description="True when the bot could not answer yet; the message is kept.")

"""Database tables (SQLAlchemy 2). Schema changes go through Alembic migrations in `api/storage/migrations`."""
from __future__ import annotations

import enum
import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Enum, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """SQLite hands datetimes back without a zone; ours are all UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    pass


class ConversationState(str, enum.Enum):
    """Who is in charge of a conversation; only the api changes it."""

    bot = "bot"
    waiting = "waiting"
    agent = "agent"
    closed = "closed"


class Sender(str, enum.Enum):
    customer = "customer"
    bot = "bot"
    agent = "agent"
    system = "system"


class MessageStatus(str, enum.Enum):
    """For customer messages: stored first, then answered, so a failure never loses one.

    `received` with a handler: an api process is asking the bot; without one: a person is in charge.
    `pending`: the bot could not be asked (Rasa down, an earlier message waiting, the asking process died).
    """

    received = "received"
    answered = "answered"
    pending = "pending"


class Visitor(Base):
    """A browser that kept its visitor token: its later conversations are a returning customer's."""

    __tablename__ = "visitors"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: uuid.uuid4().hex)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Conversation(Base):
    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: uuid.uuid4().hex)
    token_hash: Mapped[str] = mapped_column(String(64))
    visitor_id: Mapped[str | None] = mapped_column(ForeignKey("visitors.id", ondelete="SET NULL", name="fk_conversations_visitor_id"), index=True)
    state: Mapped[ConversationState] = mapped_column(Enum(ConversationState, native_enum=False, length=16), default=ConversationState.bot)
    language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # the customer's data erased on request

    messages: Mapped[list[Message]] = relationship(back_populates="conversation", order_by="Message.id")


class Message(Base):
    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    sender: Mapped[Sender] = mapped_column(Enum(Sender, native_enum=False, length=16))
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(8))
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL", name="fk_messages_agent_id"))
    status: Mapped[MessageStatus | None] = mapped_column(Enum(MessageStatus, native_enum=False, length=16))
    # The api process (Services.instance) asking the bot about this customer message now; None when nobody is.
    # If that process dies mid-request, the message goes back to pending (api/chat/answering.py) and is answered once.
    handler: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    conversation: Mapped[Conversation] = relationship(back_populates="messages")


class Attachment(Base):
    """A photo or PDF a customer sent (api/chat/attachments.py): its bytes, their sniffed type, and the message that shows it."""

    __tablename__ = "attachments"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: uuid.uuid4().hex)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(128))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Role(str, enum.Enum):
    """Agents answer chats; editors also keep the knowledge base; admins also manage people and canned responses."""

    agent = "agent"
    editor = "editor"
    admin = "admin"


class Presence(str, enum.Enum):
    online = "online"
    away = "away"


class Agent(Base):
    __tablename__ = "agents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=16), default=Role.agent)
    password_hash: Mapped[str] = mapped_column(String(255))
    presence: Mapped[Presence] = mapped_column(Enum(Presence, native_enum=False, length=16), default=Presence.away)
    active: Mapped[bool] = mapped_column(default=True)
    # When one of the agent's consoles last said it is open, on whichever api replica: who can take a chat now
    console_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AgentSession(Base):
    """A signed-in console; only the token's hash is stored, and it expires."""

    __tablename__ = "agent_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CannedResponse(Base):
    """A prepared reply an agent inserts with its shortcut (e.g. `/hello`), per language."""

    __tablename__ = "canned_responses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    language: Mapped[str] = mapped_column(String(8))
    shortcut: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Handoff(Base):
    """A request for a person, with the note the agent reads first."""

    __tablename__ = "handoffs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(32))
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    taken_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL", name="fk_handoffs_agent_id"))
    email_requested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class TicketKind(str, enum.Enum):
    complaint = "complaint"
    contact = "contact"  # nobody could take a chat: an agent answers later by e-mail


class TicketStatus(str, enum.Enum):
    open = "open"
    answered = "answered"
    closed = "closed"


class Ticket(Base):
    """Work for the back office with a promised deadline; its public number is what the customer quotes."""

    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    number: Mapped[str | None] = mapped_column(String(32), unique=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    kind: Mapped[TicketKind] = mapped_column(Enum(TicketKind, native_enum=False, length=16))
    status: Mapped[TicketStatus] = mapped_column(Enum(TicketStatus, native_enum=False, length=16), default=TicketStatus.open)
    language: Mapped[str | None] = mapped_column(String(8))
    order_number: Mapped[str | None] = mapped_column(String(32))
    problem: Mapped[str | None] = mapped_column(Text)
    resolution: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    due_on: Mapped[date | None] = mapped_column(Date)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL", name="fk_tickets_answered_by"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Rating(Base):
    """The customer's 1-5 rating and an optional comment: of the bot's help (no handoff; the conversation's last one
    counts), or of an agent's, the handoff that agent ended (one per handoff: a second press changes it)."""

    __tablename__ = "ratings"
    __table_args__ = (UniqueConstraint("handoff_id", name="uq_ratings_handoff_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    handoff_id: Mapped[int | None] = mapped_column(ForeignKey("handoffs.id", ondelete="CASCADE", name="fk_ratings_handoff_id"))
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Lease(Base):
    """Which api process runs a background duty (answering pending messages, queue waits) until when.

    With several replicas exactly one does each duty; when it dies its lease runs out and another takes over.
    """

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

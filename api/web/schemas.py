"""Request and response bodies of the public api."""
from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import BaseModel, Field

from api.storage.models import ConversationState, Presence, Role
from knowledge.faq_rules import MAX_ANSWER, MAX_ID, MAX_LINK, MAX_QUESTION  # the same limits for the editor page and imports

# A language code; which ones a shop answers in is its settings' business (`answerable_languages`, checked by the routes).
Language = Annotated[str, Field(pattern=r"^[a-z]{2}$", description="ISO 639-1 code, e.g. cs or en.")]
MAX_ROW_ID = 2**63 - 1  # the largest integer key SQLite and PostgreSQL store; a larger one is a 422, not a crash
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]


class ConversationCreate(BaseModel):
    language: Language | None = Field(None, description="The page's language, a hint until the customer writes.")
    visitor_token: str | None = Field(None, max_length=128, description="The visitor token an earlier conversation returned; "
                                      "the bot then greets a returning customer.")


class ConversationCreated(BaseModel):
    id: str
    token: str = Field(description="The customer's bearer token for this conversation; shown only once.")
    visitor_token: str = Field(description="Keep it in the browser and send it when starting the next conversation.")
    state: ConversationState
    language: str | None


class LanguageIn(BaseModel):
    language: Language


# A mailbox as HTML's <input type=email> accepts it (with a dot in the domain): one address, nothing a mail header would
# read as a second recipient (",", "<") or a new line, ASCII so any mail server takes it
MAILBOX = r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$"


class TranscriptMailIn(BaseModel):
    email: str = Field(max_length=254, pattern=MAILBOX, description="Where the customer wants the transcript: one address.")


class TranscriptMailed(BaseModel):
    email: str = Field(description="Where it was sent.")
    messages: int = Field(description="How many messages it holds.")


class MessageIn(BaseModel):
    text: str = Field(description="What the customer wrote, or the title of the button they pressed.")
    payload: str | None = Field(None, max_length=300, pattern=r"^/[a-z_]+(\{[^\x00\n]*\})?$",
                                description="The pressed button's payload (`/intent{...}`), sent to the bot instead of the text.")
    client_id: str | None = Field(None, max_length=64, pattern=r"^[^\x00]*$",
                                  description="Chosen by the client; a resend with the same id is stored once.")


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
    data: dict[str, Any] = Field({}, description="Structured extras, e.g. a filed claim's `ticket` {number, resolve_by}.")


class MessageResult(BaseModel):
    message_id: int = Field(description="The stored customer message.")
    language: str
    replies: list[Reply]
    state: ConversationState
    pending: bool = Field(False, description="True when the bot could not answer yet; the message is kept.")


class AttachmentOut(BaseModel):
    """A photo or PDF the customer sent: read it at `/api/conversations/{id}/attachments/{attachment id}` (customers)
    or `/api/agent/conversations/{id}/attachments/{attachment id}` (agents)."""

    id: str
    name: str
    type: str
    size: int


class AttachmentResult(BaseModel):
    message_id: int = Field(description="The stored customer message that shows the file.")
    attachment: AttachmentOut
    replies: list[Reply]
    state: ConversationState


class MessageOut(BaseModel):
    """A stored message as the transcript shows it (customers, the bot, agents and the system)."""

    id: int
    sender: Literal["customer", "bot", "agent", "system"]
    text: str
    language: str | None
    created_at: datetime
    source: Source | None = None
    buttons: list[dict[str, Any]] = []
    data: dict[str, Any] = {}
    agent: str | None = None
    attachment: AttachmentOut | None = None


class ContactOut(BaseModel):
    email: str | None
    phone: str | None
    chat_hours: str | None


class ShopOut(BaseModel):
    """What the widget shows before a conversation exists (from knowledge/shop.yml): the shop's name in its header,
    the privacy link, which languages to offer and which one first."""

    name: str
    contact: ContactOut
    opening_hours: str | None
    privacy_url: str | None
    terms_url: str | None
    languages: list[str] = Field(description="The languages the shop serves, in the order to offer them.")
    default_language: str


class Availability(BaseModel):
    """Whether a colleague can take a chat now; with nobody online customers are answered by e-mail within `reply_hours`."""

    agents_online: bool
    reply_hours: int = Field(description="The e-mail reply time promised with nobody online (SHOPBOT_OFFLINE_REPLY_HOURS).")


class ContactTicket(BaseModel):
    """An e-mail ticket filed from the chat and not answered yet: the widget's status line says so after a reload too."""

    number: str
    email: str
    reply_hours: int


class Transcript(BaseModel):
    """The customer's view after `after`: new messages, the state, the place in the queue while waiting, whether a
    colleague is online, and the e-mail ticket the chat left, if any."""

    state: ConversationState
    language: str | None
    queue_position: int | None = None
    availability: Availability | None = None
    ticket: ContactTicket | None = None
    messages: list[MessageOut]


class LoginIn(BaseModel):
    email: str = Field(max_length=254)
    password: str = Field(max_length=200)
    presence: Presence | None = Field(None, description="The status to start with: the console sends `online` (Available), or "
                                      "`away` when the agent chooses so; omitted, the status stays as it was (the back office).")


class AgentOut(BaseModel):
    id: int
    email: str
    name: str
    role: Role
    presence: Presence


class AgentSessionOut(BaseModel):
    token: str = Field(description="Send as `Authorization: Bearer <token>`; it expires at `expires_at`.")
    expires_at: datetime
    agent: AgentOut


class AgentCreate(BaseModel):
    email: str = Field(max_length=254)
    name: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=10, max_length=200)
    role: Role = Role.agent


class PresenceIn(BaseModel):
    presence: Presence


class HandoffNote(BaseModel):
    reason: str
    summary: dict[str, Any]
    requested_at: datetime
    taken_at: datetime | None = None
    agent: str | None = None


class QueueItem(BaseModel):
    conversation_id: str
    state: ConversationState
    language: str | None
    position: int | None
    waiting_seconds: float
    note: HandoffNote
    contact: str | None = Field(None, description="The customer's e-mail address, when they wrote one in the chat: tells chats apart.")
    last_message: str | None = Field(None, description="The latest message from the customer or an agent.")
    last_sender: str | None = Field(None, description="Who wrote it: customer or agent.")
    last_agent: str | None = Field(None, description="The agent who wrote it, when an agent did.")


class RatingOut(BaseModel):
    conversation_id: str
    handoff_id: int | None = Field(None, description="The handoff whose agent was rated; none for a rating of the bot.")
    score: int
    comment: str | None
    created_at: datetime


class ConversationDetail(BaseModel):
    id: str
    state: ConversationState
    language: str | None
    note: HandoffNote | None
    messages: list[MessageOut]
    ratings: list[RatingOut] = Field(default_factory=list, description="The customer's ratings of the agents who helped, one per handoff "
                                     "(the message that asked carries `rate_handoff`); the bot's own ratings are not here.")


class AgentMessageIn(BaseModel):
    text: str = Field(min_length=1, max_length=4000)


class CannedIn(BaseModel):
    language: Language
    shortcut: str = Field(pattern=r"^/[a-z0-9_-]{1,30}$", description="What the agent types to insert it, e.g. `/hello`.")
    text: str = Field(min_length=1, max_length=2000)


class CannedOut(CannedIn):
    id: int


class TicketOut(BaseModel):
    id: int
    number: str | None
    conversation_id: str
    kind: str
    status: str
    language: str | None
    order_number: str | None
    problem: str | None
    resolution: str | None
    email: str | None
    due_on: date | None
    answer: str | None
    created_at: datetime


class TicketReplyIn(BaseModel):
    text: str = Field(min_length=1, max_length=8000)


class AgentRatingIn(BaseModel):
    """The customer's rating of the agent who helped them, from the buttons of the question asked when the agent left."""

    score: int = Field(ge=1, le=5, description="1 (poor) to 5 (excellent).")
    comment: str | None = Field(None, max_length=2000, description="Optional; a later rating without one keeps the earlier comment.")


class UnansweredGroup(BaseModel):
    """Questions that mean the same and that the bot did not answer well: a candidate for a new FAQ entry."""

    size: int
    question: str = Field(description="The most typical phrasing.")
    examples: list[str]
    languages: dict[str, int]
    reasons: dict[str, int] = Field(description="no_answer, clarify, out_of_scope, low_confidence, handoff, bad_rating: how many of each.")
    phrasings: dict[str, list[str]] = Field(description="Per language, the customers' phrasings: a new entry's question and alternatives.")
    near_entries: list[str] = Field(description="Entries the search came closest with: maybe one of them needs these phrasings.")
    suggested_file: str | None = Field(None, description="The FAQ file of the closest entry: where a new entry from this group belongs.")
    suggested_id: str | None = Field(None, description="An id for that entry: the typical question's slug, without the greeting, unused so far.")
    last_asked: datetime
    conversation_ids: list[str]


class UnansweredPage(BaseModel):
    """One page of the groups, largest first, and what they were drawn from."""

    data: list[UnansweredGroup]
    count: int = Field(description="Groups in all pages.")
    questions: int = Field(description="Poorly answered questions among the newest decisions read (20 per wording the cap allows).")
    grouped: int = Field(description="Of those, the questions grouped: the most recent distinct wordings up to the cap, and their repeats.")


class WaitingTimes(BaseModel):
    taken: int = Field(description="Handoffs an agent took.")
    not_taken: int = Field(description="Handoffs nobody took (still waiting, or left as an e-mail ticket).")
    median_seconds: float | None = None
    p90_seconds: float | None = None
    mean_seconds: float | None = None


class DayFigures(BaseModel):
    day: date
    conversations: int
    handed_over: int
    ratings: int
    csat: float | None = Field(description="Share of ratings that were 4 or 5.")


class LanguageFigures(BaseModel):
    conversations: int
    resolved_by_bot: float | None = Field(description="Share of conversations that never needed a person.")
    handoff_rate: float | None
    handoff_reasons: dict[str, int]
    waiting: WaitingTimes
    ratings: int
    mean_rating: float | None
    csat: float | None
    questions: int = Field(description="Questions the bot searched the knowledge base for.")
    answered: int = Field(description="Of them, answered outright.")
    top_questions: list[dict[str, Any]]


class AgentFigures(BaseModel):
    """How customers rated one agent's help: the ratings asked for when the agent closed a chat or handed it back."""

    agent_id: int
    agent: str
    ratings: int
    mean_rating: float | None
    csat: float | None = Field(description="Share of ratings that were 4 or 5.")


class Analytics(BaseModel):
    since: datetime
    until: datetime
    language: str | None
    days: list[DayFigures] = Field(description="Ratings and CSAT here and per language are of the bot's help; agents' are in `agents`.")
    total: LanguageFigures
    languages: dict[str, LanguageFigures]
    agents: list[AgentFigures] = Field(default_factory=list, description="Per agent, the most rated first.")
    missing_topics: list[UnansweredGroup] = Field(default_factory=list, description="The largest groups of questions the content does not cover: "
                                                  "asked again now, the search still finds nothing to answer or offer.")


class ErasureOut(BaseModel):
    conversations: list[str] = Field(description="The customer's conversations whose content was erased.")
    messages: int = Field(description="Messages deleted.")


class EntryTextIn(BaseModel):
    question: str = Field("", max_length=MAX_QUESTION)
    alternatives: list[str] = Field(default_factory=list, max_length=200)
    answer: str = Field("", max_length=MAX_ANSWER)


class FaqEntryIn(BaseModel):
    """An FAQ entry or a manual section as the editor page sends it (see knowledge/README.md).

    For a manual section, each language's `question` is the section's title and `answer` its text.
    """

    id: str = Field(max_length=MAX_ID)
    tags: list[str] = Field(default_factory=list, max_length=20)
    product: str | None = Field(None, max_length=80)
    link: str | None = Field(None, max_length=MAX_LINK)
    cs: EntryTextIn = Field(default_factory=EntryTextIn)
    pl: EntryTextIn = Field(default_factory=EntryTextIn)
    lv: EntryTextIn = Field(default_factory=EntryTextIn)
    en: EntryTextIn = Field(default_factory=EntryTextIn)


class EntrySave(BaseModel):
    entry: FaqEntryIn
    version: str | None = Field(None, description="The version you opened; omit it to create a new entry.")
    file: str | None = Field(None, description="For a new entry: the FAQ file it goes to, e.g. `delivery.yml`.")


class EntryOut(BaseModel):
    id: str
    kind: Literal["faq", "manual"]
    file: str
    version: str
    entry: dict[str, Any]
    missing_languages: list[str]
    index: dict[str, Any] | None = Field(None, description="The serving index after a save.")


class EntrySummary(BaseModel):
    id: str
    kind: Literal["faq", "manual"]
    file: str
    title: str
    missing_languages: list[str]
    alternatives: dict[str, int]


class PreviewIn(BaseModel):
    question: str = Field(min_length=1, max_length=2000)
    language: Language


class PreviewOut(BaseModel):
    decision: str
    hits: list[dict[str, Any]]

"""All configuration of the product, read once from the environment (prefix `SHOPBOT_`) and passed down."""
from __future__ import annotations

import secrets
from pathlib import Path

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from api.infra.rate_limits import Rule, parse_rule
from knowledge.settings import ROOT, KnowledgeSettings

__all__ = ["ROOT", "Settings"]


def _random_token() -> SecretStr:
    return SecretStr(secrets.token_urlsafe(32))


class Settings(KnowledgeSettings):
    """Every knob in one place; defaults run the whole product on one machine with SQLite. Where the content lives,
    the embedder and the search's defaults come from `KnowledgeSettings`, which the editors' command line reads too."""

    model_config = SettingsConfigDict(env_prefix="SHOPBOT_", env_file=".env", extra="ignore")

    # Where things live (var_dir, content_dir and cache_dir: KnowledgeSettings)
    database_url: str | None = Field(None, description="SQLAlchemy async URL; default SQLite in var_dir.")
    redis_url: str | None = Field(None, description="Redis for live events between api replicas (redis://host:6379/0); unset: one api process.")
    models_dir: Path | None = Field(None, description="Trained Rasa models; default var_dir/models.")

    # The api
    api_host: str = "127.0.0.1"  # loopback unless a deployment says otherwise (behind its reverse proxy)
    api_port: int = 8000
    public_url: str | None = Field(None, description="Base URL the api is reached at; default http://localhost:<api_port>.")

    # The Rasa server (loopback only) and the action webhook it calls back
    rasa_host: str = "127.0.0.1"
    rasa_port: int = 5005
    rasa_token: SecretStr = Field(default_factory=_random_token, description="Token for Rasa's HTTP API; random per run when unset.")
    action_token: SecretStr = Field(default_factory=_random_token, description="Token Rasa sends to the api's action webhook; random per run when unset.")
    rasa_timeout_seconds: float = 20.0
    rasa_tracker_store_url: str | None = Field(None, description="Where Rasa keeps its conversations (SQLAlchemy URL): default SQLite in "
                                               "var_dir (rasa.db); PostgreSQL (postgresql://host:5432/db) for several Rasa replicas.")
    rasa_lock_store_url: str | None = Field(None, description="Redis for Rasa's per-conversation locks (redis://host:6379/1), needed with "
                                            "several Rasa replicas; needs rasa_tracker_store_url on a server they share.")
    watch_content: bool = Field(True, description="Rebuild the index when knowledge files change.")

    # Promises the bot makes about complaints (the FAQ says the same: keep them in step)
    complaint_first_reply_days: int = Field(3, description="Working days within which we confirm the next steps of a claim.")
    complaint_resolution_days: int = Field(30, description="Calendar days within which a claim is resolved.")
    claim_number_prefix: str = "R-"

    # People
    agent_session_hours: float = Field(12, description="How long an agent's console stays signed in.")
    agent_reconnect_grace_seconds: float = Field(15, description="A console that loses its connection this long gives its chats back to the queue.")
    agent_session_check_seconds: float = Field(30, gt=0, description="How often an open console checks that its session still holds "
                                               "(sign-out and disabling close it at once; this catches expiry).")
    handoff_wait_seconds: float = Field(180, description="After this long in the queue the customer is offered to leave an e-mail address.")
    offline_reply_hours: int = Field(24, ge=1, le=720, description="With nobody online (or nobody coming in time) customers are "
                                     "promised an e-mail reply within this many hours: the widget says so before they ask.")
    contact_number_prefix: str = Field("T-", description="Prefix of an e-mail ticket's number, which the customer is told.")
    smtp_host: str | None = Field(None, description="Mail server for replies to tickets; unset means tickets are answered in the console only.")
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    mail_from: str | None = Field(None, description="The sender of e-mails to customers; default: the shop's name and "
                                  "`contact.email` from shop.yml.")

    # The back office: what counts as a poorly answered question, and how alike two must be to group them
    low_confidence_margin: float = Field(0.1, description="An answer whose top hit led every other entry (evidence) by less than this is listed as poorly answered.")
    unanswered_group_distance: float = Field(0.10, description="Cosine distance (1 - similarity of e5 query embeddings) within which questions are grouped (chosen for purity on the demo shop's labelled questions: make bench-back-office).")
    unanswered_group_cap: int = Field(1000, ge=1, le=20_000, description="The most recent distinct wordings of poorly answered questions that are grouped; clustering memory grows with its square.")

    # The website widget
    widget_origins: list[str] = Field(default_factory=list, description="Shop origins allowed to call the api from the widget (CORS, JSON list).")

    # Limits on what customers send
    max_message_chars: int = 2000
    max_body_bytes: int = 16_384
    max_attachment_bytes: int = Field(5 * 1024 * 1024, ge=1024, description="The largest photo or PDF a customer may send with a chat.")

    # Live sockets (per api process): what one client may hold and send
    ws_auth_seconds: float = Field(5, gt=0, description="A socket that has not authenticated within this long is closed.")
    ws_max_message_bytes: int = Field(4096, ge=256, description="The largest frame a socket may send (auth and typing events are tiny).")
    ws_max_sockets_per_ip: int = Field(100, ge=1, description="Open sockets from one IP address, authenticated or not (an office shares one).")
    ws_max_sockets_per_conversation: int = Field(5, ge=1, description="Open sockets on one conversation (a customer's tabs).")
    ws_max_sockets_per_agent: int = Field(10, ge=1, description="Open consoles of one agent.")
    ws_typing_per_second: float = Field(1.0, gt=0, description="Typing events one socket may pass on per second; the excess is dropped.")
    ws_typing_burst: int = Field(3, ge=1, description="Typing events one socket may pass on at once before the rate applies.")

    # Rate limits, in the `limits` library's notation ("20/minute;300/hour"). The client IP is the one uvicorn
    # reports, i.e. X-Forwarded-For from the proxies in uvicorn's FORWARDED_ALLOW_IPS (default: 127.0.0.1 only).
    rate_limit_conversation_messages: str = Field("20/minute;300/hour", description="Messages one conversation may send.")
    rate_limit_ip_messages: str = Field("120/minute;2000/hour", description="Messages from one IP address (an office shares one).")
    rate_limit_ip_conversations: str = Field("20/minute;300/hour", description="New conversations from one IP address.")
    rate_limit_ip_logins: str = Field("10/minute;60/hour", description="Agent sign-in attempts from one IP address.")
    rate_limit_conversation_transcripts: str = Field("3/hour;5/day", description="Transcripts one conversation may have e-mailed.")
    rate_limit_storage: str = Field("async+local://", description="Where the counters live: this process (async+local://), or async+redis://host:6379 to share them between replicas.")

    @field_validator("rate_limit_conversation_messages", "rate_limit_ip_messages", "rate_limit_ip_conversations", "rate_limit_ip_logins",
                     "rate_limit_conversation_transcripts")
    @classmethod
    def _rate_limit(cls, text: str) -> str:
        try:
            parse_rule(text)
        except ValueError as exc:
            raise ValueError(f"{text!r} is not a rate limit such as '20/minute;300/hour' ({exc})") from None
        return text

    @field_validator("rasa_host")
    @classmethod
    def _loopback_only(cls, host: str) -> str:
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("the Rasa server must listen on loopback (127.0.0.1, localhost or ::1)")
        return host

    @model_validator(mode="after")
    def _rasa_stores_together(self) -> Settings:
        if self.rasa_lock_store_url is not None and self.rasa_tracker_store_url is None:
            raise ValueError("set SHOPBOT_RASA_TRACKER_STORE_URL with SHOPBOT_RASA_LOCK_STORE_URL: Rasa replicas share "
                             "conversations only in a tracker store on a server they all reach (PostgreSQL)")
        return self

    @property
    def rasa_endpoints(self) -> Path:
        """Rasa's endpoints file: one Rasa process, or several replicas that share a lock per conversation in Redis."""
        return ROOT / ("endpoints.scale-out.yml" if self.rasa_lock_store_url else "endpoints.yml")

    @property
    def rasa_tracker_store(self) -> str:
        """Rasa's conversations, so that a restart of Rasa forgets none; computed on each use like `database`."""
        return self.rasa_tracker_store_url or f"sqlite:///{self.var_dir / 'rasa.db'}"

    @property
    def database(self) -> str:
        """Computed on each use, not cached: a model_copy with another database_url or var_dir must not keep the original's."""
        return self.database_url or f"sqlite+aiosqlite:///{self.var_dir / 'shopbot.db'}"

    @property
    def model_dir(self) -> Path:
        return self.models_dir or self.var_dir / "models"

    @property
    def rasa_url(self) -> str:
        return f"http://{self.rasa_host}:{self.rasa_port}"

    @property
    def base_url(self) -> str:
        return self.public_url or f"http://localhost:{self.api_port}"

    @property
    def rate_limit_rules(self) -> dict[Rule, str]:
        return {rule: getattr(self, f"rate_limit_{rule.value}") for rule in Rule}


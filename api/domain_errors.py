"""What can go wrong in the api's own work, said as reasons a caller can act on, without HTTP: which status, headers
or CLI message each kind becomes is decided at the edge (`api.web.errors.install_error_handlers`, `api.cli`)."""
from __future__ import annotations


class DomainError(Exception):
    """A refusal or failure with the reason the caller can act on, and any facts to act on in `extra`."""

    def __init__(self, reason: str, **extra: object) -> None:
        self.reason = reason
        self.extra = extra  # more for the caller to act on, e.g. which fields to fix
        super().__init__(reason)


class NotAuthenticated(DomainError):
    """No token, or one that opens nothing (signed out, expired, disabled)."""


class Forbidden(DomainError):
    """Known, but not allowed to do this (another agent's chat, a role too low, a wrong webhook token)."""


class NotFound(DomainError):
    pass


class Conflict(DomainError):
    """The request clashes with the current state, e.g. another agent already took the conversation."""


class TransitionNotAllowed(Conflict):
    """A change of a conversation's state that its lifecycle's table does not have (`api.chat.lifecycle.ALLOWED`)."""


class RateLimited(DomainError):
    """Too many requests from one customer or address; the client waits `retry_after` seconds and sends again."""

    def __init__(self, *, retry_after: int, limit: str) -> None:
        super().__init__(f"too many requests (limit {limit}); try again in {retry_after} s", retry_after=retry_after)
        self.retry_after = retry_after


class RasaUnavailable(DomainError):
    """Rasa did not answer; the customer's message is already stored."""


class MailNotSent(DomainError):
    """No mail server is configured, or it did not take the message."""


class Invalid(DomainError):
    """Input we cannot take, with what to change."""


class InvalidMessage(Invalid):
    """A message the bot cannot take: empty, or longer than the limit."""


class InvalidAgent(Invalid):
    """An agent account without an address or name, or with too short a password."""


class UnknownLanguage(Invalid):
    """A language the shop neither serves nor falls back in."""


class EditRefused(Invalid):
    """An editor's change of the content that would break it (its `problems` say where)."""


class EmptyAttachment(Invalid):
    pass


class UnsupportedAttachment(DomainError):
    """A file of a kind we do not keep (only images browsers show as images, and PDFs)."""

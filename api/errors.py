"""The api's own errors; `install_error_handlers` turns them into HTTP responses at the edge."""
from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError

log = logging.getLogger(__name__)
STORAGE_RETRY_SECONDS = 5


class ApiError(Exception):
    """An error with the HTTP status and the reason a client can act on."""

    status_code = 400

    def __init__(self, reason: str, **extra: object) -> None:
        self.reason = reason
        self.extra = extra  # more for the client to act on, e.g. which fields to fix
        super().__init__(reason)

    def headers(self) -> dict[str, str] | None:
        return None


class NotAuthenticated(ApiError):
    status_code = 401

    def headers(self) -> dict[str, str] | None:
        return {"WWW-Authenticate": "Bearer"}


class Forbidden(ApiError):
    status_code = 403


class NotFound(ApiError):
    status_code = 404


class Conflict(ApiError):
    """The request clashes with the current state, e.g. another agent already took the conversation."""

    status_code = 409


class TransitionNotAllowed(Conflict):
    """A change of a conversation's state that its lifecycle's table does not have (`api.lifecycle.ALLOWED`)."""


class RateLimited(ApiError):
    """Too many requests from one customer or address; the client waits `retry_after` seconds and sends again."""

    status_code = 429

    def __init__(self, *, retry_after: int, limit: str) -> None:
        super().__init__(f"too many requests (limit {limit}); try again in {retry_after} s", retry_after=retry_after)
        self.retry_after = retry_after

    def headers(self) -> dict[str, str] | None:
        return {"Retry-After": str(self.retry_after)}


class RasaUnavailable(ApiError):
    """Rasa did not answer; the customer's message is already stored."""

    status_code = 503


def install_error_handlers(app: FastAPI) -> None:
    """Every ApiError becomes `{"detail": reason, ...extra}` with its status, like FastAPI's own errors."""

    async def handle(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse({"detail": exc.reason, **exc.extra}, status_code=exc.status_code, headers=exc.headers())

    async def storage_unavailable(request: Request, exc: OperationalError) -> JSONResponse:
        """The database is locked beyond its busy timeout or down: nothing was saved, and the client may send again."""
        log.error("%s %s: the database is unavailable: %s", request.method, request.url.path, exc.orig)
        return JSONResponse({"detail": "our storage is busy: please send again in a few seconds (a resend with the same client_id is stored once)",
                             "retry_after": STORAGE_RETRY_SECONDS}, status_code=503, headers={"Retry-After": str(STORAGE_RETRY_SECONDS)})

    app.add_exception_handler(ApiError, handle)  # type: ignore[arg-type]
    app.add_exception_handler(OperationalError, storage_unavailable)  # type: ignore[arg-type]

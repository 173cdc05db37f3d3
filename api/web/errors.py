"""The edge's translation of the api's own errors (`api.domain_errors`) into HTTP: one table of status and headers."""
from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError

from api.domain_errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    MailNotSent,
    NotAuthenticated,
    NotFound,
    RasaUnavailable,
    RateLimited,
    UnsupportedAttachment,
)

log = logging.getLogger(__name__)
STORAGE_RETRY_SECONDS = 5


def _no_headers(_: DomainError) -> dict[str, str] | None:
    return None


def _retry_after(exc: DomainError) -> dict[str, str] | None:
    return {"Retry-After": str(exc.extra["retry_after"])}


# Each kind of error and what it becomes; a subclass takes its parent's row (TransitionNotAllowed is a Conflict).
HTTP: dict[type[DomainError], tuple[int, Callable[[DomainError], dict[str, str] | None]]] = {
    NotAuthenticated: (401, lambda _: {"WWW-Authenticate": "Bearer"}),
    Forbidden: (403, _no_headers),
    NotFound: (404, _no_headers),
    Conflict: (409, _no_headers),
    UnsupportedAttachment: (415, _no_headers),
    Invalid: (422, _no_headers),
    RateLimited: (429, _retry_after),
    MailNotSent: (502, _no_headers),
    RasaUnavailable: (503, _no_headers),
}


def http_of(kind: type[DomainError]) -> tuple[int, Callable[[DomainError], dict[str, str] | None]]:
    """The row of `kind` or of its nearest ancestor in the table; KeyError for a kind nobody mapped (a test guards that)."""
    for ancestor in kind.__mro__:
        if ancestor in HTTP:
            return HTTP[ancestor]
    raise KeyError(f"{kind.__name__} has no HTTP status in api.web.errors.HTTP")


def install_error_handlers(app: FastAPI) -> None:
    """Every DomainError becomes `{"detail": reason, ...extra}` with its status, like FastAPI's own errors."""

    async def handle(_: Request, exc: DomainError) -> JSONResponse:
        status, headers = http_of(type(exc))
        return JSONResponse({"detail": exc.reason, **exc.extra}, status_code=status, headers=headers(exc))

    async def storage_unavailable(request: Request, exc: OperationalError) -> JSONResponse:
        """The database is locked beyond its busy timeout or down: nothing was saved, and the client may send again."""
        log.error("%s %s: the database is unavailable: %s", request.method, request.url.path, exc.orig)
        return JSONResponse({"detail": "our storage is busy: please send again in a few seconds (a resend with the same client_id is stored once)",
                             "retry_after": STORAGE_RETRY_SECONDS}, status_code=503, headers={"Retry-After": str(STORAGE_RETRY_SECONDS)})

    app.add_exception_handler(DomainError, handle)  # type: ignore[arg-type]
    app.add_exception_handler(OperationalError, storage_unavailable)  # type: ignore[arg-type]

"""Security headers on what the api serves: a Content-Security-Policy per page, frame protection for staff pages, nosniff.

The console, the back office and the demo page load only their own scripts and style sheets (no inline ones:
the widget uses a constructed style sheet), so their policies need no 'unsafe-inline'. The console and the back
office may not be framed (clickjacking an agent or an admin); the widget script is embedded by shops, so it gets
no frame rule, and a script file gets no policy (a CSP governs documents, not scripts).
"""
from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_OWN_FILES_ONLY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; "
                   "form-action 'self'; base-uri 'none'")  # connect-src 'self' covers the page's own WebSockets too; blob: shows
# customers' photos, which the console reads with the agent's session (never a public address)
NO_FRAMING = {"Content-Security-Policy": f"{_OWN_FILES_ONLY}; frame-ancestors 'none'", "X-Frame-Options": "DENY"}
# Path prefix → headers of every response under it; the first match applies
PAGE_HEADERS: tuple[tuple[str, dict[str, str]], ...] = (
    ("/console", NO_FRAMING),  # the agent console and the back office (office.html)
    ("/demo", {"Content-Security-Policy": _OWN_FILES_ONLY}),  # a shop's page: shops decide their own framing
)
EVERY_RESPONSE = {"X-Content-Type-Options": "nosniff"}  # a customer's text in a CSV or JSON is never sniffed into HTML


class SecurityHeaders:
    """Adds the headers for the request's path to the response (a header the response set itself is kept)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wanted = {**EVERY_RESPONSE, **headers_for(scope["path"])}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(name.lower().encode(), value.encode()) for name, value in wanted.items() if name.lower().encode() not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def headers_for(path: str) -> dict[str, str]:
    """The page headers for `path` (none for the api itself, the widget script and anything else)."""
    return next((headers for prefix, headers in PAGE_HEADERS if path == prefix or path.startswith(f"{prefix}/")), {})

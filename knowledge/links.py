"""Links shown with an answer (an FAQ entry's `link`): web and e-mail addresses only, never `javascript:` or `data:`.

The widget and the console put the link in an `href`, so a `javascript:` link from a file would run in the
customer's or the agent's page when clicked. The same rule holds in the file loader and the editor.
"""
from __future__ import annotations

import re

ALLOWED_SCHEMES = ("http", "https", "mailto")
# A scheme as browsers read it (WHATWG URL): a letter, then letters, digits, + - . up to the first colon
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")
LINK_RULE = "a link starts with https://, http:// or mailto:, or is a path on the shop's site starting with /"


def link_problem(link: str) -> str | None:
    """Why `link` cannot be shown with an answer, or None when it can.

    Browsers drop tabs and line breaks inside a URL and spaces or control characters around it
    (`java\\tscript:` is `javascript:`), so any of those is refused rather than guessed at.
    """
    if any(char.isspace() or ord(char) < 0x20 or ord(char) == 0x7F for char in link):
        return f"a link has no spaces, tabs, line breaks or control characters: {LINK_RULE}"
    scheme = _SCHEME.match(link)
    if scheme is not None and scheme.group(1).lower() in ALLOWED_SCHEMES:
        return None
    if scheme is None and link.startswith("/"):
        return None
    return LINK_RULE

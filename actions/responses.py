"""Reading the domain's response texts from inside an action, for words that go into another response."""
from __future__ import annotations

from typing import Any


def response_text(domain: dict[str, Any], name: str, language: str) -> str:
    """The first variant of response `name` for `language` (or its unconditional variant)."""
    variants = (domain.get("responses") or {}).get(name) or []
    fallback = ""
    for variant in variants:
        conditions = variant.get("condition") or []
        if not conditions:
            fallback = fallback or variant.get("text", "")
        elif any(c.get("name") == "language" and c.get("value") == language for c in conditions):
            return variant.get("text", "")
    return fallback

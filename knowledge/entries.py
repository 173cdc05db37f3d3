"""What the knowledge base is made of: entries with a text per language."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from lingua import IsoCode639_1


def is_language_code(code: str) -> bool:
    """A lowercase ISO 639-1 code the language detector knows: content may be written in any language e5 reads,
    and a typo in a block's key (`cz`, `eng`) must still be an error, not a language."""
    if not re.fullmatch(r"[a-z]{2}", code):
        return False
    try:
        IsoCode639_1.from_str(code)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class EntryText:
    """An entry's text in one language: a FAQ question and answer, or a manual section's title and text."""

    question: str
    answer: str
    alternatives: tuple[str, ...] = ()


@dataclass(frozen=True)
class Entry:
    """One answerable piece of content; its `id` is stable across edits so answers can be cited and tracked."""

    id: str
    texts: dict[str, EntryText]
    path: Path
    line: int
    kind: Literal["faq", "manual"] = "faq"
    tags: tuple[str, ...] = ()
    product: str | None = None
    link: str | None = None

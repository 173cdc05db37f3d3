"""What the knowledge base is made of: entries with a text per language."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

LANGUAGES: tuple[str, ...] = ("cs", "pl", "lv", "en")


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

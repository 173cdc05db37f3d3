"""Ids for new FAQ entries, slugs of their question: for imports and for drafts from unanswered questions.

A module of its own so that the api (which drafts entries from its back office) names new entries without importing
the importer and its readers (openpyxl, selectolax, markdown-it), which only `shopbot-kb import` needs.
"""
from __future__ import annotations

from knowledge.lexical import fold
from knowledge.manuals import slug

LONGEST_SLUG = 60  # ids from questions: long enough to tell them apart, short enough to read in a citation


def new_entry_id(question: str, taken: set[str]) -> str:
    """A slug of a question, cut at a word, made unique with -2, -3 … (imports, and drafts from unanswered questions)."""
    base = slug(fold(question))
    if len(base) > LONGEST_SLUG:
        base = base[:LONGEST_SLUG].rsplit("-", 1)[0]
    base = base or "question"
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}-{number}"
    return candidate

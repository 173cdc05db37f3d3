"""The rules an FAQ entry follows wherever it comes from: a file (`shopbot-kb validate`, the index), the editor page or
an import. Written once, as checks on an entry's plain data that name the field at fault (e.g. `pl.answer`): the
editor shows the reason next to that input, `knowledge.faq` turns the field into the file's line."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from contracts.languages import LANGUAGES
from knowledge.links import link_problem

# Used with fullmatch: `$` would also accept a trailing newline (`account-create\n` beside `account-create`)
ENTRY_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# The longest texts an entry takes: a chat shows the answer whole, and a question longer than this is a pasted article,
# not a customer's question.
MAX_ID, MAX_QUESTION, MAX_ANSWER, MAX_LINK = 160, 500, 20_000, 500


@dataclass(frozen=True)
class FieldProblem:
    """One field of an entry that breaks a rule, named the way the editor page names its inputs (e.g. `pl.answer`)."""

    field: str
    message: str


def check_entry(data: dict[str, Any], languages: Sequence[str] = LANGUAGES) -> list[FieldProblem]:
    """Every rule the entry breaks; `languages`: the blocks to check (the editor's: those the shop writes; a file's:
    those it has)."""
    problems = []
    if not ENTRY_ID.fullmatch(str(data.get("id") or "")):
        problems.append(FieldProblem("id", "use lowercase letters, digits and dashes, e.g. `delivery-to-slovakia`"))
    elif len(data["id"]) > MAX_ID:
        problems.append(FieldProblem("id", f"an id has at most {MAX_ID} characters"))
    link = data.get("link")
    if link and (problem := link_problem(str(link)) or _too_long(str(link), MAX_LINK)):
        problems.append(FieldProblem("link", problem))
    written = [lang for lang in languages if is_written(data.get(lang))]
    if not written:
        problems.append(FieldProblem(f"{languages[0] if languages else LANGUAGES[0]}.question", "write the question and answer in one language at least"))
    for lang in languages:
        text = data.get(lang) or {}
        for field, longest in (("question", MAX_QUESTION), ("answer", MAX_ANSWER)):
            value = str(text.get(field) or "").strip()
            if lang in written and not value:
                problems.append(FieldProblem(f"{lang}.{field}", f"write the {field} in {lang} too, or leave the {lang} fields empty"))
            elif problem := _too_long(value, longest):
                problems.append(FieldProblem(f"{lang}.{field}", problem))
        alternatives = [str(a).strip() for a in text.get("alternatives") or []]
        if any(not a for a in alternatives):
            problems.append(FieldProblem(f"{lang}.alternatives", "remove the empty line"))
        if len({a.casefold() for a in alternatives}) < len(alternatives):
            problems.append(FieldProblem(f"{lang}.alternatives", "a phrasing is there twice"))
    return problems


def _too_long(text: str, longest: int) -> str | None:
    return f"{len(text)} characters, at most {longest}: shorten it" if len(text) > longest else None


def is_written(text: dict[str, Any] | None) -> bool:
    """Whether an entry's block in one language has any text (a question, an answer or a phrasing)."""
    text = text or {}
    return any(str(text.get(field) or "").strip() for field in ("question", "answer")) or any(str(a).strip() for a in text.get("alternatives") or [])

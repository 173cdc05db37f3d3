"""`shopbot-kb import`: a shop's FAQ as it publishes it (tables, help pages) → entries in `faq/<topic>.yml`, for review in git.

A text is matched to the content before anything is written: a row naming an existing id, or asking an existing
entry's question in the same language, fills the languages that entry lacks; where the entry already has the
language, the editor's text is kept (and said so) unless `replace`. Other questions become new entries, with an id
made from the question and a file named after their topic. Everything is saved through the editor
(`FaqEditor.save_all`): the files look as editors write them, and nothing is written unless the whole content,
as it would be, passes the validator that `shopbot-kb validate` runs.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from contracts.languages import LANGUAGES
from knowledge.content import load_content
from knowledge.editing import EditableEntry, EntryChange, FaqEditor
from knowledge.entry_ids import new_entry_id
from knowledge.errors import ContentError
from knowledge.faq_rules import MAX_ID, check_entry
from knowledge.language import LanguageGuesser
from knowledge.lexical import fold
from knowledge.manuals import id_language, slug
from knowledge.sources import Found, Skipped, read_source

DEFAULT_TOPIC = "imported"
LONGEST_FILE = 40


@dataclass(frozen=True)
class Change:
    """One text the import changed or left: which entry, which language, and the row or page it came from."""

    entry_id: str
    language: str
    where: str
    before: str = ""


@dataclass
class ImportReport:
    """What an import read, wrote (or with a dry run would write) and left out, for the person who ran it."""

    read: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)  # new entries' ids
    filled: list[Change] = field(default_factory=list)  # a language an existing entry lacked
    kept: list[Change] = field(default_factory=list)  # the editor's text, left as it was
    replaced: list[Change] = field(default_factory=list)
    linked: list[Change] = field(default_factory=list)  # a link an existing entry lacked
    unchanged: int = 0  # texts the content already has word for word
    files: dict[Path, str] = field(default_factory=dict)  # each file's text after the import
    before: dict[Path, str | None] = field(default_factory=dict)  # ... and before it (None: a new file)

    @property
    def changed(self) -> bool:
        return bool(self.files)


@dataclass
class _Draft:
    """An entry as the sources give it: its texts per language, then matched to the content."""

    id: str | None
    topic: str | None
    link: str | None
    texts: dict[str, Found] = field(default_factory=dict)
    link_where: str = ""


def import_faq(content_dir: Path, sources: Sequence[str], *, topic: str | None = None, language: str | None = None,
               replace: bool = False, write: bool = True, detect: Callable[[str], str | None] | None = None) -> ImportReport:
    """Read every source first (an unreadable one stops the import before anything is written), then merge and save."""
    _check_existing(content_dir)
    detect = detect or _confident_language
    report = ImportReport()
    found: list[Found] = []
    for source in sources:
        read = read_source(source, language=language, detect=detect)
        found += read.found
        report.skipped += read.skipped
        report.notes += read.notes
    usable = [record for record in (_usable(record, detect, report) for record in found) if record is not None]
    report.read = len(usable)
    editor = FaqEditor(content_dir)
    current = {entry.id: entry for entry in editor.entries()}
    drafts = _drafts(usable, current, report)
    # manual sections' ids have a `/`, which slugs never have: only FAQ ids can be taken
    changes = _changes(drafts, current, set(current), default_topic=topic, replace=replace, report=report)
    if changes:
        before = {path: path.read_text(encoding="utf-8") for path in sorted((content_dir / "faq").glob("*.yml"))}
        saved = editor.save_all(changes, whole_content=True, write=write)
        report.files = saved.files
        report.before = {path: before.get(path) for path in saved.files}
    return report


def _check_existing(content_dir: Path) -> None:
    """The content must be valid before an import adds to it; a shop without FAQ files yet is where imports start."""
    try:
        load_content(content_dir)
    except ContentError as exc:
        problems = [p for p in exc.problems if not (p.path == content_dir / "faq" and p.line == 0)]
        if problems:
            raise ContentError(problems) from None


@cache
def _guesser() -> LanguageGuesser:
    return LanguageGuesser()


def _confident_language(text: str) -> str | None:
    return _guesser().confident(text)


def _usable(record: Found, detect: Callable[[str], str | None], report: ImportReport) -> Found | None:
    """The record with its language, or None (reported) when it cannot become an entry's text as it is."""
    language = record.language or detect(f"{record.question}\n{record.answer}")
    if language is None:
        report.skipped.append(Skipped(record.where, "could not tell its language: add a language column, or give --language"))
        return None
    problems = check_entry({"id": "x", "link": record.link, language: {"question": record.question, "answer": record.answer}})
    if problems:
        report.skipped.append(Skipped(record.where, "; ".join(f"{p.field.split('.')[-1]}: {p.message}" for p in problems)))
        return None
    return Found(record.where, record.question, record.answer, language, record.id, record.topic, record.link, record.group)


def _drafts(records: list[Found], current: dict[str, EditableEntry], report: ImportReport) -> list[_Draft]:
    """Records → entries: by the id they give, by the row they share, by the question an entry already has, else one each."""
    by_question = {(lang, fold(" ".join(text["question"].split()))): entry.id
                   for entry in current.values() for lang in LANGUAGES if (text := entry.data.get(lang)) and text.get("question")}
    drafts: dict[str, _Draft] = {}
    for record in records:
        assert record.language is not None  # set by _usable
        question_key = (record.language, fold(" ".join(record.question.split())))
        if record.id is not None:
            entry_id = slug(fold(record.id))[:MAX_ID]
            if not entry_id:
                report.skipped.append(Skipped(record.where, f"the id {record.id!r} has no letters or digits: give it one, or leave it empty"))
                continue
            key = f"id:{entry_id}"
        elif record.group is not None:
            entry_id, key = None, f"row:{record.group}"
        elif question_key in by_question:
            entry_id = by_question[question_key]
            key = f"id:{entry_id}"
        else:
            entry_id, key = None, f"question:{question_key}"
        draft = drafts.setdefault(key, _Draft(entry_id, record.topic, record.link, link_where=record.where))
        if record.language in draft.texts:
            first = draft.texts[record.language]
            reason = "the same question as" if key.startswith("question:") else f"a second {record.language} text for this entry; the first is"
            report.skipped.append(Skipped(record.where, f"{reason} {first.where}"))
            continue
        draft.texts[record.language] = record
        draft.topic = draft.topic or record.topic
        if draft.link is None and record.link:
            draft.link, draft.link_where = record.link, record.where
    return list(drafts.values())


def _changes(drafts: list[_Draft], current: dict[str, EditableEntry], taken: set[str], *, default_topic: str | None, replace: bool,
             report: ImportReport) -> list[EntryChange]:
    changes = []
    for draft in drafts:
        if draft.id is None:
            draft.id = _new_id(draft, taken)
        taken.add(draft.id)
        existing = current.get(draft.id)
        if existing is None:
            data: dict[str, Any] = {"id": draft.id, **({"link": draft.link} if draft.link else {})}
            data |= {lang: {"question": text.question, "answer": text.answer} for lang, text in draft.texts.items()}
            changes.append(EntryChange(data, None, _file_name(draft.topic or default_topic)))
            report.added.append(draft.id)
        elif (merged := _merged(existing.data, draft, replace, report)) is not None:
            changes.append(EntryChange(merged, existing.version))
    return changes


def _merged(data: dict[str, Any], draft: _Draft, replace: bool, report: ImportReport) -> dict[str, Any] | None:
    """The existing entry with the draft's languages it lacks (and with `replace`, the draft's texts); None when nothing changes."""
    assert draft.id is not None
    merged = {**data}
    for lang, text in draft.texts.items():
        old = merged.get(lang) or {}
        change = Change(draft.id, lang, text.where, f"{old.get('question', '')} / {old.get('answer', '')}")
        if not old.get("answer"):
            merged[lang] = {"question": text.question, "answer": text.answer}
            report.filled.append(change)
        elif _same(old.get("question"), text.question) and _same(old.get("answer"), text.answer):
            report.unchanged += 1
        elif replace:
            merged[lang] = {**old, "question": text.question, "answer": text.answer}  # phrasings of the question stay
            report.replaced.append(change)
        else:
            report.kept.append(change)
    if draft.link and draft.link != data.get("link"):
        if not data.get("link") or replace:
            merged["link"] = draft.link
            report.linked.append(Change(draft.id, "", draft.link_where, str(data.get("link") or "")))
        else:
            report.notes.append(f"kept the link of {draft.id} ({data['link']}), not {draft.link} from {draft.link_where}: use --replace to take it")
    return merged if merged != data else None


def _same(old: Any, new: str) -> bool:
    return " ".join(str(old or "").split()) == " ".join(new.split())


def _new_id(draft: _Draft, taken: set[str]) -> str:
    """A slug of the question (in English when the entry has it)."""
    lang = id_language(set(draft.texts))
    assert lang is not None
    return new_entry_id(draft.texts[lang].question, taken)


def _file_name(topic: str | None) -> str:
    name = slug(fold(topic or DEFAULT_TOPIC))[:LONGEST_FILE].strip("-") or DEFAULT_TOPIC
    return f"{name}.yml"

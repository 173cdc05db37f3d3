"""The editor page's endpoints for signed-in editors: browse and edit FAQ entries and manual sections, add FAQ
entries, and preview answers.

Saving writes the plain FAQ files (see knowledge/editing.py) and rebuilds the index before answering, so
the next customer question is answered from the edit; a broken edit is refused and changes nothing.
"""
from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Query, status

from api.domain_errors import Conflict, EditRefused, NotFound
from api.web.deps import CurrentEditor, ServicesDep
from api.web.schemas import EntryOut, EntrySave, EntrySummary, Language, PreviewIn, PreviewOut
from knowledge import ContentError
from knowledge.editing import EditableEntry, EditConflict, EntryNotFound, InvalidEdit
from knowledge.lexical import fold  # case- and accent-insensitive: `doruceni` finds `doručení`

router = APIRouter(prefix="/api/editor", tags=["editor"])


def _kind(entry_id: str) -> str:
    return "manual" if "/" in entry_id else "faq"  # manual sections are `<manual>/<section>`


def _entry_out(entry: EditableEntry, index: dict | None = None) -> EntryOut:
    return EntryOut(id=entry.id, kind=_kind(entry.id), file=entry.file, version=entry.version, entry=entry.data,
                    missing_languages=entry.missing_languages, index=index)


RELATED = 10  # entries the product's own search adds to the literal matches


def _literal_match(entry: EditableEntry, needle: str) -> bool:
    texts = [entry.id] + [str(v) for text in entry.data.values() if isinstance(text, dict) for k, v in text.items() if k != "alternatives"]
    texts += [a for text in entry.data.values() if isinstance(text, dict) for a in text.get("alternatives") or []]
    return any(needle in fold(t) for t in texts)


@router.get("/entries")
async def list_entries(editor: CurrentEditor, services: ServicesDep, q: Annotated[str, Query(max_length=200)] = "",
                       language: Language | None = None) -> list[EntrySummary]:
    """Every FAQ entry and manual section; with `q`, the entries the bot's own search finds for it, best first (an editor
    looking for "doprava" also wants the pick-up point and delivery time entries), then those whose id or text in any
    language contains `q` literally. Titles in `language`, else in the first served language the entry has."""
    query = q.strip()
    everything = await asyncio.to_thread(lambda: services.faq_editor.entries() + services.manual_editor.sections())
    languages = services.shop.current.languages
    chosen = everything
    if query:
        guessed = services.responders().languages.guess(query, previous=language or services.shop.current.default_language)
        hits = await asyncio.to_thread(services.knowledge.search, query, lang=guessed, k=RELATED)
        rank = {hit.entry_id: position for position, hit in enumerate(hits)}
        needle = fold(query)
        chosen = sorted((e for e in everything if e.id in rank or _literal_match(e, needle)), key=lambda e: rank.get(e.id, len(rank)))
    found = []
    for entry in chosen:
        shown: dict = next((entry.data[lang] for lang in (language, *languages) if lang and entry.data.get(lang)), {})
        found.append(EntrySummary(id=entry.id, kind=_kind(entry.id), file=entry.file, title=shown.get("question") or entry.id,
                                  missing_languages=entry.missing_languages,
                                  alternatives={lang: len((entry.data.get(lang) or {}).get("alternatives") or []) for lang in languages}))
    return found


@router.get("/files")
async def list_files(editor: CurrentEditor, services: ServicesDep) -> list[str]:
    """The FAQ files a new entry can go to."""
    return sorted(path.name for path in (services.settings.content_dir / "faq").glob("*.yml"))


@router.get("/entries/{entry_id:path}")
async def get_entry(entry_id: str, editor: CurrentEditor, services: ServicesDep) -> EntryOut:
    try:
        editor_of_kind = services.manual_editor if _kind(entry_id) == "manual" else services.faq_editor
        return _entry_out(await asyncio.to_thread(editor_of_kind.get, entry_id))
    except EntryNotFound as exc:
        raise NotFound(str(exc)) from exc


async def _save(services: ServicesDep, body: EntrySave, *, version: str | None) -> EntryOut:
    data = body.entry.model_dump(exclude_none=True)
    try:
        if _kind(body.entry.id) == "manual" and version is not None:
            saved = await asyncio.to_thread(services.manual_editor.save, body.entry.id, data, version=version)
        else:
            saved = await asyncio.to_thread(services.faq_editor.save, data, version=version, file=body.file)
    except InvalidEdit as exc:
        raise EditRefused(str(exc), problems=[{"field": p.field, "message": p.message} for p in exc.problems]) from exc
    except EditConflict as exc:
        raise Conflict(str(exc), current=exc.current) from exc
    except EntryNotFound as exc:
        raise NotFound(str(exc)) from exc
    except ContentError as exc:
        raise EditRefused(str(exc), problems=[{"field": "file", "message": str(p)} for p in exc.problems]) from exc
    # Rebuild now (only the changed texts are embedded) so the next customer gets the edit; the file watcher would too.
    await asyncio.to_thread(services.knowledge.reload)
    return _entry_out(saved, services.knowledge.status())


@router.put("/entries/{entry_id:path}")
async def update_entry(entry_id: str, body: EntrySave, editor: CurrentEditor, services: ServicesDep) -> EntryOut:
    """Save an edit of the version you opened; 409 with the current entry if someone saved in between.

    A manual section's id follows its English title: renaming it returns the section under its new id.
    """
    if body.entry.id != entry_id:
        raise EditRefused("the id cannot be changed: answers are cited and tracked by it; add a new entry instead",
                          problems=[{"field": "id", "message": "the id cannot be changed"}])
    if not body.version:
        raise EditRefused("send the `version` you opened, so that nobody's edit is overwritten", problems=[])
    return await _save(services, body, version=body.version)


@router.post("/entries", status_code=status.HTTP_201_CREATED)
async def create_entry(body: EntrySave, editor: CurrentEditor, services: ServicesDep) -> EntryOut:
    return await _save(services, body, version=None)


@router.post("/preview")
async def preview(body: PreviewIn, editor: CurrentEditor, services: ServicesDep) -> PreviewOut:
    """How the bot would answer a question now: its decision and the ranked hits with their scores."""
    decision = await asyncio.to_thread(services.knowledge.decide, body.question, lang=body.language)
    return PreviewOut(decision=decision.action, hits=[hit.__dict__ for hit in decision.hits])

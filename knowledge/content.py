"""Content files → typed entries (FAQ entries and manual sections), every problem reported by file and line.

The formats are documented in `knowledge/README.md`: FAQ files in `faq/*.yml` (see `knowledge.faq`)
and manuals in `manuals/<manual-id>/<lang>.md` (see `knowledge.manuals`).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from contracts.languages import LANGUAGES
from knowledge.entries import Entry, EntryText
from knowledge.errors import ContentError, ContentProblem
from knowledge.faq import load_faq_file
from knowledge.manuals import load_manual

__all__ = ["LANGUAGES", "Content", "Entry", "EntryText", "content_files", "fingerprint_files", "load_content"]

@dataclass(frozen=True)
class Content:
    """All content files, loaded and validated, with a fingerprint of their bytes."""

    entries: list[Entry] = field(default_factory=list)
    fingerprint: str = ""


def content_files(root: Path) -> list[Path]:
    """The files that make up the knowledge base, in a stable order."""
    return sorted((root / "faq").glob("*.yml")) + sorted((root / "manuals").glob("*/*.md"))


def fingerprint_files(paths: list[Path]) -> str:
    """A hash of the files' names and bytes: the index is rebuilt only when it changes."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def load_content(root: Path) -> Content:
    """Load and validate every content file under `root`; raise ContentError listing all problems."""
    paths = content_files(root)
    entries: list[Entry] = []
    problems: list[ContentProblem] = []
    if not any(path.suffix == ".yml" for path in paths):
        problems.append(ContentProblem(root / "faq", 0, "no FAQ files (*.yml) found"))
    for path in paths:
        if path.suffix == ".yml":
            file_entries, file_problems = load_faq_file(path)
            entries.extend(file_entries)
            problems.extend(file_problems)
    for manual_dir in sorted(p for p in (root / "manuals").glob("*") if p.is_dir()):
        manual_entries, manual_problems = load_manual(manual_dir)
        entries.extend(manual_entries)
        problems.extend(manual_problems)
    seen: dict[str, Entry] = {}
    for entry in entries:
        if entry.id in seen:
            first = seen[entry.id]
            problems.append(ContentProblem(entry.path, entry.line, f"duplicate id `{entry.id}` (first used at {first.path}:{first.line}): give this entry its own id"))
        else:
            seen[entry.id] = entry
    if problems:
        raise ContentError(problems)
    return Content(entries=entries, fingerprint=fingerprint_files(paths))

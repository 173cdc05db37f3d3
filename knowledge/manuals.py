"""Product manuals (`manuals/<manual-id>/<lang>.md`) → one entry per section, cited as manual and section.

A manual file starts with `# Title`; each `## Section` starts a passage. A manual needs one language
file at least; sections match across the languages it has by position, so those must have the same
sections in the same order. A section's id is the manual id plus the slug of its title in the id
language: English when the manual has it, else the first of cs, pl, lv it has (`aroma-pro/descaling`).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from contracts.languages import LANGUAGES
from knowledge.entries import Entry, EntryText, is_language_code
from knowledge.errors import ContentProblem


@dataclass(frozen=True)
class _Section:
    title: str
    text: str
    line: int


@dataclass(frozen=True)
class _ManualFile:
    title: str
    sections: list[_Section]


def slug(text: str) -> str:
    """'Cleaning & descaling' → 'cleaning-descaling'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def parse_manual_file(path: Path, problems: list[ContentProblem]) -> _ManualFile | None:
    """Split one Markdown file at its `## ` headings; report structure problems by line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        problems.append(ContentProblem(path, 1, "the file is not UTF-8 text"))
        return None
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None or not lines[first].startswith("# "):
        problems.append(ContentProblem(path, (first or 0) + 1, "a manual must start with its title as `# Title`"))
        return None
    title = lines[first][2:].strip()
    sections: list[_Section] = []
    current: tuple[str, int, list[str]] | None = None
    for number, line in enumerate(lines[first + 1:], start=first + 2):
        if line.startswith("# "):
            problems.append(ContentProblem(path, number, "only one `# Title` per manual: use `## ` for sections"))
        elif line.startswith("## "):
            if current:
                sections.append(_finish(current, path, problems))
            current = (line[3:].strip(), number, [])
        elif current:
            current[2].append(line)
        elif line.strip():
            problems.append(ContentProblem(path, number, "text before the first `## Section` heading: move it into a section"))
    if current:
        sections.append(_finish(current, path, problems))
    if not sections:
        problems.append(ContentProblem(path, first + 1, "the manual has no `## Section` headings"))
    return _ManualFile(title, sections)


def _finish(current: tuple[str, int, list[str]], path: Path, problems: list[ContentProblem]) -> _Section:
    title, line, body = current
    text = "\n".join(body).strip()
    if not title:
        problems.append(ContentProblem(path, line, "a section heading has no title"))
    if not text:
        problems.append(ContentProblem(path, line, f"section `{title}` is empty: write its text or remove the heading"))
    return _Section(title, text, line)


def id_language(languages: set[str]) -> str | None:
    """The language whose section titles give the sections' ids: English when there, else the first of the others."""
    return next((lang for lang in ("en", *LANGUAGES, *sorted(languages)) if lang in languages), None)


def section_id(manual_id: str, title: str) -> str:
    """A section's id: the manual's and its title's slug (in the id language: `id_language`)."""
    return f"{manual_id}/{slug(title)}"


def load_manual(manual_dir: Path) -> tuple[list[Entry], list[ContentProblem]]:
    """The language files a manual has (one at least) → one entry per section."""
    problems: list[ContentProblem] = []
    manual_id = manual_dir.name
    languages = []
    for path in sorted(manual_dir.glob("*.md")):
        if is_language_code(path.stem):
            languages.append(path.stem)
        else:
            problems.append(ContentProblem(path, 1, f"unknown language file `{path.name}`: name it by its language's code, e.g. cs.md or en.md"))
    files: dict[str, _ManualFile] = {}
    for lang in languages:
        if parsed := parse_manual_file(manual_dir / f"{lang}.md", problems):
            files[lang] = parsed
    reference = id_language(set(files))
    if reference is None:
        if not languages:
            problems.append(ContentProblem(manual_dir / "en.md", 0, f"manual `{manual_id}` has no language file: add at least one of cs.md, pl.md, lv.md, en.md"))
        return [], problems
    if problems:
        return [], problems
    count = len(files[reference].sections)
    for lang, manual in files.items():
        if len(manual.sections) != count:
            problems.append(ContentProblem(manual_dir / f"{lang}.md", 1, f"{len(manual.sections)} sections, but {reference}.md has {count}: "
                                           "every language needs the same sections in the same order"))
    if problems:
        return [], problems
    entries = []
    for index, section in enumerate(files[reference].sections):
        texts = {lang: EntryText(f"{manual.title}: {manual.sections[index].title}", manual.sections[index].text) for lang, manual in files.items()}
        entries.append(Entry(section_id(manual_id, section.title), texts, manual_dir / f"{reference}.md", section.line, "manual", (manual_id,), manual_id))
    return entries, problems

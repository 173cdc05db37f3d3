"""Product manuals (`manuals/<manual-id>/<lang>.md`) → one entry per section, cited as manual and section.

A manual file starts with `# Title`; each `## Section` starts a passage. Sections match across
languages by position, so every language must have the same sections in the same order. A
section's id is the manual id plus the slug of its English title (`aroma-pro/descaling`).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from knowledge.entries import LANGUAGES, Entry, EntryText
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


def load_manual(manual_dir: Path) -> tuple[list[Entry], list[ContentProblem]]:
    """All four language files of one manual → one entry per section."""
    problems: list[ContentProblem] = []
    manual_id = manual_dir.name
    for path in sorted(manual_dir.glob("*.md")):
        if path.stem not in LANGUAGES:
            problems.append(ContentProblem(path, 1, f"unknown language file `{path.name}`: name it cs.md, pl.md, lv.md or en.md"))
    files: dict[str, _ManualFile] = {}
    for lang in LANGUAGES:
        path = manual_dir / f"{lang}.md"
        if not path.exists():
            problems.append(ContentProblem(path, 0, f"manual `{manual_id}` has no {lang} translation: add {lang}.md"))
            continue
        parsed = parse_manual_file(path, problems)
        if parsed:
            files[lang] = parsed
    if "en" not in files or problems:
        return [], problems
    count = len(files["en"].sections)
    for lang, manual in files.items():
        if len(manual.sections) != count:
            problems.append(ContentProblem(manual_dir / f"{lang}.md", 1, f"{len(manual.sections)} sections, but en.md has {count}: every language needs the same sections in the same order"))
    if problems:
        return [], problems
    entries = []
    for index, en_section in enumerate(files["en"].sections):
        texts = {lang: EntryText(f"{manual.title}: {manual.sections[index].title}", manual.sections[index].text) for lang, manual in files.items()}
        entries.append(Entry(f"{manual_id}/{slug(en_section.title)}", texts, manual_dir / "en.md", en_section.line, "manual", (manual_id,), manual_id))
    return entries, problems

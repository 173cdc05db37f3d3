"""Editing FAQ entries and manual sections from the editor page: the same plain files the CLI and git review use.

Files are rewritten with ruamel.yaml's round trip, so editors' comments, key order and layout stay; each
entry carries a version (a hash of its content) so that two editors saving the same entry are told about
each other instead of one silently overwriting the other. A file is replaced atomically, and only after
the whole file has passed the same validator `shopbot-kb validate` runs.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import re
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import FoldedScalarString

from knowledge.content import load_content
from knowledge.entries import LANGUAGES
from knowledge.errors import ContentError, ContentProblem, KnowledgeError
from knowledge.faq import load_faq_file
from knowledge.links import link_problem
from knowledge.manuals import parse_manual_file, slug

# Used with fullmatch: `$` would also accept a trailing newline (`account-create\n` beside `account-create`)
ENTRY_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
FILE_NAME = re.compile(r"[a-z0-9][a-z0-9-]*\.yml")
LONG_TEXT = 100  # answers longer than this are written as folded blocks (`>-`) of lines this long, as editors write them


@dataclass(frozen=True)
class FieldProblem:
    """One field of an edit that cannot be saved, named the way the page names its inputs (e.g. `pl.answer`)."""

    field: str
    message: str


class InvalidEdit(KnowledgeError):
    def __init__(self, problems: list[FieldProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))


class EditConflict(KnowledgeError):
    """Someone saved the entry after this editor opened it."""

    def __init__(self, entry_id: str, current: dict[str, Any]) -> None:
        self.entry_id = entry_id
        self.current = current
        super().__init__(f"entry `{entry_id}` was changed by someone else since you opened it: reload it and apply your edit again")


class EntryNotFound(KnowledgeError):
    pass


@dataclass(frozen=True)
class EditableEntry:
    """An FAQ entry as plain data, with the file it lives in and the version the editor must send back."""

    id: str
    file: str
    data: dict[str, Any]
    version: str

    @property
    def missing_languages(self) -> list[str]:
        return [lang for lang in LANGUAGES if not (self.data.get(lang) or {}).get("answer")]


def entry_version(data: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def _plain(node: Any) -> Any:
    """ruamel's commented containers → plain dicts, lists and strings."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return str(node) if isinstance(node, str) else node


def check_entry(data: dict[str, Any]) -> list[FieldProblem]:
    """What the page shows next to each field before anything is written."""
    problems = []
    if not ENTRY_ID.fullmatch(str(data.get("id") or "")):
        problems.append(FieldProblem("id", "use lowercase letters, digits and dashes, e.g. `delivery-to-slovakia`"))
    link = data.get("link")
    if link and (problem := link_problem(str(link))):
        problems.append(FieldProblem("link", problem))
    written = [lang for lang in LANGUAGES if _written(data.get(lang))]
    if not written:
        problems.append(FieldProblem(f"{LANGUAGES[0]}.question", "write the question and answer in one language at least"))
    for lang in LANGUAGES:
        text = data.get(lang) or {}
        for field in ("question", "answer"):
            if lang in written and not str(text.get(field) or "").strip():
                problems.append(FieldProblem(f"{lang}.{field}", f"write the {field} in {lang} too, or leave the {lang} fields empty"))
        alternatives = [str(a).strip() for a in text.get("alternatives") or []]
        if any(not a for a in alternatives):
            problems.append(FieldProblem(f"{lang}.alternatives", "remove the empty line"))
        if len({a.casefold() for a in alternatives}) < len(alternatives):
            problems.append(FieldProblem(f"{lang}.alternatives", "a phrasing is there twice"))
    return problems


def _written(text: dict[str, Any] | None) -> bool:
    """Whether an entry's block in one language has any text (a question, an answer or a phrasing)."""
    text = text or {}
    return any(str(text.get(field) or "").strip() for field in ("question", "answer")) or any(str(a).strip() for a in text.get("alternatives") or [])


def _yaml() -> YAML:
    yaml = YAML()
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096  # never wrap a phrasing: one alternative, one line
    yaml.preserve_quotes = True
    return yaml


def _entry_node(data: dict[str, Any], existing: CommentedMap | None) -> CommentedMap:
    """The entry as ruamel nodes, reusing the existing node so comments on untouched fields stay."""
    node = existing if existing is not None else CommentedMap()
    node["id"] = data["id"]
    for key in ("tags", "product", "link"):
        value = data.get(key)
        if not value:
            node.pop(key, None)
        elif _plain(node.get(key)) != value:  # untouched fields keep their quoting
            node[key] = CommentedSeq(value) if key == "tags" else value
            if key == "tags":
                node[key].fa.set_flow_style()
    for lang in LANGUAGES:
        text = data.get(lang) or {}
        if not _written(text):  # a language the shop does not write in (yet): no block, listed as missing
            node.pop(lang, None)
            continue
        block = node.get(lang) if isinstance(node.get(lang), CommentedMap) else CommentedMap()
        if str(block.get("question") or "") != text["question"].strip():
            block["question"] = text["question"].strip()
        alternatives = [a.strip() for a in text.get("alternatives") or []]
        if not alternatives:
            block.pop("alternatives", None)
        elif _plain(block.get("alternatives")) != alternatives:  # untouched lists keep their quoting and comments
            block["alternatives"] = CommentedSeq(alternatives)
        answer = " ".join(text["answer"].split())
        if " ".join(str(block.get("answer") or "").split()) != answer:  # unchanged answers keep their line breaks
            block["answer"] = _folded(answer) if len(answer) > LONG_TEXT else answer
        node[lang] = block
    return node


def _folded(text: str) -> FoldedScalarString:
    """A `>-` block broken at spaces into lines of at most LONG_TEXT characters."""
    folded = FoldedScalarString(text)
    folds, line_start, last_space = [], 0, None
    for i, char in enumerate(text):
        if char == " ":
            if i - line_start > LONG_TEXT and last_space is not None:
                folds.append(last_space)
                line_start = last_space + 1
            last_space = i
    folded.fold_pos = folds
    return folded


class FaqEditor:
    """Reads and writes FAQ entries under `content_dir/faq`; one writer at a time per process."""

    def __init__(self, content_dir: Path) -> None:
        self.faq_dir = content_dir / "faq"
        self.content_dir = content_dir
        self._lock = threading.Lock()
        self._parsed: dict[Path, tuple[tuple[int, int], list[dict[str, Any]]]] = {}

    def _files(self) -> list[Path]:
        return sorted(self.faq_dir.glob("*.yml"))

    def _load(self, path: Path) -> CommentedMap:
        return _yaml().load(path.read_text(encoding="utf-8"))

    def _plain_entries(self, path: Path) -> list[dict[str, Any]]:
        """A file's entries as plain data, parsed again only when the file changed (parsing is the slow part)."""
        stat = path.stat()
        key = (stat.st_mtime_ns, stat.st_size)
        cached = self._parsed.get(path)
        if cached is None or cached[0] != key:
            cached = self._parsed[path] = (key, [_plain(node) for node in (self._load(path) or CommentedMap()).get("entries") or []])
        return cached[1]

    def entries(self) -> list[EditableEntry]:
        return [EditableEntry(str(data.get("id")), path.name, data, entry_version(data))
                for path in self._files() for data in self._plain_entries(path)]

    def get(self, entry_id: str) -> EditableEntry:
        for entry in self.entries():
            if entry.id == entry_id:
                return entry
        raise EntryNotFound(f"no FAQ entry `{entry_id}`")

    def save(self, data: dict[str, Any], *, version: str | None, file: str | None = None) -> EditableEntry:
        """Create (version None) or update an entry; validated, conflict-checked, written atomically."""
        problems = check_entry(data)
        if problems:
            raise InvalidEdit(problems)
        with self._lock:
            path, root, index = self._locate(data["id"], version=version, file=file)
            entries = root.setdefault("entries", CommentedSeq())
            existing = entries[index] if index is not None else None
            node = _entry_node(data, existing)
            if index is None:
                entries.append(node)
            self._write_checked(path, root)
        saved = _plain(node)
        return EditableEntry(saved["id"], path.name, saved, entry_version(saved))

    def _locate(self, entry_id: str, *, version: str | None, file: str | None) -> tuple[Path, CommentedMap, int | None]:
        """The file, its parsed tree and the entry's position (None for a new entry)."""
        for path in self._files():
            for i, current in enumerate(self._plain_entries(path)):
                if str(current.get("id")) != entry_id:
                    continue
                if version is None:
                    raise InvalidEdit([FieldProblem("id", f"`{entry_id}` is taken (in {path.name}): choose another id")])
                if entry_version(current) != version:
                    raise EditConflict(entry_id, current)
                return path, self._load(path), i
        if version is not None:
            raise EntryNotFound(f"no FAQ entry `{entry_id}`: it was deleted or renamed meanwhile")
        if entry_id in {entry.id for entry in load_content(self.content_dir).entries}:
            raise InvalidEdit([FieldProblem("id", f"`{entry_id}` is a manual section's id: choose another id")])
        name = file or "new.yml"
        if not FILE_NAME.fullmatch(name):
            raise InvalidEdit([FieldProblem("file", "a file name like `delivery.yml`: lowercase letters, digits, dashes")])
        path = self.faq_dir / name
        return path, (self._load(path) if path.exists() else CommentedMap(entries=CommentedSeq())), None

    def _write_checked(self, path: Path, root: CommentedMap) -> None:
        out = io.StringIO()
        _yaml().dump(root, out)
        _replace_checked(path, out.getvalue(), lambda temp: load_faq_file(temp)[1])


def check_section(data: dict[str, Any]) -> list[FieldProblem]:
    """A manual section needs a title and a text in every language, and no headings of its own inside."""
    problems = []
    for lang in LANGUAGES:
        text = data.get(lang) or {}
        title, body = str(text.get("question") or "").strip(), str(text.get("answer") or "").strip()
        if not title:
            problems.append(FieldProblem(f"{lang}.question", f"write the section's title in {lang}"))
        elif title.splitlines() != [title]:  # \r, \u2028 and the like break lines for the manual's parser as \n does
            problems.append(FieldProblem(f"{lang}.question", "a title is one line: remove the line break"))
        if not body:
            problems.append(FieldProblem(f"{lang}.answer", f"write the section's text in {lang}: every section needs all four languages"))
        elif any(line.startswith("#") for line in body.splitlines()):
            problems.append(FieldProblem(f"{lang}.answer", "a line starting with # would start a new section: remove the #"))
    return problems


class ManualEditor:
    """Edits one section of a manual in all four language files at once (sections match by position).

    Sections are edited, not added or removed, from the page: that changes every language file's order
    and is done in the files. A section's id follows its English title, so renaming it changes the id.
    """

    def __init__(self, content_dir: Path) -> None:
        self.manuals_dir = content_dir / "manuals"
        self._lock = threading.Lock()

    def _parsed(self, manual_dir: Path) -> dict[str, Any]:
        problems: list[ContentProblem] = []
        files = {lang: parse_manual_file(manual_dir / f"{lang}.md", problems) for lang in LANGUAGES if (manual_dir / f"{lang}.md").exists()}
        if problems or set(files) != set(LANGUAGES) or len({len(f.sections) for f in files.values() if f}) != 1:
            return {}
        return files

    def sections(self) -> list[EditableEntry]:
        found = []
        for manual_dir in sorted(p for p in self.manuals_dir.glob("*") if p.is_dir()):
            files = self._parsed(manual_dir)
            for index, section in enumerate(files["en"].sections if files else []):
                data: dict[str, Any] = {"id": f"{manual_dir.name}/{slug(section.title)}"}
                for lang, manual in files.items():
                    data[lang] = {"question": manual.sections[index].title, "answer": manual.sections[index].text}
                found.append(EditableEntry(data["id"], f"manuals/{manual_dir.name}", data, entry_version(data)))
        return found

    def get(self, entry_id: str) -> EditableEntry:
        for entry in self.sections():
            if entry.id == entry_id:
                return entry
        raise EntryNotFound(f"no manual section `{entry_id}`")

    def save(self, entry_id: str, data: dict[str, Any], *, version: str) -> EditableEntry:
        problems = check_section(data)
        if problems:
            raise InvalidEdit(problems)
        with self._lock:
            current = self.get(entry_id)
            if current.version != version:
                raise EditConflict(entry_id, current.data)
            manual_dir = self.manuals_dir / entry_id.split("/", 1)[0]
            position = [e.id for e in self.sections() if e.file == current.file].index(entry_id)
            texts = {lang: _replace_section((manual_dir / f"{lang}.md").read_text(encoding="utf-8"), position,
                                            data[lang]["question"].strip(), data[lang]["answer"].strip()) for lang in LANGUAGES}
            for lang, text in texts.items():  # check all four before writing any
                _checked_temp(manual_dir / f"{lang}.md", text, _markdown_problems).unlink()
            for lang, text in texts.items():
                _replace_checked(manual_dir / f"{lang}.md", text, _markdown_problems)
        new_id = f"{manual_dir.name}/{slug(data['en']['question'])}"
        return self.get(new_id)


def _replace_section(markdown: str, position: int, title: str, body: str) -> str:
    """The file with its `position`-th `## ` section replaced, everything else as it was."""
    lines = markdown.split("\n")
    starts = [i for i, line in enumerate(lines) if line.startswith("## ")]
    start = starts[position]
    end = starts[position + 1] if position + 1 < len(starts) else len(lines)
    trailing = [""] if end < len(lines) else ([""] if markdown.endswith("\n") else [])
    return "\n".join(lines[:start] + [f"## {title}", "", *body.split("\n"), *trailing] + lines[end:])


def _markdown_problems(path: Path) -> list[ContentProblem]:
    problems: list[ContentProblem] = []
    parse_manual_file(path, problems)
    return problems


def _checked_temp(path: Path, text: str, check: Callable[[Path], list[ContentProblem]]) -> Path:
    """`text` written beside `path` and checked as the validator would; ContentError (against `path`) if it fails."""
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    temp = Path(temp_name)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    problems = check(temp)
    if problems:  # cannot happen for checked fields; reported against the real file if it does
        temp.unlink()
        raise ContentError([ContentProblem(path, p.line, p.message) for p in problems])
    return temp


def _replace_checked(path: Path, text: str, check: Callable[[Path], list[ContentProblem]]) -> None:
    """Swap a checked file in atomically, or leave the old file untouched."""
    os.replace(_checked_temp(path, text, check), path)

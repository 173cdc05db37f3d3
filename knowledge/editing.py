"""Editing FAQ entries and manual sections from the editor page (and `shopbot-kb import`): the plain files git reviews.

Files are rewritten with ruamel.yaml's round trip, so editors' comments, key order and layout stay; each
entry carries a version (a hash of its content) so that two editors saving the same entry are told about
each other instead of one silently overwriting the other. A file is replaced atomically, and only after
the whole file has passed the same validator `shopbot-kb validate` runs.
"""
from __future__ import annotations

import functools
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString
from ruamel.yaml.tokens import CommentToken

from contracts.languages import LANGUAGES
from knowledge.content import load_content
from knowledge.entries import is_language_code
from knowledge.errors import ContentError, ContentProblem, KnowledgeError
from knowledge.faq import load_faq_file
from knowledge.faq_rules import FieldProblem, check_entry, is_written
from knowledge.manuals import id_language, load_manual, parse_manual_file, section_id

FILE_NAME = re.compile(r"[a-z0-9][a-z0-9-]*\.yml")
LONG_TEXT = 100  # answers longer than this are written as folded blocks (`>-`) of lines this long, as editors write them


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
    languages: tuple[str, ...] = LANGUAGES  # the shop's: a language it does not serve is no work to do

    @property
    def missing_languages(self) -> list[str]:
        return [lang for lang in self.languages if not (self.data.get(lang) or {}).get("answer")]


def entry_version(data: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def _plain(node: Any) -> Any:
    """ruamel's commented containers → plain dicts, lists and strings."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return str(node) if isinstance(node, str) else node


def _yaml() -> YAML:
    yaml = YAML()
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096  # never wrap a phrasing: one alternative, one line
    yaml.preserve_quotes = True
    return yaml


def _entry_node(data: dict[str, Any], existing: CommentedMap | None, languages: Sequence[str]) -> CommentedMap:
    """The entry as ruamel nodes, reusing the existing node so comments on untouched fields stay; blocks in languages
    the editor does not write (one the shop stopped serving) stay as they are."""
    node = existing if existing is not None else CommentedMap()
    _put(node, "id", data["id"])
    for key in ("tags", "product", "link"):
        value = data.get(key)
        if not value:
            node.pop(key, None)
        elif _plain(node.get(key)) != value:  # untouched fields keep their quoting
            _put(node, key, CommentedSeq(value) if key == "tags" else value)
            if key == "tags":
                node[key].fa.set_flow_style()
    for lang in languages:
        text = data.get(lang) or {}
        if not is_written(text):  # a language the shop does not write in (yet): no block, listed as missing
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
        _put(node, lang, block)
    return node


ENTRY_ORDER = ("id", "tags", "product", "link", *LANGUAGES)


def _field_rank(key: str) -> int:
    """Where a field goes; another language's block (sk) goes after the bot's four."""
    return ENTRY_ORDER.index(key) if key in ENTRY_ORDER else len(ENTRY_ORDER)


def _put(node: CommentedMap, key: str, value: Any) -> None:
    """Set a field; a new one goes where editors put it (id, tags, product, link, cs, pl, lv, en). A new last field takes
    over the blank line that separates the entry from the next, or a language added at the end would stand below it."""
    if key in node:
        node[key] = value
        return
    later = [i for i, k in enumerate(node) if _field_rank(k) > _field_rank(key)]
    if later:
        node.insert(later[0], key, value)
        return
    old_end = _end(node)
    comment = old_end[0].ca.items.get(old_end[1]) if old_end else None
    node[key] = value
    if comment and len(comment) > 2 and comment[2] is not None:
        token, comment[2] = comment[2], None
        if not token.value.strip():  # blank lines only: as many as a value of the new kind needs
            _blank_line_after(node)
        elif new_end := _end(node):
            new_end[0].ca.items[new_end[1]] = [None, None, token, None]


def _blank_line_after(entry: CommentedMap) -> None:
    """Editors keep a blank line between entries; ruamel keeps it as a comment after the entry's last value."""
    end = _end(entry)
    if end is None:
        return
    mapping, key = end
    comment = mapping.ca.items.get(key)
    if comment and len(comment) > 2 and comment[2] is not None:
        return
    block = isinstance(mapping[key], FoldedScalarString | LiteralScalarString)  # a block scalar ends with its line break
    mapping.ca.items[key] = [None, None, CommentToken("\n" if block else "\n\n", CommentMark(0), None), None]


def _end(node: CommentedMap) -> tuple[CommentedMap, Any] | None:
    """The innermost mapping an entry ends in and its last key: where ruamel keeps what follows the entry."""
    while node:
        last = list(node)[-1]
        if not isinstance(node[last], CommentedMap) or not node[last]:
            return node, last
        node = node[last]
    return None


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


@dataclass(frozen=True)
class EntryChange:
    """One FAQ entry to save: `version` is the one its writer read, None for a new entry (which goes to `file`)."""

    data: dict[str, Any]
    version: str | None
    file: str | None = None


@dataclass(frozen=True)
class Saved:
    """What a save wrote (or, not written, would write): each touched file's new text, and the entries as saved."""

    files: dict[Path, str]
    entries: list[EditableEntry]


class FaqEditor:
    """Reads and writes FAQ entries under `content_dir/faq`; one writer at a time per process."""

    def __init__(self, content_dir: Path, *, languages: Sequence[str] = LANGUAGES) -> None:
        """`languages`: those the editor writes and counts as missing (the shop's)."""
        self.languages = tuple(languages)
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
        return [EditableEntry(str(data.get("id")), path.name, data, entry_version(data), self.languages)
                for path in self._files() for data in self._plain_entries(path)]

    def get(self, entry_id: str) -> EditableEntry:
        for entry in self.entries():
            if entry.id == entry_id:
                return entry
        raise EntryNotFound(f"no FAQ entry `{entry_id}`")

    def save(self, data: dict[str, Any], *, version: str | None, file: str | None = None) -> EditableEntry:
        """Create (version None) or update an entry; validated, conflict-checked, written atomically."""
        return self.save_all([EntryChange(data, version, file)]).entries[0]

    def save_all(self, changes: Sequence[EntryChange], *, whole_content: bool = False, write: bool = True) -> Saved:
        """Several entries at once (an import): all are checked before any file is written, so it is all or nothing.

        Every touched file must pass the validator; with `whole_content` the content as it would be after the save
        must too (what `shopbot-kb validate` checks: ids unique across files, manuals), which takes a whole load.
        With `write` False nothing is written (the whole content is checked): the result says what would be.
        """
        for change in changes:
            if problems := check_entry(change.data, self.languages):
                raise InvalidEdit(problems)
        ids = [change.data["id"] for change in changes]
        if len(set(ids)) < len(ids):
            twice = sorted({i for i in ids if ids.count(i) > 1})
            raise InvalidEdit([FieldProblem("id", f"saved twice at once: {', '.join(twice)}")])
        with self._lock:
            trees: dict[Path, CommentedMap] = {}
            nodes: list[tuple[Path, CommentedMap]] = []
            manual_ids = functools.cache(self._manual_ids)  # loaded once, for the first new entry
            for change in changes:
                path, index = self._locate(change.data["id"], version=change.version, file=change.file, manual_ids=manual_ids)
                if path not in trees:
                    trees[path] = self._load(path) if path.exists() else CommentedMap(entries=CommentedSeq())
                entries = trees[path].setdefault("entries", CommentedSeq())
                node = _entry_node(change.data, entries[index] if index is not None else None, self.languages)
                if index is None:
                    if entries:
                        _blank_line_after(entries[-1])
                    entries.append(node)
                nodes.append((path, node))
            files = {path: _dumped(root) for path, root in trees.items()}
            if write:
                self._write(files, whole_content=whole_content)
            else:  # the staged copy is checked file by file too, and nothing is left in the content folder
                self._check_content(files)
        saved = [(path, _plain(node)) for path, node in nodes]
        return Saved(files, [EditableEntry(data["id"], path.name, data, entry_version(data), self.languages) for path, data in saved])

    def _locate(self, entry_id: str, *, version: str | None, file: str | None,
                manual_ids: Callable[[], set[str]]) -> tuple[Path, int | None]:
        """The entry's file and position in it (None for a new entry)."""
        for path in self._files():
            for i, current in enumerate(self._plain_entries(path)):
                if str(current.get("id")) != entry_id:
                    continue
                if version is None:
                    raise InvalidEdit([FieldProblem("id", f"`{entry_id}` is taken (in {path.name}): choose another id")])
                if entry_version(current) != version:
                    raise EditConflict(entry_id, current)
                return path, i
        if version is not None:
            raise EntryNotFound(f"no FAQ entry `{entry_id}`: it was deleted or renamed meanwhile")
        if entry_id in manual_ids():
            raise InvalidEdit([FieldProblem("id", f"`{entry_id}` is a manual section's id: choose another id")])
        name = file or "new.yml"
        if not FILE_NAME.fullmatch(name):
            raise InvalidEdit([FieldProblem("file", "a file name like `delivery.yml`: lowercase letters, digits, dashes")])
        return self.faq_dir / name, None

    def _write(self, files: dict[Path, str], *, whole_content: bool) -> None:
        self.faq_dir.mkdir(parents=True, exist_ok=True)
        _replace_all_checked(files, lambda temp: load_faq_file(temp)[1], then=lambda: self._check_content(files) if whole_content else None)

    def _manual_ids(self) -> set[str]:
        return {entry.id for manual in sorted((self.content_dir / "manuals").glob("*/")) for entry in load_manual(manual)[0]}

    def _check_content(self, files: dict[Path, str]) -> None:
        """Load the content as it would be with `files` written, in a copy; ContentError (with the real paths) if it fails."""
        with tempfile.TemporaryDirectory(prefix=".shopbot-staged-") as staged:
            root = Path(staged)
            (root / "faq").mkdir()
            for path in self._files():
                shutil.copyfile(path, root / "faq" / path.name)
            for path, text in files.items():
                (root / "faq" / path.name).write_text(text, encoding="utf-8")
            if (self.content_dir / "manuals").is_dir():
                (root / "manuals").symlink_to((self.content_dir / "manuals").resolve(), target_is_directory=True)
            try:
                load_content(root)
            except ContentError as exc:
                raise ContentError([ContentProblem(self.content_dir / p.path.relative_to(root), p.line, p.message) for p in exc.problems]) from None


def _dumped(root: CommentedMap) -> str:
    out = io.StringIO()
    _yaml().dump(root, out)
    return out.getvalue()


def check_section(data: dict[str, Any], languages: list[str]) -> list[FieldProblem]:
    """A manual section needs a title and a text in every language the manual is written in, and no headings inside."""
    problems = []
    for lang in languages:
        text = data.get(lang) or {}
        title, body = str(text.get("question") or "").strip(), str(text.get("answer") or "").strip()
        if not title:
            problems.append(FieldProblem(f"{lang}.question", f"write the section's title in {lang}"))
        elif title.splitlines() != [title]:  # \r, \u2028 and the like break lines for the manual's parser as \n does
            problems.append(FieldProblem(f"{lang}.question", "a title is one line: remove the line break"))
        if not body:
            problems.append(FieldProblem(f"{lang}.answer", f"write the section's text in {lang}: the manual has a {lang}.md, and its sections match"))
        elif any(line.startswith("#") for line in body.splitlines()):
            problems.append(FieldProblem(f"{lang}.answer", "a line starting with # would start a new section: remove the #"))
    return problems


class ManualEditor:
    """Edits one section of a manual in all of its language files at once (sections match by position).

    A manual is written in the languages it has files for (one at least, as `knowledge.manuals` loads it). Sections are
    edited, not added or removed, from the page: that changes every language file's order and is done in the files. A
    section's id follows its title in the id language (English when there), so renaming it changes the id.
    """

    def __init__(self, content_dir: Path) -> None:
        self.manuals_dir = content_dir / "manuals"
        self._lock = threading.Lock()

    def _parsed(self, manual_dir: Path) -> dict[str, Any]:
        """The manual's language files, parsed; empty when one is broken or their sections do not match (validate says why)."""
        problems: list[ContentProblem] = []
        paths = sorted(path for path in manual_dir.glob("*.md") if is_language_code(path.stem))
        files = {path.stem: parse_manual_file(path, problems) for path in paths}
        if problems or not files or len({len(f.sections) for f in files.values() if f}) != 1:
            return {}
        return files

    def sections(self) -> list[EditableEntry]:
        found = []
        for manual_dir in sorted(p for p in self.manuals_dir.glob("*") if p.is_dir()):
            files = self._parsed(manual_dir)
            reference = id_language(set(files))
            for index, section in enumerate(files[reference].sections if reference else []):
                data: dict[str, Any] = {"id": section_id(manual_dir.name, section.title)}
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
        manual_dir = self.manuals_dir / entry_id.split("/", 1)[0]
        languages = sorted(self._parsed(manual_dir))
        problems = check_section(data, languages)
        if problems:
            raise InvalidEdit(problems)
        with self._lock:
            current = self.get(entry_id)
            if current.version != version:
                raise EditConflict(entry_id, current.data)
            position = [e.id for e in self.sections() if e.file == current.file].index(entry_id)
            texts = {lang: _replace_section((manual_dir / f"{lang}.md").read_text(encoding="utf-8"), position,
                                            data[lang]["question"].strip(), data[lang]["answer"].strip()) for lang in languages}
            _replace_all_checked({manual_dir / f"{lang}.md": text for lang, text in texts.items()}, _markdown_problems)
        reference = id_language(set(languages))
        assert reference is not None, "a manual that was found has a language"
        return self.get(section_id(manual_dir.name, data[reference]["question"].strip()))


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


def _replace_all_checked(texts: dict[Path, str], check: Callable[[Path], list[ContentProblem]],
                         then: Callable[[], None] = lambda: None) -> None:
    """Check every file beside its place (then `then`, e.g. the whole content), and swap them all in; on a problem, none."""
    temps: list[Path] = []
    try:
        for path, text in texts.items():
            temps.append(_checked_temp(path, text, check))
        then()
    except ContentError:
        for temp in temps:
            temp.unlink()
        raise
    for path, temp in zip(texts, temps):
        os.replace(temp, path)

"""FAQ files (`faq/*.yml`) → entries. Every value keeps its line, so problems point at the place to fix.

The file's shape (fields, types) is checked here; what an entry's values must be (id, lengths, links, phrasings) are the
rules every FAQ entry follows, wherever it comes from (`knowledge.faq_rules`): here they point at the file's line."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from contracts.languages import LANGUAGES
from knowledge.entries import Entry, EntryText, is_language_code
from knowledge.errors import ContentProblem
from knowledge.faq_rules import check_entry

ENTRY_FIELDS = {"id", "tags", "product", "link"}  # and one block per language, keyed by its ISO 639-1 code
TEXT_FIELDS = {"question", "alternatives", "answer"}


def _language_order(lang: str) -> tuple[int, str]:
    """The bot's languages first in their usual order, then the others alphabetically."""
    return (LANGUAGES.index(lang), "") if lang in LANGUAGES else (len(LANGUAGES), lang)


class _Node:
    """A YAML value with the line it starts on (1-based)."""

    def __init__(self, value: Any, line: int) -> None:
        self.value = value
        self.line = line


def _to_nodes(node: yaml.Node) -> _Node:
    """Turn a composed YAML node into nested _Node values so every value keeps its line."""
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        mapping: dict[str, tuple[int, _Node]] = {}
        for key_node, value_node in node.value:
            mapping[str(key_node.value)] = (key_node.start_mark.line + 1, _to_nodes(value_node))
        return _Node(mapping, line)
    if isinstance(node, yaml.SequenceNode):
        return _Node([_to_nodes(item) for item in node.value], line)
    return _Node(yaml.SafeLoader("").construct_object(node), line)


class _FileChecker:
    """Collects the problems of one file while turning it into entries."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[ContentProblem] = []

    def problem(self, line: int, message: str) -> None:
        self.problems.append(ContentProblem(self.path, line, message))

    def text(self, node: _Node, what: str) -> str:
        if not isinstance(node.value, str) or not node.value.strip():
            hint = " (put it in quotes)" if node.value is not None and not isinstance(node.value, str) else ""
            self.problem(node.line, f"{what} must be non-empty text{hint}")
            return ""
        return node.value.strip()

    def entries(self, root: _Node) -> list[Entry]:
        if not isinstance(root.value, dict) or "entries" not in root.value:
            self.problem(root.line, "the file must be a mapping with an `entries:` list")
            return []
        unknown = set(root.value) - {"entries"}
        for key in sorted(unknown):
            self.problem(root.value[key][0], f"unknown top-level field `{key}`: only `entries` is allowed")
        items = root.value["entries"][1]
        if not isinstance(items.value, list):
            self.problem(items.line, "`entries` must be a list of entries, each starting with `- id: ...`")
            return []
        return [entry for item in items.value if (entry := self.entry(item)) is not None]

    def entry(self, node: _Node) -> Entry | None:
        """The entry, its shape checked first and then, if that is sound, the rules on its values (one report per fault:
        a value of the wrong type is not also said to be too long)."""
        shape_problems = len(self.problems)
        entry = self.shaped_entry(node)
        if entry is None:
            return None
        if len(self.problems) > shape_problems:  # its values are checked once the shape is fixed
            return replace(entry, link=None)  # a link nobody checked must never reach a page (`javascript:` from git)
        broken = check_entry(_plain(node), languages=list(entry.texts))
        for problem in broken:
            self.problem(_line_of(node, problem.field), f"`{entry.id}.{problem.field}`: {problem.message}")
        if any(problem.field == "link" for problem in broken):
            return replace(entry, link=None)
        return entry

    def shaped_entry(self, node: _Node) -> Entry | None:
        if not isinstance(node.value, dict):
            self.problem(node.line, "an entry must be a mapping with `id` and one block per language")
            return None
        fields = node.value
        languages = sorted((key for key in fields if key not in ENTRY_FIELDS and is_language_code(key)), key=_language_order)
        for key in sorted(set(fields) - ENTRY_FIELDS - set(languages)):
            allowed = ", ".join(sorted(ENTRY_FIELDS))
            self.problem(fields[key][0], f"unknown field `{key}` (allowed: {allowed}, and a block per language such as cs or en)")
        if "id" not in fields:
            self.problem(node.line, "entry has no `id`: add a stable id such as `delivery-cost`")
            return None
        entry_id = self.text(fields["id"][1], "`id`")
        texts: dict[str, EntryText] = {}
        if not languages:
            self.problem(node.line, f"entry `{entry_id}` has no language block: add at least one of {', '.join(LANGUAGES)} (or another language's code)")
        for lang in languages:
            if (text := self.translation(fields[lang][1], entry_id, lang)) is not None:
                texts[lang] = text
        tags = self.string_list(fields["tags"][1], "`tags`") if "tags" in fields else ()
        product = self.text(fields["product"][1], "`product`") if "product" in fields else None
        link = self.text(fields["link"][1], "`link`") or None if "link" in fields else None
        return Entry(entry_id, texts, self.path, node.line, "faq", tags, product, link)

    def translation(self, node: _Node, entry_id: str, lang: str) -> EntryText | None:
        if not isinstance(node.value, dict):
            self.problem(node.line, f"`{entry_id}.{lang}` must be a mapping with `question` and `answer`")
            return None
        fields = node.value
        for key in sorted(set(fields) - TEXT_FIELDS):
            self.problem(fields[key][0], f"unknown field `{key}` in `{entry_id}.{lang}` (allowed: alternatives, answer, question)")
        for required in ("question", "answer"):
            if required not in fields:
                self.problem(node.line, f"`{entry_id}.{lang}` has no `{required}`")
        if "question" not in fields or "answer" not in fields:
            return None
        question = self.text(fields["question"][1], f"`{entry_id}.{lang}.question`")
        answer = self.text(fields["answer"][1], f"`{entry_id}.{lang}.answer`")
        alternatives = self.string_list(fields["alternatives"][1], f"`{entry_id}.{lang}.alternatives`") if "alternatives" in fields else ()
        return EntryText(question, answer, alternatives)

    def string_list(self, node: _Node, what: str) -> tuple[str, ...]:
        if not isinstance(node.value, list):
            self.problem(node.line, f"{what} must be a list (lines starting with `- `)")
            return ()
        return tuple(text for item in node.value if (text := self.text(item, f"an item of {what}")))


def _plain(node: _Node) -> Any:
    """The values without their lines: an entry as the editor page and the rules see it."""
    if isinstance(node.value, dict):
        return {key: _plain(value) for key, (_, value) in node.value.items()}
    if isinstance(node.value, list):
        return [_plain(item) for item in node.value]
    return node.value


def _line_of(entry: _Node, field: str) -> int:
    """The line of a rule's field (`pl.answer`: its key's line) in the entry, or of the nearest block the file has of it."""
    node, line = entry, entry.line
    for part in field.split("."):
        if not isinstance(node.value, dict) or part not in node.value:
            break
        line, node = node.value[part]
    return line


def load_faq_file(path: Path) -> tuple[list[Entry], list[ContentProblem]]:
    """Parse one FAQ file; returns its entries and the problems found (empty when valid)."""
    checker = _FileChecker(path)
    try:
        composed = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        checker.problem(line, f"invalid YAML: {exc.problem or exc.context}")
        return [], checker.problems
    except UnicodeDecodeError:
        checker.problem(1, "the file is not UTF-8 text")
        return [], checker.problems
    if composed is None:
        checker.problem(1, "the file is empty: add an `entries:` list")
        return [], checker.problems
    return checker.entries(_to_nodes(composed)), checker.problems

"""Errors of the knowledge library; the CLI and the api turn them into messages at the edge."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class KnowledgeError(Exception):
    """Base class of everything the knowledge library raises on purpose."""


@dataclass(frozen=True)
class ContentProblem:
    """One thing wrong in a content file, located so an editor can fix it."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class ContentError(KnowledgeError):
    """Content files that cannot be indexed; carries every problem found, not just the first."""

    def __init__(self, problems: list[ContentProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class IndexLoadError(KnowledgeError):
    """An index on disk that is missing, corrupt, or built by another embedder."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class EmbedderError(KnowledgeError):
    """An embedder setting that names no usable model."""


class ImportSourceError(KnowledgeError):
    """A file or address given to `shopbot-kb import` that cannot be read as a FAQ; the message says where and what to do."""

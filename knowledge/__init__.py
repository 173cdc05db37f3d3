"""The shop's knowledge base: FAQ and manual content, and the retrieval library over it.

One library serves the custom actions, the api and the editors' CLI; none of them
reimplements loading, validation or search.
"""
from typing import TYPE_CHECKING

from knowledge.content import LANGUAGES, Entry, EntryText, load_content
from knowledge.errors import ContentError, ContentProblem, IndexLoadError, KnowledgeError
from knowledge.tuning import SearchTuning

if TYPE_CHECKING:
    from knowledge.search import Decision, Hit, KnowledgeBase

_SEARCH = frozenset({"Decision", "Hit", "KnowledgeBase"})


def __getattr__(name: str) -> object:
    """The search's names, imported on first use: importing the package (for its errors, its content, its settings)
    must not load scikit-learn, SciPy and FAISS, which only a process that searches needs (the runner does not)."""
    if name in _SEARCH:
        from knowledge import search

        return getattr(search, name)
    raise AttributeError(f"module 'knowledge' has no attribute {name!r}")

__all__ = [
    "LANGUAGES",
    "ContentError",
    "ContentProblem",
    "Decision",
    "Entry",
    "EntryText",
    "Hit",
    "IndexLoadError",
    "KnowledgeBase",
    "KnowledgeError",
    "SearchTuning",
    "load_content",
]

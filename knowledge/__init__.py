"""The shop's knowledge base: FAQ and manual content, and the retrieval library over it.

One library serves the custom actions, the api and the editors' CLI; none of them
reimplements loading, validation or search.
"""
from knowledge.content import LANGUAGES, Entry, EntryText, load_content
from knowledge.errors import ContentError, ContentProblem, IndexLoadError, KnowledgeError
from knowledge.search import Decision, Hit, KnowledgeBase, SearchTuning

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

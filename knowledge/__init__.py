"""The shop's knowledge base: FAQ and manual content, and the retrieval library over it.

One library serves the custom actions, the api and the editors' CLI; none of them
reimplements loading, validation or search.
"""
from knowledge.content import LANGUAGES, FaqEntry, FaqText, load_content
from knowledge.errors import ContentError, ContentProblem, IndexLoadError, KnowledgeError
from knowledge.search import Decision, Hit, KnowledgeBase

__all__ = [
    "LANGUAGES",
    "ContentError",
    "ContentProblem",
    "Decision",
    "FaqEntry",
    "FaqText",
    "Hit",
    "IndexLoadError",
    "KnowledgeBase",
    "KnowledgeError",
    "load_content",
]

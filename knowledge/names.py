"""Names a question gives that the content never mentions: another brand's product is not ours.

"How do I replace the filter in my Philips AC2887?" reads, to e5 and to character n-grams, like the shop's own
"How do I replace the PureAir 300's filter?", and was answered with it. What tells them apart is the name: a brand,
a model number, a product line the content does not contain. Such a question gets no answer from an entry about one
of the shop's products (`knowledge.search`); general entries (delivery, returns, payment) stay open to it, since
"Do you ship to Vienna?" or "Can I pay with Revolut?" name places and brands that are not products.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from knowledge.lexical import fold

_TOKEN = re.compile(r"\w[\w-]*")
_WORD = re.compile(r"\w+")
_SENTENCE_START = re.compile(r"(?:^|[.!?:]\s+|[\"„“(]\s*)$")


def vocabulary(texts: Iterable[str]) -> frozenset[str]:
    """Every folded word of the content (questions, phrasings, answers, manual sentences, all languages)."""
    words: set[str] = set()
    for text in texts:
        words.update(_WORD.findall(fold(text)))
    return frozenset(words)


def _looks_like_a_name(token: str, text_before: str) -> bool:
    """A model number (letters and digits), an inner capital (DeLonghi), an acronym (LG), or a capital inside a
    sentence. A sentence's first word is not judged by its capital."""
    if token.isdigit() or len(token) < 2:  # a number, or "I"
        return False
    if any(c.isdigit() for c in token) and any(c.isalpha() for c in token):
        return True
    if token.isupper():
        return True
    if any(c.isupper() for c in token[1:]):
        return True
    return token[0].isupper() and not _SENTENCE_START.search(text_before)


def unknown_names(question: str, known: frozenset[str]) -> list[str]:
    """The name-like words of `question` whose folded form the content never uses."""
    found = []
    for match in _TOKEN.finditer(question):
        token = match.group()
        if _looks_like_a_name(token, question[:match.start()]) and not all(word in known for word in _WORD.findall(fold(token))):
            found.append(token)
    return found

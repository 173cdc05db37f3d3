"""BM25 over simplemma lemmas: the lexical retriever our char n-grams are compared against (benchmark only)."""
from __future__ import annotations

import re

import bm25s
import numpy as np
import simplemma

from knowledge.index import Passage
from knowledge.lexical import fold

_WORD = re.compile(r"\w+", re.UNICODE)


def lemmas(text: str, lang: str) -> list[str]:
    """Lemmatise in the text's language, then fold accents so 'postovne' meets 'poštovné'."""
    return [fold(simplemma.lemmatize(word, lang=lang)) for word in _WORD.findall(text.lower())]


class Bm25LemmaIndex:
    """Same interface as knowledge.lexical.CharNgramIndex."""

    def __init__(self, passages: list[Passage]) -> None:
        self._bm25 = bm25s.BM25()
        self._bm25.index([lemmas(p.text, p.lang) or ["_"] for p in passages], show_progress=False)
        self._size = len(passages)

    def scores(self, query: str, lang: str) -> np.ndarray:
        tokens = lemmas(query, lang)
        if not tokens:
            return np.zeros(self._size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(tokens), dtype=np.float32)

"""Bringing a question's vector into the language of content written in another one.

e5 puts a question near its translation, but not as near as two phrasings in one language: on a shop that publishes
its FAQ in Czech only, a Polish, Latvian or English question found the right entry first for about half of the
questions. A linear map per pair of languages, learnt from texts the product ships in all four languages
(`reference/translations.yml`), moves a question's vector towards where its translation would lie. It belongs to the
embedder and the languages, not to a shop: it is learnt from those texts, never from the content served, so every
shop gets the same map. A ridge towards the identity keeps the directions the texts never cover as they are; its
strength was chosen by cross-validation on the texts themselves (docs/benchmarks.md, "Shops").
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
import yaml

TRANSLATIONS_FILE = Path(__file__).resolve().parent / "reference" / "translations.yml"
RIDGE = 1.0


def load_translations(path: Path = TRANSLATIONS_FILE) -> dict[str, list[str]]:
    """The shipped texts per language; item i is the same text in every language (items lacking one are left out)."""
    items = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("texts") or []
    languages = sorted({lang for item in items for lang in item})
    complete = [item for item in items if all(item.get(lang) for lang in languages)]
    return {lang: [str(item[lang]) for item in complete] for lang in languages}


def fit_map(source: np.ndarray, target: np.ndarray, *, ridge: float = RIDGE) -> np.ndarray:
    """W minimising |source W - target|² + ridge |W - I|²: the identity wherever the texts say nothing."""
    dim = source.shape[1]
    eye = np.eye(dim, dtype=np.float64)
    left = source.T.astype(np.float64) @ source + ridge * eye
    right = source.T.astype(np.float64) @ target + ridge * eye
    return np.linalg.solve(left, right).astype(np.float32)


class LanguageMaps:
    """The maps between the shipped languages, each fitted the first time a search needs it.

    `embed` turns a language's texts into query vectors (the cached embedder), called once per language.
    """

    def __init__(self, translations: dict[str, list[str]], embed: Callable[[list[str]], np.ndarray], *, ridge: float = RIDGE) -> None:
        self._translations = translations
        self._embed = embed
        self._ridge = ridge
        self._vectors: dict[str, np.ndarray] = {}
        self._maps: dict[tuple[str, str], np.ndarray] = {}
        self._lock = threading.Lock()  # searches run in worker threads: fit (and embed) each map once

    def covers(self, source: str, target: str) -> bool:
        return source != target and source in self._translations and target in self._translations

    def to_language(self, vectors: np.ndarray, source: str, target: str) -> np.ndarray:
        """Query vectors written in `source`, moved to where they would lie written in `target`, at unit length;
        unchanged when the texts lack either language."""
        if not self.covers(source, target):
            return vectors
        moved = vectors @ self._map(source, target)
        return (moved / np.maximum(np.linalg.norm(moved, axis=-1, keepdims=True), 1e-12)).astype(np.float32)

    def _map(self, source: str, target: str) -> np.ndarray:
        with self._lock:
            if (source, target) not in self._maps:
                self._maps[(source, target)] = fit_map(self._language(source), self._language(target), ridge=self._ridge)
            return self._maps[(source, target)]

    def _language(self, lang: str) -> np.ndarray:
        if lang not in self._vectors:
            self._vectors[lang] = self._embed(self._translations[lang])
        return self._vectors[lang]

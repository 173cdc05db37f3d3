"""Search over the serving index, and the answer / no-answer decision the dialogue acts on."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from knowledge.content import LANGUAGES, content_files, fingerprint_files, load_content
from knowledge.embedder import Embedder
from knowledge.index import KnowledgeIndex, Progress, build_index, current_build_name, current_manifest, load_index


@dataclass(frozen=True)
class Hit:
    """One entry found for a query, in the language it will be shown in."""

    entry_id: str
    title: str
    answer: str
    language: str
    score: float
    retrievers: tuple[str, ...]
    cross_lingual: bool = False
    link: str | None = None


@dataclass(frozen=True)
class Decision:
    """What the dialogue should do with a query: answer with the top hit, or admit it has no answer."""

    action: Literal["answer", "no_answer"]
    hits: list[Hit] = field(default_factory=list)

    @property
    def best(self) -> Hit | None:
        return self.hits[0] if self.hits else None


class KnowledgeBase:
    """The embedder and the serving index, loaded once per process and swapped atomically on rebuild."""

    def __init__(self, *, content_dir: Path, index_dir: Path, cache_dir: Path, embedder: Embedder, answer_thresholds: dict[str, float]) -> None:
        self.content_dir = content_dir
        self.index_dir = index_dir
        self.cache_dir = cache_dir
        self.embedder = embedder
        self.answer_thresholds = answer_thresholds
        self._index: KnowledgeIndex | None = None
        self._build_lock = threading.Lock()

    @property
    def index(self) -> KnowledgeIndex:
        if self._index is None:
            self._index = load_index(self.index_dir, embedder_name=self.embedder.name)
        return self._index

    def is_current(self) -> bool:
        """Whether the index on disk was built from the content files as they are now, by this embedder."""
        manifest = current_manifest(self.index_dir)
        if manifest is None or manifest.get("embedder") != self.embedder.name:
            return False
        return manifest.get("content_fingerprint") == fingerprint_files(content_files(self.content_dir))

    def ensure_built(self, *, progress: Progress | None = None) -> bool:
        """Build the index if the content or embedder changed, else load it; True when it built.

        A ContentError leaves the index that served before in place.
        """
        with self._build_lock:
            if self.is_current():
                if self._index is None or self._index.name != current_build_name(self.index_dir):
                    self._index = load_index(self.index_dir, embedder_name=self.embedder.name)
                return False
            content = load_content(self.content_dir)
            self._index = build_index(content, self.embedder, self.index_dir, cache_dir=self.cache_dir, progress=progress)
            return True

    def search(self, query: str, *, lang: str, k: int = 3) -> list[Hit]:
        """Entries ranked by the best cosine of any of their passages, preferring the customer's language."""
        index = self.index
        if index.faiss_index.ntotal == 0:
            return []
        vector = self.embedder.embed_queries([query])
        scores, rows = index.faiss_index.search(vector, index.faiss_index.ntotal)
        best: dict[str, tuple[float, str]] = {}
        for score, row in zip(scores[0].tolist(), rows[0].tolist()):
            passage = index.passages[row]
            entry = index.entries[passage.entry_id]
            # Only passages in the customer's language count, unless the entry has none in it.
            if passage.lang != lang and lang in entry.texts:
                continue
            if passage.entry_id not in best or score > best[passage.entry_id][0]:
                best[passage.entry_id] = (score, passage.lang)
        ranked = sorted(best.items(), key=lambda item: item[1][0], reverse=True)[:k]
        return [self._hit(index, entry_id, score, passage_lang, lang) for entry_id, (score, passage_lang) in ranked]

    @staticmethod
    def _hit(index: KnowledgeIndex, entry_id: str, score: float, passage_lang: str, lang: str) -> Hit:
        entry = index.entries[entry_id]
        shown = lang if lang in entry.texts else passage_lang
        text = entry.texts[shown]
        return Hit(entry_id, text["question"], text["answer"], shown, float(np.clip(score, -1.0, 1.0)), ("dense",), shown != lang, entry.link)

    def decide(self, query: str, *, lang: str) -> Decision:
        """Answer only when the top hit clears the language's threshold; otherwise say so honestly."""
        hits = self.search(query, lang=lang)
        threshold = self.answer_thresholds.get(lang, max(self.answer_thresholds.values(), default=1.0))
        if hits and hits[0].score >= threshold:
            return Decision("answer", hits)
        return Decision("no_answer", hits)

    def status(self) -> dict:
        """What health checks and editors need to know about the serving index."""
        manifest = self.index.manifest
        return {
            "build": self.index.name,
            "embedder": manifest["embedder"],
            "entries": manifest["entries"],
            "passages": manifest["passages"],
            "built_at": manifest["built_at"],
            "current": self.is_current(),
            "languages": list(LANGUAGES),
        }

"""Hybrid search over the serving index, and the answer / clarify / no-answer decision the dialogue acts on.

Dense (multilingual e5 cosine) and lexical (char n-gram TF-IDF over accent-folded text) scores are
taken per entry (best passage in the customer's language), min-max normalised per query, and
summed with a lexical weight. Whether to answer is decided on the dense cosine of the top hit,
which separates in-scope from out-of-scope questions far better than any fused score.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Literal

import numpy as np

from knowledge.content import content_files, fingerprint_files, load_content
from knowledge.embedder import Embedder
from knowledge.classifiers import EntryClassifiers
from knowledge.errors import ContentError
from knowledge.index import FORMAT_VERSION, EmbeddingCache, KnowledgeIndex, Progress, build_index, cache_file, current_build_name, current_manifest, embed_cached, load_index
from knowledge.index import Passage
from knowledge.lexical import CharNgramIndex, LexicalIndex, fold
from knowledge.scope import ScopeClassifier, logit

log = logging.getLogger(__name__)
Retriever = Literal["dense", "lexical", "hybrid"]


SIGNALS = ("dense", "lexical", "dense_classifier", "lexical_classifier")
# Chosen by `make bench` on the tuning half of the evaluation set (docs/benchmarks.md).
DEFAULT_WEIGHTS = {"dense": 0.5, "lexical": 0.5, "dense_classifier": 0.5, "lexical_classifier": 1.0}
DEFAULT_SCOPE_THRESHOLDS = {"cs": 74.438, "pl": 73.604, "lv": 73.715, "en": 74.35}
DEFAULT_SCOPE_DENSE_WEIGHT = 80.0
DEFAULT_CONFIDENCE_THRESHOLD = 0.16
DEFAULT_QUESTION_LENIENCY = 2.0


@dataclass(frozen=True)
class SearchTuning:
    """The knobs the benchmark chooses (see docs/benchmarks.md); defaults are its chosen values.

    `weights` mix four per-query min-max-normalised signals: dense cosine, lexical cosine, and the
    two classifiers' scores. A question is in scope when its scope score, logit(P(in scope)) +
    `scope_dense_weight` × the top hit's cosine, reaches its language's `scope_thresholds`. It is
    answered outright when the top hit leads the second by `confidence_threshold` in fused score
    (the best predictor of a right answer we measured); otherwise the top hits are offered as choices.
    When the NLU, too, classified the message as a question about the shop, the scope threshold is
    lowered by `question_leniency`: two judges agreeing ("How do I reset my password?" reads like the
    other services' questions among the out-of-scope examples, but the NLU knows it for ours).
    """

    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    scope_thresholds: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_SCOPE_THRESHOLDS))
    scope_dense_weight: float = DEFAULT_SCOPE_DENSE_WEIGHT
    confidence_threshold: float = DEFAULT_CONFIDENCE_THRESHOLD
    question_leniency: float = DEFAULT_QUESTION_LENIENCY
    found_by_top: int = 5

    def __post_init__(self) -> None:
        unknown = set(self.weights) - set(SIGNALS)
        if unknown or not any(self.weights.values()):
            raise ValueError(f"weights must name some of {', '.join(SIGNALS)} with a non-zero total; got {self.weights}")

    def scope_threshold(self, lang: str, classified_as_question: bool = False) -> float:
        threshold = self.scope_thresholds.get(lang, max(self.scope_thresholds.values(), default=0.0))
        return threshold - self.question_leniency if classified_as_question else threshold

    def scope_score(self, in_scope: float, top_cosine: float) -> float:
        return logit(in_scope) + self.scope_dense_weight * top_cosine


@dataclass(frozen=True)
class Hit:
    """One entry found for a query, in the language it will be shown in.

    `confidence` is the dense classifier's probability that the question belongs to this entry
    (calibrated by logistic regression; the decision uses it); `score` is the dense cosine, `fused` ranks.
    """

    entry_id: str
    kind: str
    title: str
    answer: str
    language: str
    score: float
    lexical: float
    fused: float
    confidence: float
    retrievers: tuple[str, ...]
    cross_lingual: bool = False
    link: str | None = None


@dataclass(frozen=True)
class Decision:
    """What the dialogue should do: answer with the top hit, offer the top few as choices, or admit no answer."""

    action: Literal["answer", "clarify", "no_answer"]
    hits: list[Hit] = field(default_factory=list)
    in_scope: float = 1.0
    scope_score: float = 0.0
    margin: float = 0.0

    @property
    def best(self) -> Hit | None:
        return self.hits[0] if self.hits else None


@dataclass(frozen=True)
class EntryScores:
    """Per-entry signals for one query: parallel arrays over `ids`."""

    ids: list[str]
    dense: np.ndarray
    lexical: np.ndarray
    dense_classifier: np.ndarray
    lexical_classifier: np.ndarray
    shown_lang: list[str]
    in_scope: float = 1.0

    def fused(self, weights: dict[str, float]) -> np.ndarray:
        """Weighted mean of per-query min-max-normalised signals (beat reciprocal rank fusion in trials)."""
        total = sum(weights.values())
        return sum((w / total) * _minmax(getattr(self, name)) for name, w in weights.items() if w)  # type: ignore[return-value]


@dataclass
class _Loaded:
    """A serving index with its lexical side, swapped as one object so a search never sees half of each."""

    index: KnowledgeIndex
    lexical: LexicalIndex
    classifiers: EntryClassifiers
    scope: ScopeClassifier


def _minmax(values: np.ndarray) -> np.ndarray:
    span = float(values.max() - values.min()) if values.size else 0.0
    return (values - values.min()) / span if span > 1e-9 else np.zeros_like(values)


class KnowledgeBase:
    """The embedder and the serving index, loaded once per process and swapped atomically on rebuild."""

    def __init__(self, *, content_dir: Path, index_dir: Path, cache_dir: Path, embedder: Embedder, tuning: SearchTuning | None = None,
                 lexical: Callable[[list[Passage]], LexicalIndex] = CharNgramIndex, out_of_scope_examples: list[str] | None = None) -> None:
        self.content_dir = content_dir
        self.index_dir = index_dir
        self.cache_dir = cache_dir
        self.embedder = embedder
        self.tuning = tuning or SearchTuning()
        self._lexical_factory = lexical
        self._out_of_scope_examples = out_of_scope_examples or []
        self.last_error: ContentError | None = None
        self._loaded: _Loaded | None = None
        self._build_lock = threading.Lock()

    @property
    def index(self) -> KnowledgeIndex:
        return self._serving().index

    def _serving(self) -> _Loaded:
        loaded = self._loaded
        if loaded is None:
            loaded = self._loaded = self._wrap(load_index(self.index_dir, embedder_name=self.embedder.name))
        return loaded

    def _wrap(self, index: KnowledgeIndex) -> _Loaded:
        """Everything fitted from a build at load time: lexical index, entry classifiers, scope classifier."""
        vectors = index.faiss_index.reconstruct_n(0, index.faiss_index.ntotal)
        # Embedded like the in-scope passages, so the classifier learns content, not e5's query/passage prefix.
        cache = EmbeddingCache(cache_file(self.cache_dir, self.embedder, "negatives"))
        negatives, embedded = embed_cached(self._out_of_scope_examples, self.embedder.embed_passages, cache, dim=self.embedder.dim)
        if embedded:
            cache.save(set(cache.vectors))
        phrasings = [p.text for p in index.passages if p.kind != "qa"]
        scope = ScopeClassifier(vectors, negatives, phrasings, self._out_of_scope_examples)
        return _Loaded(index, self._lexical_factory(index.passages), EntryClassifiers(index.passages, vectors), scope)

    def is_current(self) -> bool:
        """Whether the index on disk was built from the content files as they are now, by this embedder."""
        manifest = current_manifest(self.index_dir)
        if manifest is None or manifest.get("embedder") != self.embedder.name or manifest.get("format") != FORMAT_VERSION:
            return False
        return manifest.get("content_fingerprint") == fingerprint_files(content_files(self.content_dir))

    def ensure_built(self, *, progress: Progress | None = None) -> bool:
        """Build the index if the content or embedder changed, else load what is on disk; True when it built.

        A ContentError is raised and remembered in `last_error`; the index that served before keeps serving.
        """
        with self._build_lock:
            if self.is_current():
                if self._loaded is None or self._loaded.index.name != current_build_name(self.index_dir):
                    self._loaded = self._wrap(load_index(self.index_dir, embedder_name=self.embedder.name))
                self.last_error = None
                return False
            try:
                content = load_content(self.content_dir)
            except ContentError as exc:
                self.last_error = exc
                raise
            self._loaded = self._wrap(build_index(content, self.embedder, self.index_dir, cache_dir=self.cache_dir, progress=progress))
            self.last_error = None
            return True

    def reload(self) -> bool:
        """Pick up changed files while serving; a broken edit is logged and the last good index keeps serving."""
        try:
            built = self.ensure_built()
        except ContentError as exc:
            log.error("knowledge files have %d problem(s); still serving %s:\n%s", len(exc.problems), self._loaded.index.name if self._loaded else "nothing", exc)
            return False
        if built:
            log.info("knowledge index rebuilt: %s", self.index.name)
        return built

    def score_entries(self, query: str, *, lang: str) -> EntryScores:
        """Dense and lexical scores of every entry for `query` (the benchmark tunes fusion on these)."""
        loaded = self._serving()
        index = loaded.index
        dense_rows = np.full(index.faiss_index.ntotal, -1.0, dtype=np.float32)
        query_vector = self.embedder.embed_queries([query])
        if index.faiss_index.ntotal:
            scores, rows = index.faiss_index.search(query_vector, index.faiss_index.ntotal)
            dense_rows[rows[0]] = scores[0]
        lexical_rows = loaded.lexical.scores(query, lang)
        best: dict[str, list] = {}
        for row, passage in enumerate(index.passages):
            if passage.lang != lang and lang in index.entries[passage.entry_id].texts:
                continue  # only the customer's language counts, unless the entry lacks it
            slot = best.setdefault(passage.entry_id, [-1.0, -1.0, passage.lang])
            if dense_rows[row] > slot[0]:
                slot[0], slot[2] = float(dense_rows[row]), passage.lang
            slot[1] = max(slot[1], float(lexical_rows[row]))
        ids = list(best)
        dense_clf, lexical_clf = loaded.classifiers.scores(query, query_vector[0])
        column = {entry_id: i for i, entry_id in enumerate(loaded.classifiers.classes)}
        order = [column[i] for i in ids]
        return EntryScores(ids, np.array([best[i][0] for i in ids], np.float32), np.array([best[i][1] for i in ids], np.float32),
                           dense_clf[order], lexical_clf[order], [best[i][2] for i in ids], loaded.scope.probability(query_vector[0], query))

    def search(self, query: str, *, lang: str, k: int = 3, retriever: Retriever = "hybrid") -> list[Hit]:
        """Entries ranked for `query` by the fused score, each scored by its best passage in the customer's language."""
        weights = {"dense": {"dense": 1.0}, "lexical": {"lexical": 1.0}, "hybrid": self.tuning.weights}[retriever]
        return self._hits(self.score_entries(query, lang=lang), lang, k=k, weights=weights)

    def _hits(self, scores: EntryScores, lang: str, *, k: int, weights: dict[str, float]) -> list[Hit]:
        if not scores.ids:
            return []
        fused = scores.fused(weights)
        top = self.tuning.found_by_top
        dense_top = set(np.argsort(-scores.dense)[:top].tolist())
        lexical_top = set(np.argsort(-scores.lexical)[:top].tolist())
        index = self.index
        hits = []
        for i in np.argsort(-fused, kind="stable")[:k].tolist():
            entry = index.entries[scores.ids[i]]
            shown = scores.shown_lang[i]
            text = entry.texts[shown]
            found_by = tuple(name for name, best in (("dense", dense_top), ("lexical", lexical_top)) if i in best)
            hits.append(Hit(entry.id, entry.kind, text["question"], text["answer"], shown, float(np.clip(scores.dense[i], -1, 1)),
                            float(scores.lexical[i]), float(fused[i]), float(np.exp(scores.dense_classifier[i])), found_by, shown != lang, entry.link))
        return hits

    def decide(self, query: str, *, lang: str, classified_as_question: bool = False) -> Decision:
        """No answer when the question is out of scope; an answer when the top hit clearly leads; else choices.

        The scope gate applies whatever the NLU said (it is surer about scope than the intent classifier,
        docs/benchmarks.md); `classified_as_question` (the NLU said product_question) only lowers its bar.
        A query that is the top hit's own title word for word is answered: the customer pressed one of the
        offered choices (their payload is the title), and must not be offered the same choices again.
        """
        scores = self.score_entries(query, lang=lang)
        hits = self._hits(scores, lang, k=3, weights=self.tuning.weights)
        if not hits:
            return Decision("no_answer", hits, scores.in_scope)
        scope = self.tuning.scope_score(scores.in_scope, hits[0].score)
        margin = hits[0].fused - hits[1].fused if len(hits) > 1 else 1.0
        if " ".join(fold(query).split()) == " ".join(fold(hits[0].title).split()):
            action = "answer"
        elif scope < self.tuning.scope_threshold(lang, classified_as_question):
            action = "no_answer"
        else:
            action = "answer" if margin >= self.tuning.confidence_threshold else "clarify"
        return Decision(action, hits, scores.in_scope, scope, margin)

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
            "problems": [str(p) for p in self.last_error.problems] if self.last_error else [],
        }

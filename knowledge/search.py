"""Hybrid search over the serving index, and the answer / choices / no-answer decision the dialogue acts on.

Per entry (best passage in the customer's language, or any language when the entry lacks it) the search
takes the e5 cosine of the question-with-answer passage, the e5 cosine of the question and its
alternatives, and a character n-gram TF-IDF cosine over accent-folded text. Their sum (lexical at half
weight) is the entry's *evidence*. Hits are ranked by a weighted mix of per-query min-max-normalised
signals (entry classifiers trained on the entries' own phrasings among them).

The decision uses the evidence on the scale of the content being served: bars are quantiles of the
evidence that generic off-topic questions reach against this content (`knowledge.calibration`),
computed at every index load, so no number tuned on one shop decides for another.
"""
from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
from scipy import sparse

from contracts.decisions import SearchAction
from knowledge.accents import Accents
from knowledge.calibration import Bars, LanguageBars, calibrate, load_reference_questions
from knowledge.classifiers import EntryClassifiers
from knowledge.content import content_files, fingerprint_files, load_content
from knowledge.embedder import Embedder
from knowledge.errors import ContentError
from knowledge.index import (
    CONTENT_KINDS,
    FORMAT_VERSION,
    EmbeddingCache,
    KnowledgeIndex,
    Passage,
    Progress,
    build_index,
    cache_file,
    current_build_name,
    current_manifest,
    embed_cached,
    load_index,
    stored_vectors,
)
from knowledge.lexical import CharNgramIndex, LexicalIndex, NgramAnalyses, fold
from knowledge.names import unknown_names, vocabulary
from knowledge.translation_map import LanguageMaps, load_translations
from knowledge.tuning import SearchTuning

log = logging.getLogger(__name__)
Retriever = Literal["dense", "lexical", "hybrid"]

# What the evidence is made of: e5 cosine to question + answer, to the question (or an alternative), char n-grams.
EVIDENCE_WEIGHTS = {"dense_qa": 1.0, "dense_question": 1.0, "lexical_qa": 0.5}
# An entry about another product than the one the question names ("error E3 on the PureAir" is not the coffee
# machine's error list) falls below every entry that is not.
OTHER_PRODUCT_PENALTY = 1.0
# Query vectors kept (384 floats, about 1.9 KB each with the text): the search finds the vector the api sent Rasa, and the
# back office need not embed the newest questions again. 20,000 held about 36 MB after 30 minutes of load, and the api
# grew for as long as the soak ran (docs/benchmarks.md, "Soak"); 5,000 is hours of a small shop's questions.
REMEMBERED_QUERIES = 5_000
_WORD = re.compile(r"\w+")


def named_products(query: str, products: set[str]) -> set[str]:
    """The content's products a question names: a word of the question starts with the product id's first part
    ("pureair-300" is named by "PureAir", "pureairu"); parts shorter than four letters are too ambiguous to count."""
    words = _WORD.findall(fold(query))
    named = set()
    for product in products:
        key = fold(product).split("-")[0]
        if len(key) >= 4 and any(word.startswith(key) for word in words):
            named.add(product)
    return named


@dataclass(frozen=True)
class Hit:
    """One entry found for a query, in the language it will be shown in.

    `score` is the best e5 cosine of its passages, `evidence` what the decision weighs, `fused` what ranks,
    `confidence` the dense entry classifier's probability and `lexical_confidence` the char n-gram classifier's
    margin (both meaningful for entries with alternatives).
    """

    entry_id: str
    kind: str
    title: str
    answer: str
    language: str
    score: float
    lexical: float
    fused: float
    evidence: float
    confidence: float
    retrievers: tuple[str, ...]
    cross_lingual: bool = False
    link: str | None = None
    phrased: bool = False
    lexical_confidence: float = 0.0


@dataclass(frozen=True)
class Decision:
    """What the dialogue should do: answer with the top hit, offer the top few as choices, or admit no answer.

    `margin` is the top hit's evidence lead over the best other entry; `bar` the evidence it needed to be answered.
    """

    action: SearchAction
    hits: list[Hit] = field(default_factory=list)
    margin: float = 0.0
    bar: float = 0.0

    @property
    def best(self) -> Hit | None:
        return self.hits[0] if self.hits else None


@dataclass(frozen=True)
class EntryScores:
    """Per-entry signals for one query: parallel arrays over `ids`."""

    ids: list[str]
    dense: np.ndarray
    dense_qa: np.ndarray
    dense_question: np.ndarray
    lexical: np.ndarray
    lexical_qa: np.ndarray
    dense_classifier: np.ndarray
    lexical_classifier: np.ndarray
    shown_lang: list[str]
    other_product: np.ndarray  # the entry is about a product other than the one the question names (ours, or one the content never mentions)

    @property
    def similarity(self) -> np.ndarray:
        """The evidence before it knows which product the question names (a ranking signal)."""
        return _evidence({name: getattr(self, name) for name in EVIDENCE_WEIGHTS})

    @property
    def evidence(self) -> np.ndarray:
        return self.similarity - OTHER_PRODUCT_PENALTY * self.other_product

    def fused(self, weights: dict[str, float]) -> np.ndarray:
        """Weighted mean of per-query min-max-normalised signals (beat reciprocal rank fusion in trials)."""
        total = sum(weights.values())
        mixed = sum((w / total) * _minmax(getattr(self, name)) for name, w in weights.items() if w)
        return mixed - OTHER_PRODUCT_PENALTY * self.other_product


@dataclass(frozen=True)
class _Layout:
    """Which passages count for one customer language, grouped by entry (passages are stored entry by entry)."""

    rows: np.ndarray  # passage rows that count: the language's own, or every language of an entry lacking it
    vectors: np.ndarray  # their e5 vectors, contiguous: gathering them per query copied megabytes each time
    starts: np.ndarray  # where each entry's rows begin within `rows`
    states_content: np.ndarray  # per row in `rows`: the question with its answer, or a manual's sentence (not a way of asking)
    ids: list[str]
    own_language: np.ndarray  # per entry: it has a text in this language
    columns: np.ndarray  # per entry: its column in the entry classifiers' scores
    other_languages: dict[str, np.ndarray]  # per language of the rows of entries lacking this one: which rows are in it


def _layout(index: KnowledgeIndex, lang: str, vectors: np.ndarray, classes: list[str]) -> _Layout:
    rows: list[int] = []
    starts: list[int] = []
    ids: list[str] = []
    own: list[bool] = []
    for row, passage in enumerate(index.passages):
        has_lang = lang in index.entries[passage.entry_id].texts
        if passage.lang != lang and has_lang:
            continue
        if not ids or ids[-1] != passage.entry_id:
            starts.append(len(rows))
            ids.append(passage.entry_id)
            own.append(has_lang)
        rows.append(row)
    column = {entry_id: i for i, entry_id in enumerate(classes)}
    picked = np.array(rows, dtype=np.int64)
    row_langs = np.array([index.passages[r].lang for r in rows])
    return _Layout(picked, np.ascontiguousarray(vectors[picked]), np.array(starts, dtype=np.int64),
                   np.array([index.passages[r].kind in CONTENT_KINDS for r in rows], dtype=bool), ids, np.array(own, dtype=bool),
                   np.array([column[i] for i in ids], dtype=np.int64),
                   {other: row_langs == other for other in sorted(set(row_langs.tolist()) - {lang})})


def _group_max(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Max per entry along the last axis; rows masked to -inf by the caller count as -1 when an entry has none."""
    if values.shape[-1] == 0:
        return np.zeros(values.shape[:-1] + (0,), np.float32)
    out = np.maximum.reduceat(values, starts, axis=-1)
    return np.where(np.isfinite(out), out, -1.0).astype(np.float32)


@dataclass
class _Loaded:
    """A serving index with everything fitted from it, swapped as one object so a search never sees half of each."""

    index: KnowledgeIndex
    vectors: np.ndarray
    ngrams: CharNgramIndex  # the char n-grams the entry classifiers learn from and, by default, the lexical search
    lexical: LexicalIndex
    classifiers: EntryClassifiers
    entry_rows: dict[str, list[int]]  # each entry's passage rows, in order
    layouts: dict[str, _Layout]
    phrased: set[str]  # entries with alternative phrasings: the entry classifiers know how customers ask for them
    products: set[str]  # the products entries are about, which a question may name
    known_words: frozenset[str] = frozenset()  # every word of the content: a name outside it is another brand's (knowledge.names)
    maps: LanguageMaps | None = None  # moves a question towards the language of an entry written only in others
    accents: Accents | None = None  # the diacritics a question typed without them gets back before e5 reads it
    bars: Bars | None = None

    def layout(self, lang: str) -> _Layout:
        if lang not in self.layouts:
            self.layouts[lang] = _layout(self.index, lang, self.vectors, self.classifiers.classes)
        return self.layouts[lang]

    def lexical_scores(self, queries: list[str], ngram_rows: sparse.csr_matrix, lang: str) -> np.ndarray:
        """Every passage's lexical score per query; the char n-gram index reuses the rows the classifier gets too."""
        if self.lexical is self.ngrams:
            return self.ngrams.cosines(ngram_rows)
        return np.stack([self.lexical.scores(query, lang) for query in queries])

    def similarity(self, query_vectors: np.ndarray, lexical_rows: np.ndarray, lang: str) -> dict[str, np.ndarray]:
        """dense, dense_qa, dense_question and lexical per entry, for a batch of queries (one row each)."""
        layout = self.layout(lang)
        dense_rows = query_vectors @ layout.vectors.T
        if self.maps is not None and not layout.own_language.any():
            # Only when no entry has the customer's language: a moved question meets the other language's cosine scale
            # (higher for Czech than for English), which would lift untranslated entries over translated ones.
            for other, in_other in layout.other_languages.items():
                if self.maps.covers(lang, other):
                    dense_rows = np.where(in_other, self.maps.to_language(query_vectors, lang, other) @ layout.vectors.T, dense_rows)
        lexical_rows = lexical_rows[:, layout.rows]
        cross = ~layout.own_language
        return {"dense": _group_max(dense_rows, layout.starts),
                "dense_qa": _group_max(np.where(layout.states_content, dense_rows, -np.inf), layout.starts),
                "dense_question": _group_max(np.where(layout.states_content, -np.inf, dense_rows), layout.starts),
                "lexical": _neutral_where(cross, _group_max(lexical_rows, layout.starts)),
                "lexical_qa": _neutral_where(cross, _group_max(np.where(layout.states_content, lexical_rows, -np.inf), layout.starts))}


def _neutral_where(cross: np.ndarray, values: np.ndarray) -> np.ndarray:
    """A lexical signal says nothing about an entry written in other languages than the question (shared character
    n-grams across languages are chance: a Polish question ranked a Czech-only shop's right entry first for 0.26-0.38
    of questions with them, 0.45-0.66 without; docs/benchmarks.md): such entries get the query's mean, so the signal
    neither lifts nor sinks them, and drops out of the min-max ranking when no entry has the customer's language."""
    if not cross.any() or values.shape[-1] == 0:
        return values
    return np.where(cross, values.mean(axis=-1, keepdims=True), values).astype(np.float32)


def _evidence(signals: dict[str, np.ndarray]) -> np.ndarray:
    """The weighted sum of the evidence signals (EVIDENCE_WEIGHTS), for one query's entries or a batch's."""
    return np.asarray(sum(w * signals[name] for name, w in EVIDENCE_WEIGHTS.items()), dtype=np.float32)


def _minmax(values: np.ndarray) -> np.ndarray:
    span = float(values.max() - values.min()) if values.size else 0.0
    return (values - values.min()) / span if span > 1e-9 else np.zeros_like(values)


class KnowledgeBase:
    """The embedder and the serving index, loaded once per process and swapped atomically on rebuild."""

    def __init__(self, *, content_dir: Path, index_dir: Path, cache_dir: Path, embedder: Embedder, tuning: SearchTuning | None = None,
                 lexical: Callable[[list[Passage]], LexicalIndex] | None = None, reference_questions: dict[str, list[str]] | None = None,
                 translations: dict[str, list[str]] | None = None) -> None:
        self.content_dir = content_dir
        self.index_dir = index_dir
        self.cache_dir = cache_dir
        self.embedder = embedder
        self.tuning = tuning or SearchTuning()
        self._lexical_factory = lexical  # None: the char n-gram index the classifiers use
        self._analyses = NgramAnalyses()  # the passages' n-grams, so a rebuild cuts only new texts
        self._reference = load_reference_questions() if reference_questions is None else reference_questions
        self._translations = load_translations() if translations is None else translations
        self._maps = LanguageMaps(self._translations, self._embed_reference)
        self.last_error: ContentError | None = None
        self._loaded: _Loaded | None = None
        self._build_lock = threading.Lock()
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()
        self._queries_lock = threading.Lock()

    @property
    def index(self) -> KnowledgeIndex:
        return self._serving().index

    @property
    def bars(self) -> Bars:
        """The answer bars for the content being served (measured at load)."""
        loaded = self._serving()
        assert loaded.bars is not None
        return loaded.bars

    def _serving(self) -> _Loaded:
        loaded = self._loaded
        if loaded is None:
            loaded = self._loaded = self._wrap(load_index(self.index_dir, embedder_name=self.embedder.name))
        return loaded

    def _wrap(self, index: KnowledgeIndex) -> _Loaded:
        """Everything fitted from a build at load time: lexical index, entry classifiers, the bars for this content."""
        vectors = stored_vectors(index)  # held with `index` in the _Loaded below
        ngrams = CharNgramIndex(index.passages, analyses=self._analyses)
        entry_rows: dict[str, list[int]] = {}
        for row, passage in enumerate(index.passages):
            entry_rows.setdefault(passage.entry_id, []).append(row)
        loaded = _Loaded(index, vectors, ngrams, self._lexical_factory(index.passages) if self._lexical_factory else ngrams,
                         EntryClassifiers(index.passages, vectors, ngrams), entry_rows, {},
                         phrased={p.entry_id for p in index.passages if p.kind == "alternative"},
                         products={entry.product for entry in index.entries.values() if entry.product},
                         known_words=vocabulary(p.text for p in index.passages), maps=self._maps,
                         accents=Accents(self._texts_by_language(index.passages)))
        loaded.bars = self._calibrate(loaded)
        return loaded

    def _texts_by_language(self, passages: list[Passage]) -> dict[str, list[str]]:
        """The content's texts and the product's own reference texts, per language: how each language spells its words."""
        texts: dict[str, list[str]] = {}
        for passage in passages:
            texts.setdefault(passage.lang, []).append(passage.text)
        for shipped in (self._reference, self._translations):
            for lang, lang_texts in shipped.items():
                texts.setdefault(lang, []).extend(lang_texts)
        return texts

    def _calibrate(self, loaded: _Loaded) -> Bars:
        """Best evidence of each off-topic reference question against this content, per language → the bars."""
        texts = [q for questions in self._reference.values() for q in questions]
        vectors = self._embed_reference(texts)
        top: dict[str, np.ndarray] = {}
        confidence: dict[str, np.ndarray] = {}
        lexical_confidence: dict[str, np.ndarray] = {}
        leads: dict[str, np.ndarray] = {}
        start = 0
        for lang, questions in self._reference.items():
            batch = vectors[start:start + len(questions)]
            start += len(questions)
            if not loaded.index.passages:
                top[lang] = np.zeros(len(questions), np.float32)
                continue
            ngram_rows = loaded.ngrams.transform(questions)
            signals = loaded.similarity(batch, loaded.lexical_scores(questions, ngram_rows, lang), lang)
            evidence = np.sort(_evidence(signals), axis=1)
            top[lang] = evidence[:, -1]
            if evidence.shape[1] > 1:
                leads[lang] = evidence[:, -1] - evidence[:, -2]
            if loaded.phrased:
                dense, lexical = loaded.classifiers.scores(ngram_rows, batch)
                confidence[lang] = np.exp(dense.max(axis=1))
                lexical_confidence[lang] = lexical.max(axis=1)
        return calibrate(top, confidence, answer_quantile=self.tuning.answer_quantile, choices_quantile=self.tuning.choices_quantile,
                         lexical_confidence=lexical_confidence, leads=leads, max_lead=self.tuning.min_lead)

    def _embed_reference(self, texts: list[str]) -> np.ndarray:
        """Query vectors for the product's own reference texts (off-topic questions, translations), cached across builds."""
        cache = EmbeddingCache(cache_file(self.cache_dir, self.embedder, "reference"))
        vectors, embedded = embed_cached(texts, self.embedder.embed_queries, cache, dim=self.embedder.dim)
        if embedded:
            cache.save(set(cache.vectors))
        return vectors

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
            log.info("knowledge index rebuilt: %s (%s)", self.index.name, self.bars.describe())
        return built

    def score_entries(self, query: str, *, lang: str) -> EntryScores:
        """Every entry's signals for `query` (the benchmark compares rankings on these)."""
        loaded = self._serving()
        query_vector = self.embed_queries([query], lang=lang)
        layout = loaded.layout(lang)
        ngram_rows = loaded.ngrams.transform([query])
        signals = loaded.similarity(query_vector, loaded.lexical_scores([query], ngram_rows, lang), lang)
        dense_clf, lexical_clf = (scores[0] for scores in loaded.classifiers.scores(ngram_rows, query_vector))
        order = layout.columns
        shown = [lang if own else self._best_language(loaded, entry_id, query_vector[0]) for entry_id, own in zip(layout.ids, layout.own_language)]
        named = named_products(query, loaded.products)
        another = not named and bool(loaded.products) and bool(unknown_names(query, loaded.known_words))  # "my Philips AC2887"
        entries = loaded.index.entries
        other = np.array([entries[i].product is not None and (another or (bool(named) and entries[i].product not in named)) for i in layout.ids],
                         dtype=np.float32)
        return EntryScores(layout.ids, signals["dense"][0], signals["dense_qa"][0], signals["dense_question"][0], signals["lexical"][0],
                           signals["lexical_qa"][0], dense_clf[order], _neutral_where(~layout.own_language, lexical_clf[order]), shown, other)

    def embed_queries(self, texts: list[str], *, lang: str | None = None) -> np.ndarray:
        """Query vectors, remembered for the most recent texts: the back office groups the questions customers asked,
        and embedding them all again on every page load took seconds per thousand (issue #21, item 3).

        Given the customer's language, a text typed without diacritics is embedded with them put back (knowledge.accents);
        it is remembered under the text as typed, so Rasa's intent component and the search get the same vector."""
        with self._queries_lock:
            known = {text: self._queries[text] for text in texts if text in self._queries}
            for text in known:
                self._queries.move_to_end(text)
        missing = list(dict.fromkeys(text for text in texts if text not in known))
        if missing:
            spelled = [self.spelled(text, lang) for text in missing] if lang else missing
            known.update(zip(missing, self.embedder.embed_queries(spelled)))
            with self._queries_lock:
                for text in missing:
                    self._queries[text] = known[text]
                while len(self._queries) > REMEMBERED_QUERIES:
                    self._queries.popitem(last=False)
        return np.stack([known[text] for text in texts]) if texts else np.zeros((0, self.embedder.dim), np.float32)

    def spelled(self, text: str, lang: str) -> str:
        """The text as e5 reads it: the words typed without diacritics as the content in `lang` spells them."""
        accents = self._serving().accents
        return accents.restore(text, lang) if accents else text

    @staticmethod
    def _best_language(loaded: _Loaded, entry_id: str, query_vector: np.ndarray) -> str:
        """An entry without the customer's language is shown in the language of its passage closest to the question."""
        best = max(loaded.entry_rows[entry_id], key=lambda r: float(loaded.vectors[r] @ query_vector))
        return loaded.index.passages[best].lang

    def search(self, query: str, *, lang: str, k: int = 3, retriever: Retriever = "hybrid") -> list[Hit]:
        """Entries ranked for `query`, each scored by its best passages in the customer's language."""
        weights = {"dense": {"dense": 1.0}, "lexical": {"lexical": 1.0}, "hybrid": self.tuning.weights}[retriever]
        return self._hits(self.score_entries(query, lang=lang), lang, k=k, weights=weights)

    def _hits(self, scores: EntryScores, lang: str, *, k: int, weights: dict[str, float]) -> list[Hit]:
        if not scores.ids:
            return []
        fused = scores.fused(weights)
        evidence = scores.evidence
        top = self.tuning.found_by_top
        dense_top = set(np.argsort(-scores.dense)[:top].tolist())
        lexical_top = set(np.argsort(-scores.lexical)[:top].tolist())
        loaded = self._serving()
        index, phrased = loaded.index, loaded.phrased
        hits = []
        for i in np.argsort(-fused, kind="stable")[:k].tolist():
            entry = index.entries[scores.ids[i]]
            shown = scores.shown_lang[i]
            text = entry.texts[shown]
            found_by = tuple(name for name, best in (("dense", dense_top), ("lexical", lexical_top)) if i in best)
            hits.append(Hit(entry.id, entry.kind, text["question"], text["answer"], shown, float(np.clip(scores.dense[i], -1, 1)),
                            float(scores.lexical[i]), float(fused[i]), float(evidence[i]),
                            float(np.exp(scores.dense_classifier[i])), found_by, shown != lang, entry.link,
                            entry.id in phrased, float(scores.lexical_classifier[i])))
        return hits

    def decide(self, query: str, *, lang: str) -> Decision:
        """No answer below the choices bar; an answer when the top hit clears the answer bar and clearly leads; else choices.

        A query that is the top hit's own title word for word is answered: the customer typed (or pasted) the
        entry's question, and must not be offered it among choices. A pressed choice is `choose`, by the entry's id.
        """
        scores = self.score_entries(query, lang=lang)
        hits = self._hits(scores, lang, k=3, weights=self.tuning.weights)
        if not hits:
            return Decision("no_answer", hits)
        return decide(query, hits, scores.evidence, self.bars.for_language(lang), self.tuning)

    def choose(self, entry_id: str, *, lang: str) -> Decision:
        """The answer to a choice the customer pressed: its button named the entry by id, so no search can pick another.

        The entry is shown in the customer's language, or (written in others only) in the first it has; it is scored as
        if the customer had typed its question, so the back office reads the same record as for a typed one. An id the
        index no longer holds (the content changed since the buttons were shown) has no answer.
        """
        entry = self.index.entries.get(entry_id)
        if entry is None:
            return Decision("no_answer")
        title = entry.texts[lang if lang in entry.texts else next(iter(entry.texts))]["question"]
        scores = self.score_entries(title, lang=lang)
        ranked = self._hits(scores, lang, k=len(scores.ids), weights=self.tuning.weights)
        chosen = next(hit for hit in ranked if hit.entry_id == entry_id)
        others = [hit for hit in ranked if hit is not chosen]
        rest = np.delete(scores.evidence, scores.ids.index(entry_id))
        margin = chosen.evidence - float(rest.max()) if rest.size else 1.0
        return Decision("answer", [chosen, *others[:2]], margin, self.bars.for_language(lang).answer)

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
            "bars": self.bars.describe(),
            "problems": [str(p) for p in self.last_error.problems] if self.last_error else [],
        }


def decide(query: str, hits: list[Hit], evidence: np.ndarray, bars: LanguageBars, tuning: SearchTuning) -> Decision:
    """The decision on ranked hits; `evidence` holds every entry's, so the lead is over the best other entry, ranked or not.

    An entry with alternative phrasings has a second way in: the entry classifiers learnt how customers ask for it,
    so when the hit clearly leads the ranking and either classifier is more confident than for nearly every
    off-topic question (`LanguageBars.phrased`, `.phrased_lexical`), that stands in for evidence.
    """
    best = hits[0]
    others = np.sort(evidence)[::-1]
    second = float(others[1]) if best.evidence >= float(others[0]) - 1e-9 and len(others) > 1 else float(others[0])
    margin = best.evidence - second if len(evidence) > 1 else 1.0
    rank_lead = best.fused - hits[1].fused if len(hits) > 1 else 1.0
    confident = best.confidence >= bars.phrased or best.lexical_confidence >= bars.phrased_lexical
    learnt = best.phrased and confident and rank_lead >= tuning.min_rank_lead
    action: SearchAction
    if " ".join(fold(query).split()) == " ".join(fold(best.title).split()):
        action = "answer"
    elif best.evidence < bars.choices and not learnt:
        action = "no_answer"
    elif (best.evidence >= bars.answer and margin >= min(tuning.min_lead, bars.lead)) or learnt:
        action = "answer"
    else:
        action = "clarify"
    return Decision(action, hits, margin, bars.answer)

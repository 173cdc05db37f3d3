"""Supervised signals: which entry a question belongs to, learnt from the entries' own phrasings.

Nearest-neighbour cosine treats every phrasing alike; a linear classifier trained on all of an
entry's phrasings (in all four languages) learns what tells close entries apart. On our
evaluation set this lifted Recall@1 by about 15 points over dense + lexical similarity alone
(see docs/benchmarks.md). Trained when an index is loaded: about 6 s of CPU for the demo shop (Profile).
"""
from __future__ import annotations

import warnings

import numpy as np
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from knowledge.index import Passage
from knowledge.lexical import CharNgramIndex


class EntryClassifiers:
    """Logistic regression on the e5 vectors and a linear SVM on the passages' char n-grams, both over entry ids."""

    def __init__(self, passages: list[Passage], vectors: np.ndarray, ngrams: CharNgramIndex) -> None:
        labels = [p.entry_id for p in passages]
        self.classes: list[str] = sorted(set(labels))
        self._dense: LogisticRegression | None = None
        self._lexical: LinearSVC | None = None
        if len(self.classes) < 2:
            return
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            self._dense = LogisticRegression(C=10.0, max_iter=2000, class_weight="balanced").fit(vectors, labels)
            self._lexical = LinearSVC(C=0.5, class_weight="balanced", random_state=0).fit(ngrams.matrix, labels)  # its solver shuffles: 1e-5 apart per fit
            # A weight per class and n-gram (100 by 72502 for the demo shop): float32 like the n-gram rows it meets, half of 55 MB
            self._lexical.coef_ = self._lexical.coef_.astype(np.float32)

    def scores(self, ngram_rows: sparse.csr_matrix, query_vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(log-probability from the dense classifier, margin from the lexical one): a row per query (its char n-gram
        row from the shared `CharNgramIndex.transform`, its e5 vector), a column per class."""
        if self._dense is None or self._lexical is None:
            zeros = np.zeros((query_vectors.shape[0], len(self.classes)), dtype=np.float32)
            return zeros, zeros
        dense = np.log(self._dense.predict_proba(query_vectors) + 1e-9)
        lexical = self._lexical.decision_function(ngram_rows)
        if lexical.ndim == 1:  # a binary SVM gives one margin, for the second class
            lexical = np.stack([-lexical, lexical], axis=1)
        return dense.astype(np.float32), lexical.astype(np.float32)

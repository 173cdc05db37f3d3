"""Supervised signals: which entry a question belongs to, learnt from the entries' own phrasings.

Nearest-neighbour cosine treats every phrasing alike; a linear classifier trained on all of an
entry's phrasings (in all four languages) learns what tells close entries apart. On our
evaluation set this lifted Recall@1 by about 15 points over dense + lexical similarity alone
(see docs/benchmarks.md). Trained when an index is loaded, in about two seconds.
"""
from __future__ import annotations

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from knowledge.index import Passage
from knowledge.lexical import fold


class EntryClassifiers:
    """Logistic regression on the e5 vectors and a linear SVM on char n-grams, both over entry ids."""

    def __init__(self, passages: list[Passage], vectors: np.ndarray) -> None:
        labels = [p.entry_id for p in passages]
        self.classes: list[str] = sorted(set(labels))
        self._dense: LogisticRegression | None = None
        self._lexical: LinearSVC | None = None
        if len(self.classes) < 2:
            return
        self._vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), preprocessor=fold, sublinear_tf=True)
        matrix = self._vectorizer.fit_transform([p.text for p in passages])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            self._dense = LogisticRegression(C=10.0, max_iter=2000, class_weight="balanced").fit(vectors, labels)
            self._lexical = LinearSVC(C=0.5, class_weight="balanced").fit(matrix, labels)

    def scores(self, query: str, query_vector: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(log-probability from the dense classifier, margin from the lexical one), one value per class."""
        if self._dense is None or self._lexical is None:
            zeros = np.zeros(len(self.classes), dtype=np.float32)
            return zeros, zeros
        dense = np.log(self._dense.predict_proba(query_vector.reshape(1, -1))[0] + 1e-9)
        lexical = np.atleast_1d(self._lexical.decision_function(self._vectorizer.transform([query]))[0])
        if len(self.classes) == 2:  # a binary SVM gives one margin, for the second class
            lexical = np.array([-lexical[0], lexical[0]])
        return dense.astype(np.float32), lexical.astype(np.float32)

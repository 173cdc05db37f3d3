"""The entry classifiers fitted twice on the same content score alike: benchmark figures and answers on a knife's edge
must not change from one index load to the next."""
from __future__ import annotations

import numpy as np

from knowledge.classifiers import EntryClassifiers
from knowledge.content import load_content
from knowledge.index import passages_for
from knowledge.lexical import CharNgramIndex
from tests.tea_shop import CONTENT


def test_two_fits_on_the_same_content_give_the_same_scores() -> None:
    passages = [p for entry in load_content(CONTENT).entries for p in passages_for(entry)]
    ngrams = CharNgramIndex(passages)
    vectors = np.random.default_rng(0).normal(size=(len(passages), 16)).astype(np.float32)
    queries = ngrams.transform(["Kolik stojí poštovné?", "can I pay by card", "dárkový poukaz"])
    first, second = (EntryClassifiers(passages, vectors, ngrams).scores(queries, vectors[:3]) for _ in range(2))
    assert np.array_equal(first[0], second[0])
    assert np.array_equal(first[1], second[1])

"""The char n-gram index: one fit shared by the lexical search and the entry classifier, refitted incrementally."""
from __future__ import annotations

import numpy as np

from knowledge.index import Passage
from knowledge.lexical import CharNgramIndex, NgramAnalyses

BEFORE = [Passage("delivery-cost", "cs", "qa", "Kolik stojí doprava?\nDoprava stojí 89 Kč."),
          Passage("returns", "cs", "qa", "Jak vrátím zboží?\nDo 14 dnů bez udání důvodu.")]
AFTER = [*BEFORE[:1], Passage("returns", "cs", "qa", "Jak vrátím zboží?\nDo 30 dnů bez udání důvodu."),
         Passage("engraving", "cs", "qa", "Můžete vygravírovat jméno?\nAno, za 149 Kč.")]


def test_a_refit_with_the_remembered_ngrams_is_the_index_fitted_afresh() -> None:
    analyses = NgramAnalyses()
    CharNgramIndex(BEFORE, analyses=analyses)
    refitted, fresh = CharNgramIndex(AFTER, analyses=analyses), CharNgramIndex(AFTER)
    assert refitted.matrix is not None and fresh.matrix is not None
    assert refitted.matrix.shape == fresh.matrix.shape and (refitted.matrix != fresh.matrix).nnz == 0
    assert np.array_equal(refitted.scores("kolik stoji postovne", "cs"), fresh.scores("kolik stoji postovne", "cs"))


def test_a_batch_of_questions_scores_as_each_question_alone() -> None:
    index = CharNgramIndex(AFTER)
    questions = ["kolik stoji doprava", "vygravirujete jmeno?", "počasí zítra"]
    batch = index.cosines(index.transform(questions))
    assert batch.shape == (len(questions), len(AFTER))
    for row, question in zip(batch, questions):
        assert np.array_equal(row, index.scores(question, "cs"))
    assert int(np.argmax(batch[1])) == 2


def test_content_without_passages_scores_nothing() -> None:
    index = CharNgramIndex([])
    assert index.cosines(index.transform(["kolik stoji doprava"])).shape == (1, 0)


def test_the_remembered_ngrams_share_one_string_per_distinct_ngram() -> None:
    analyses = NgramAnalyses()
    index = CharNgramIndex(AFTER, analyses=analyses)
    first, second = (analyses.analyze(p.text) for p in (AFTER[0], AFTER[2]))
    shared = set(first) & set(second)
    assert shared  # " kc " and the like
    by_text = {gram: gram for gram in first}
    assert all(gram is by_text[gram] for gram in second if gram in shared)  # one object each, not one per occurrence
    assert index.matrix is not None and index.matrix.dtype == np.float32  # like the e5 vectors: half the memory of float64

"""A shop's content in the languages the shop has: an FAQ written in Czech only answers customers who write in
another language from its Czech entries (e5 is cross-lingual), and still refuses what it does not cover."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from knowledge import KnowledgeBase, load_content
from knowledge.embedder import E5Embedder
from tests.tea_shop import NOT_COVERED, OTHER_LANGUAGE, in_one_language


@pytest.fixture(scope="module")
def czech_only(tmp_path_factory: pytest.TempPathFactory, embedding_cache: Path, e5: E5Embedder) -> KnowledgeBase:
    var = tmp_path_factory.mktemp("czech-only")
    kb = KnowledgeBase(content_dir=in_one_language(var / "content", "cs"), index_dir=var / "index", cache_dir=embedding_cache, embedder=e5)
    kb.ensure_built()
    return kb


def test_the_content_is_loaded_as_the_shop_wrote_it(czech_only: KnowledgeBase) -> None:
    assert {lang for entry in load_content(czech_only.content_dir).entries for lang in entry.texts} == {"cs"}


@pytest.mark.parametrize(("question", "lang", "entry"), OTHER_LANGUAGE)
def test_a_question_in_another_language_is_answered_from_the_czech_entry(czech_only: KnowledgeBase, question: str, lang: str, entry: str) -> None:
    decision = czech_only.decide(question, lang=lang)
    best = decision.best
    assert best is not None and (decision.action, best.entry_id, best.language, best.cross_lingual) == ("answer", entry, "cs", True), decision


def test_a_question_in_another_language_scores_about_as_a_czech_one_would(czech_only: KnowledgeBase) -> None:
    """The shipped translations move the question towards Czech (knowledge/translation_map.py): its entry's e5 cosine
    rises to about the Czech question's, while a Czech question is left as it is."""
    plain = KnowledgeBase(content_dir=czech_only.content_dir, index_dir=czech_only.index_dir, cache_dir=czech_only.cache_dir,
                          embedder=czech_only.embedder, translations={})
    czech = czech_only.score_entries("Můžu si objednávku vyzvednout osobně?", lang="cs")
    assert np.array_equal(czech.dense, plain.score_entries("Můžu si objednávku vyzvednout osobně?", lang="cs").dense)
    own = float(czech.dense[czech.ids.index("personal-pickup")])
    for question, lang in (("Can I pick up my order in person?", "en"), ("Vai varu pasūtījumu saņemt personīgi?", "lv")):
        moved, raw = (kb.score_entries(question, lang=lang) for kb in (czech_only, plain))
        row = moved.ids.index("personal-pickup")
        assert abs(float(moved.dense[row]) - own) < abs(float(raw.dense[row]) - own) and moved.dense[row] > raw.dense[row], question


def test_the_lead_needed_is_measured_per_language_and_smaller_across_languages(czech_only: KnowledgeBase) -> None:
    """Off-topic questions' top hits lead by less when e5 alone compares languages, so the lead an answer needs shrinks
    with them there, and never exceeds the product's fixed lead in the content's own language."""
    bars = czech_only.bars
    assert bars.for_language("cs").lead == czech_only.tuning.min_lead
    assert all(bars.for_language(lang).lead < czech_only.tuning.min_lead for lang in ("pl", "lv", "en"))


@pytest.mark.parametrize(("question", "lang"), NOT_COVERED)
def test_what_the_shop_does_not_cover_is_still_refused_in_every_language(czech_only: KnowledgeBase, question: str, lang: str) -> None:
    assert czech_only.decide(question, lang=lang).action == "no_answer"


def test_character_ngrams_do_not_rank_entries_written_in_another_language(czech_only: KnowledgeBase) -> None:
    """Shared character n-grams between Latvian and Czech are chance, not evidence: they carry no weight here."""
    scores = czech_only.score_entries("Vai varu pasūtījumu saņemt personīgi?", lang="lv")
    assert len(set(scores.lexical.tolist())) == 1 and len(set(scores.lexical_classifier.tolist())) == 1
    assert len(set(czech_only.score_entries("Můžu si objednávku vyzvednout osobně?", lang="cs").lexical.tolist())) > 1


def test_an_entry_in_every_language_is_not_shown_across_languages(tea_kb: KnowledgeBase) -> None:
    best = tea_kb.decide("Ile kosztuje wysyłka?", lang="pl").best
    assert best is not None and (best.entry_id, best.language, best.cross_lingual) == ("shipping-cost", "pl", False)

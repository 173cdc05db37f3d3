"""The answer bars come from the content being served: a second shop whose FAQ has no alternatives is answered
in every language, and what it does not cover is refused, with no number tuned on our demo content."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from api.settings import ROOT
from knowledge import KnowledgeBase
from knowledge.calibration import LanguageBars, calibrate, load_reference_questions
from knowledge.embedder import E5Embedder
from knowledge.search import Hit, SearchTuning, decide
from tests.tea_shop import ANSWERED, CONTENT, NOT_COVERED


@pytest.fixture(scope="module")
def tea_shop(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """A small shop's FAQ as it publishes it (one question, one answer), served with the product's defaults."""
    var = tmp_path_factory.mktemp("tea")
    shutil.copytree(CONTENT, var / "content")
    kb = KnowledgeBase(content_dir=var / "content", index_dir=var / "index", cache_dir=ROOT / "var" / "cache" / "embeddings", embedder=E5Embedder())
    kb.ensure_built()
    return kb


@pytest.mark.parametrize(("question", "lang", "entry"), ANSWERED)
def test_a_shop_without_alternatives_is_answered_in_every_language(tea_shop: KnowledgeBase, question: str, lang: str, entry: str) -> None:
    decision = tea_shop.decide(question, lang=lang)
    assert decision.best is not None, (decision.action, decision.bar, decision.margin)
    assert (decision.action, decision.best.entry_id) == ("answer", entry), (decision.action, decision.best.entry_id, decision.best.evidence, decision.bar, decision.margin)


@pytest.mark.parametrize(("question", "lang"), NOT_COVERED)
def test_what_the_shop_does_not_cover_gets_no_answer(tea_shop: KnowledgeBase, question: str, lang: str) -> None:
    decision = tea_shop.decide(question, lang=lang)
    assert decision.action == "no_answer", (decision.best, tea_shop.bars.for_language(lang))


def test_an_unsure_match_offers_choices_and_a_pressed_choice_is_answered(tea_shop: KnowledgeBase) -> None:
    decision = tea_shop.decide("kde nechat čaj aby nezvětral", lang="cs")
    assert decision.action == "clarify" and "tea-storage" in [hit.entry_id for hit in decision.hits], decision
    chosen = next(hit for hit in decision.hits if hit.entry_id == "tea-storage")
    assert tea_shop.decide(chosen.title, lang="cs").action == "answer"


@pytest.mark.slow
def test_the_bars_follow_the_content(tea_shop: KnowledgeBase, tmp_path: Path) -> None:
    """The same product on other content measures other bars: nothing tuned on one shop decides for another."""
    other = tmp_path / "content"
    shutil.copytree(ROOT / "knowledge" / "faq", other / "faq")
    demo = KnowledgeBase(content_dir=other, index_dir=tmp_path / "index", cache_dir=ROOT / "var" / "cache" / "embeddings", embedder=tea_shop.embedder)
    demo.ensure_built()
    for lang in ("cs", "pl", "lv", "en"):
        assert demo.bars.for_language(lang) != tea_shop.bars.for_language(lang)
        bars = tea_shop.bars.for_language(lang)
        assert bars.answer >= bars.choices
        assert (bars.phrased, bars.phrased_lexical) == (1.0, float("inf"))  # no entry has alternatives: the classifiers' way in stays shut


def test_bars_are_quantiles_of_the_reference_questions_best_evidence() -> None:
    import numpy as np

    bars = calibrate({"cs": np.arange(100, dtype=float) / 100}, {"cs": np.linspace(0, 1, 101)}, answer_quantile=0.99, choices_quantile=0.5,
                     lexical_confidence={"cs": np.linspace(-1, 1, 101)})
    cs = bars.for_language("cs")
    assert (cs.answer, cs.choices, cs.phrased, cs.phrased_lexical) == pytest.approx((0.9801, 0.495, 0.5, 0.98))
    # off-topic questions far from every phrasing: the char n-gram classifier must still assign the entry itself (margin ≥ 0)
    far = calibrate({"cs": np.zeros(10)}, {"cs": np.zeros(10)}, answer_quantile=0.99, choices_quantile=0.5, lexical_confidence={"cs": np.full(10, -0.5)})
    assert far.for_language("cs").phrased_lexical == 0.0
    assert bars.for_language("sk") == bars.for_language("cs")  # a language without reference questions gets the strictest
    reference = load_reference_questions()
    assert set(reference) == {"cs", "pl", "lv", "en"} and all(len(questions) >= 100 for questions in reference.values())


def _hit(entry_id: str, *, evidence: float, fused: float, phrased: bool, confidence: float = 0.0, lexical_confidence: float = 0.0) -> Hit:
    return Hit(entry_id, "faq", entry_id, "answer", "cs", 0.8, 0.2, fused, evidence, confidence, ("dense",), phrased=phrased,
               lexical_confidence=lexical_confidence)


@pytest.mark.parametrize(("phrased", "lexical_confidence", "rank_lead", "action"), [
    (True, 0.9, 0.3, "answer"),      # the char n-gram classifier is surer than for 99 % of off-topic questions, and the hit leads
    (True, 0.5, 0.3, "no_answer"),   # neither classifier clears its bar: the low evidence decides
    (True, 0.9, 0.05, "no_answer"),  # a sure classifier but a close second in the ranking
    (False, 0.9, 0.3, "no_answer"),  # no alternatives: the classifiers learnt nothing about how customers ask for it
])
def test_an_entry_with_alternatives_is_answered_on_either_classifiers_confidence(phrased: bool, lexical_confidence: float, rank_lead: float,
                                                                                 action: str) -> None:
    import numpy as np

    bars = LanguageBars(answer=1.8, choices=1.7, phrased=0.6, phrased_lexical=0.8)
    hits = [_hit("a", evidence=1.6, fused=0.9, phrased=phrased, confidence=0.3, lexical_confidence=lexical_confidence),
            _hit("b", evidence=1.5, fused=0.9 - rank_lead, phrased=True)]
    assert decide("otázka", hits, np.array([1.6, 1.5]), bars, SearchTuning()).action == action

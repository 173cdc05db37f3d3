"""The answer bars come from the content being served: a second shop whose FAQ has no alternatives is answered
in every language, and what it does not cover is refused, with no number tuned on our demo content."""
from __future__ import annotations

from pathlib import Path

import pytest

from knowledge import KnowledgeBase
from knowledge.calibration import LanguageBars, calibrate, load_reference_questions
from knowledge.search import Hit, SearchTuning, decide
from tests.conftest import copy_demo_content
from tests.tea_shop import ANSWERED, NOT_COVERED


@pytest.mark.parametrize(("question", "lang", "entry"), ANSWERED)
def test_a_shop_without_alternatives_is_answered_in_every_language(tea_kb: KnowledgeBase, question: str, lang: str, entry: str) -> None:
    decision = tea_kb.decide(question, lang=lang)
    assert decision.best is not None, (decision.action, decision.bar, decision.margin)
    assert (decision.action, decision.best.entry_id) == ("answer", entry), (decision.action, decision.best.entry_id, decision.best.evidence, decision.bar, decision.margin)


@pytest.mark.parametrize(("question", "lang"), NOT_COVERED)
def test_what_the_shop_does_not_cover_gets_no_answer(tea_kb: KnowledgeBase, question: str, lang: str) -> None:
    decision = tea_kb.decide(question, lang=lang)
    assert decision.action == "no_answer", (decision.best, tea_kb.bars.for_language(lang))


def test_an_unsure_match_offers_choices_and_a_pressed_choice_is_answered(tea_kb: KnowledgeBase) -> None:
    """A pressed choice names its entry by id and is answered with it; its question typed word for word is answered too."""
    decision = tea_kb.decide("kde nechat čaj aby nezvětral", lang="cs")
    assert decision.action == "clarify" and "tea-storage" in [hit.entry_id for hit in decision.hits], decision
    chosen = next(hit for hit in decision.hits if hit.entry_id == "tea-storage")
    for pressed in decision.hits:
        answer = tea_kb.choose(pressed.entry_id, lang="cs")
        assert answer.action == "answer" and answer.best is not None and answer.best.entry_id == pressed.entry_id
        assert answer.best.title == pressed.title  # the question its button showed
    assert tea_kb.decide(chosen.title, lang="cs").action == "answer"


def test_a_choice_whose_entry_is_gone_has_no_answer(tea_kb: KnowledgeBase) -> None:
    """The content changed since the buttons were shown: no other entry is passed off as the one pressed."""
    assert tea_kb.choose("no-such-entry", lang="cs").action == "no_answer"


@pytest.mark.slow
def test_the_bars_follow_the_content(tea_kb: KnowledgeBase, tmp_path: Path, demo_vectors: Path) -> None:
    """The same product on other content measures other bars: nothing tuned on one shop decides for another."""
    other = copy_demo_content(tmp_path / "content", ("faq",))
    demo = KnowledgeBase(content_dir=other, index_dir=tmp_path / "index", cache_dir=demo_vectors, embedder=tea_kb.embedder)
    demo.ensure_built()
    for lang in ("cs", "pl", "lv", "en"):
        assert demo.bars.for_language(lang) != tea_kb.bars.for_language(lang)
        bars = tea_kb.bars.for_language(lang)
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

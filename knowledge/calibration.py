"""The answer bars, derived from the content being served rather than tuned on one shop.

A fixed threshold on a similarity score does not transfer: a shop with 30 short entries about flowers
and one with 100 long entries about appliances put the same question at very different scores. What
does transfer is how close questions that no shop's FAQ answers (weather, homework, bank loans:
`reference/off_topic.yml`, 150 per language) come to *this* content. At every index load their best
evidence score is measured against the content, per language, and the bars are quantiles of it:
a customer's question is worth answering when it matches the content better than nearly every
off-topic question does (docs/benchmarks.md, "Shops").
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

REFERENCE_FILE = Path(__file__).resolve().parent / "reference" / "off_topic.yml"


def load_reference_questions(path: Path = REFERENCE_FILE) -> dict[str, list[str]]:
    """Off-topic questions per language (shipped with the product, never evaluation or training data)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {lang: [str(q) for q in questions] for lang, questions in data.items() if questions}


@dataclass(frozen=True)
class LanguageBars:
    """What a top hit needs in one language: evidence to be answered outright, evidence to be offered among choices,
    and, for an entry with alternative phrasings, the entry classifiers' confidence that stands in for evidence
    (`phrased` for the e5 classifier's probability, `phrased_lexical` for the char n-gram classifier's margin).

    `lead` is how far off-topic questions' top hits lead their runner-up (the choices quantile of it): on content in
    another language than the question, e5 alone scores and every lead shrinks, so a fixed lead refused nearly every
    cross-language answer (docs/benchmarks.md, "Shops"). It is never more than the product's fixed lead."""

    answer: float
    choices: float
    phrased: float
    phrased_lexical: float = float("inf")
    lead: float = float("inf")


@dataclass(frozen=True)
class Bars:
    """The bars per language, measured on the content being served."""

    languages: dict[str, LanguageBars]

    def for_language(self, lang: str) -> LanguageBars:
        """A language the reference set lacks gets the strictest bars of the others."""
        if lang in self.languages:
            return self.languages[lang]
        bars = list(self.languages.values())
        return LanguageBars(max((b.answer for b in bars), default=0.0), max((b.choices for b in bars), default=0.0),
                            max((b.phrased for b in bars), default=1.0), max((b.phrased_lexical for b in bars), default=float("inf")),
                            max((b.lead for b in bars), default=float("inf")))

    def describe(self) -> str:
        return "; ".join(f"{lang} answer ≥ {b.answer:.3f}, choices ≥ {b.choices:.3f}, lead ≥ {b.lead:.3f}" for lang, b in self.languages.items())


def calibrate(evidence: dict[str, np.ndarray], confidence: dict[str, np.ndarray], *, answer_quantile: float, choices_quantile: float,
              lexical_confidence: dict[str, np.ndarray] | None = None, leads: dict[str, np.ndarray] | None = None,
              max_lead: float = float("inf")) -> Bars:
    """Bars from the best evidence, its lead over the runner-up, and the classifier confidences each off-topic question
    reached against this content.

    The e5 classifier's bar is its `choices_quantile`, the char n-gram classifier's its `answer_quantile` and never
    below a margin of 0 (the linear SVM itself assigning the entry): its margins run higher on off-topic questions
    that share words with an entry's phrasings ("Can you recommend a good pizza place?" beside "can you recommend a
    kettle?"; docs/benchmarks.md, "Shops"). Without entries that have alternatives both stay shut.
    """
    lexical_confidence = lexical_confidence or {}
    leads = leads or {}

    def bar(values: np.ndarray | None, quantile: float, shut: float) -> float:
        return float(np.quantile(values, quantile)) if values is not None and len(values) else shut

    return Bars({lang: LanguageBars(float(np.quantile(scores, answer_quantile)), float(np.quantile(scores, choices_quantile)),
                                    bar(confidence.get(lang), choices_quantile, 1.0), max(bar(lexical_confidence.get(lang), answer_quantile, float("inf")), 0.0),
                                    min(bar(leads.get(lang), choices_quantile, max_lead), max_lead))
                 for lang, scores in evidence.items() if len(scores)})

"""The search's tunable defaults and their checks, apart from the search itself.

The settings (`knowledge.settings`, and so the api's and the runner's) read these defaults; keeping them here means
reading the configuration does not import the search with scikit-learn, SciPy and FAISS (the runner stays small).
"""
from __future__ import annotations

from dataclasses import dataclass, field

SIGNALS = ("dense", "lexical", "dense_classifier", "lexical_classifier", "similarity")
# Ranking weights, chosen by `make bench` (docs/benchmarks.md); the same for every shop.
DEFAULT_WEIGHTS = {"similarity": 1.0, "dense_classifier": 0.5, "lexical_classifier": 1.0}
DEFAULT_ANSWER_QUANTILE = 0.99
DEFAULT_CHOICES_QUANTILE = 0.95
DEFAULT_MIN_LEAD = 0.05
DEFAULT_MIN_RANK_LEAD = 0.16


@dataclass(frozen=True)
class SearchTuning:
    """The product's defaults, the same for every shop; the bars themselves come from the content (`Bars`).

    A question is answered outright when its top hit's evidence beats `answer_quantile` of the off-topic
    reference questions' best evidence against this content and leads every other entry by `min_lead`
    (in evidence units: a sum of cosines), or by less where off-topic questions' top hits lead by less on this content
    (`LanguageBars.lead`: questions in a language the content lacks); it gets the top three as choices
    when the evidence beats `choices_quantile`; below that the bot says it has no answer. An entry with alternative
    phrasings is also answered when the hit leads the ranking score by `min_rank_lead` and the dense entry classifier
    beats `choices_quantile` of the off-topic questions' confidence, or the char n-gram one `answer_quantile` of
    theirs (see `decide`).
    """

    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    answer_quantile: float = DEFAULT_ANSWER_QUANTILE
    choices_quantile: float = DEFAULT_CHOICES_QUANTILE
    min_lead: float = DEFAULT_MIN_LEAD
    min_rank_lead: float = DEFAULT_MIN_RANK_LEAD
    found_by_top: int = 5

    def __post_init__(self) -> None:
        unknown = set(self.weights) - set(SIGNALS)
        if unknown or not any(self.weights.values()):
            raise ValueError(f"weights must name some of {', '.join(SIGNALS)} with a non-zero total; got {self.weights}")
        if not 0 < self.choices_quantile <= self.answer_quantile <= 1:
            raise ValueError(f"need 0 < choices_quantile ≤ answer_quantile ≤ 1; got {self.choices_quantile}, {self.answer_quantile}")

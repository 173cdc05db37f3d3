"""How far the decision is from the best any rule on the same signals could do: is the decision or the ranking the limit?

    .venv/bin/python -m benchmarks.ceiling

For every shop of `make bench-shops` (served as there, the decision alone, no NLU) each question's top hit is
described by the signals `decide` weighs: its evidence over the answer bar, its evidence lead over the runner-up,
its ranking lead, and the two entry classifiers' confidences. A logistic regression is then fitted on the labels
themselves (is the top hit right?) and scored on the same questions: a rule learnt with hindsight, which no product
has (it never sees the labels), though not a strict upper bound (its ranking is fitted for likelihood, not for the
high-precision end). It reports how many in-scope questions that rule could answer right at precision 0.90 and 0.95
(out-of-scope questions it answers count as wrong), beside what the product's decision does. When the product is
close to it, a better rule on the same signals has little to win: better signals (the ranking, the embedder) do.
"""
from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
from sklearn.linear_model import LogisticRegression

from api.settings import Settings
from benchmarks.shops import Question, embed_in_batches, load_questions, metrics, serve, shops
from knowledge.embedder import make_embedder
from knowledge.search import Decision

PRECISIONS = (0.90, 0.95)


def signals(decision: Decision) -> list[float]:
    """What the decision weighs about the top hit, as one row."""
    best = decision.hits[0]
    rank_lead = best.fused - decision.hits[1].fused if len(decision.hits) > 1 else 1.0
    return [best.evidence - decision.bar, decision.margin, rank_lead, best.confidence, best.lexical_confidence]


def hindsight_coverage(rows: np.ndarray, right: np.ndarray, in_scope: int, precision: float) -> float:
    """The most in-scope questions answered right by any threshold on an in-sample fit, at `precision` or better."""
    if right.all() or not right.any():
        return float(right.sum()) / max(in_scope, 1)
    score = LogisticRegression(C=10.0, max_iter=5000).fit(rows, right).decision_function(rows)
    ranked = right[np.argsort(-score)]
    hits = np.cumsum(ranked)
    ok = hits / np.arange(1, len(ranked) + 1) >= precision
    return float(hits[ok].max()) / max(in_scope, 1) if ok.any() else 0.0


def main() -> None:
    settings = Settings()
    embedder = make_embedder(settings.embedder)
    print("| shop | answered right (precision) | hindsight rule at precision 0.90 | at 0.95 | top hit right |")
    print("| --- | --- | --- | --- | --- |")
    for shop in shops(settings.var_dir):
        kb = serve(shop, settings, embedder)
        questions = load_questions(shop.questions)
        embed_in_batches(kb, questions)
        for q in questions:
            q.intent = "product_question"  # the decision alone: everything reaches the search
        decided: list[tuple[Question, Decision]] = [(q, kb.decide(q.text, lang=q.lang)) for q in questions]
        decided = [(q, d) for q, d in decided if d.hits]
        rows = np.array([signals(d) for _, d in decided])
        right = np.array([q.right(d.hits[0].entry_id) for q, d in decided])
        in_scope = sum(q.entry is not None for q, _ in decided)
        m = metrics(decided)
        hindsight = [hindsight_coverage(rows, right, in_scope, p) for p in PRECISIONS]
        print(f"| {shop.name} | {m['right']:.2f} ({m['precision']:.2f}) | {hindsight[0]:.2f} | {hindsight[1]:.2f} | {m['top1']:.2f} |", flush=True)


if __name__ == "__main__":
    main()

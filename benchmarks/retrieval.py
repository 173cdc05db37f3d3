"""Retrieval benchmark: lexical vs dense vs hybrid on the evaluation set, tuning on one half, reporting on the other.

    make bench-retrieval      (or: .venv/bin/python -m benchmarks.retrieval)

Also runs the whole path, the trained Rasa model's intent first (trained if missing, about 15 minutes).

Prints Markdown and writes it into docs/benchmarks.md between the `retrieval` markers.
"""
from __future__ import annotations

import argparse
import hashlib
import itertools
import os
import shutil
import statistics
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import yaml  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402

from actions.complaint import asks_for_a_claim  # noqa: E402
from actions.knowledge_answer import QUESTION_INTENTS  # noqa: E402
from api.settings import ROOT, Settings  # noqa: E402
from benchmarks.bm25_baseline import Bm25LemmaIndex  # noqa: E402
from benchmarks.nlu import parse as parse_with_rasa  # noqa: E402
from benchmarks.report import replace_section  # noqa: E402
from knowledge import KnowledgeBase, SearchTuning  # noqa: E402
from knowledge.search import SIGNALS  # noqa: E402
from knowledge.content import load_content  # noqa: E402
from knowledge.cli import knowledge_base  # noqa: E402
from knowledge.embedder import make_embedder  # noqa: E402
from knowledge.entries import LANGUAGES  # noqa: E402
from knowledge.index import build_index  # noqa: E402
from runner.training import ensure_model  # noqa: E402

EVAL_FILE = ROOT / "benchmarks" / "data" / "retrieval_eval.yml"
MAX_OOS_ANSWERED = 0.10


@dataclass
class Query:
    text: str
    lang: str
    entry: str | None  # None: out of scope
    tune: bool
    ids: list[str] | None = None
    signals: dict[str, np.ndarray] | None = None  # dense, lexical, dense_classifier, lexical_classifier, bm25
    in_scope: float = 1.0
    intent: str = ""  # the trained Rasa model's, for the whole path


def is_tune_half(text: str) -> bool:
    """A stable half of the questions, chosen by hash, tunes weights and thresholds; the other half reports."""
    return hashlib.sha256(text.encode()).digest()[0] % 2 == 0


def load_queries(path: Path) -> list[Query]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    queries = [Query(t, lang, item["entry"], is_tune_half(t)) for item in data["questions"] for lang in LANGUAGES for t in item.get(lang, [])]
    queries += [Query(t, lang, None, is_tune_half(t)) for lang in LANGUAGES for t in data["out_of_scope"].get(lang, [])]
    return queries


def minmax(values: np.ndarray) -> np.ndarray:
    span = float(values.max() - values.min())
    return (values - values.min()) / span if span > 1e-9 else np.zeros_like(values)


def fused(q: Query, weights: dict[str, float]) -> np.ndarray:
    total = sum(weights.values())
    return sum((w / total) * minmax(q.signals[name]) for name, w in weights.items() if w)


def ranking(q: Query, weights: dict[str, float]) -> list[str]:
    return [q.ids[i] for i in np.argsort(-fused(q, weights), kind="stable")]


def rank_metrics(queries: list[Query], weights: dict[str, float]) -> dict[str, float]:
    ranks = [ranking(q, weights).index(q.entry) + 1 for q in queries]
    return {"R@1": np.mean([r == 1 for r in ranks]), "R@3": np.mean([r <= 3 for r in ranks]), "MRR": np.mean([1 / r for r in ranks]), "n": len(ranks)}


def mean_recall_at_1(queries: list[Query], weights: dict[str, float]) -> float:
    """Mean over languages, so that no language is traded away for another."""
    return float(np.mean([rank_metrics([q for q in queries if q.lang == lang], weights)["R@1"] for lang in LANGUAGES]))


def tune_weights(queries: list[Query], names: tuple[str, ...]) -> dict[str, float]:
    """Grid search over the signals' weights on the tuning half; ties go to the simpler (smaller total) mix."""
    grid = (0.0, 0.5, 1.0, 2.0)
    best: tuple[float, float, dict[str, float]] | None = None
    for combo in itertools.product(grid, repeat=len(names)):
        if not any(combo):
            continue
        weights = dict(zip(names, combo))
        key = (mean_recall_at_1(queries, weights), -sum(combo))
        if best is None or key > best[:2]:
            best = (*key, weights)
    return best[2]


def top_two(q: Query, weights: dict[str, float]) -> tuple[str, float, float]:
    """The fused top entry, its dense cosine, and its lead over the second (what the decision uses)."""
    f = fused(q, weights)
    order = np.argsort(-f, kind="stable")
    return q.ids[order[0]], float(q.signals["dense"][order[0]]), float(f[order[0]] - f[order[1]])


def scope_scores(queries: list[Query], weights: dict[str, float], dense_weight: float) -> list[float]:
    tuning = SearchTuning(weights=weights, scope_dense_weight=dense_weight)
    return [tuning.scope_score(q.in_scope, top_two(q, weights)[1]) for q in queries]


def choose_scope_weight(queries: list[Query], weights: dict[str, float]) -> float:
    """How much the top cosine adds to P(in scope): best mean ROC AUC over the languages on the tuning half."""
    def auc(dense_weight: float) -> float:
        per_lang = []
        for lang in LANGUAGES:
            group = [q for q in queries if q.lang == lang]
            per_lang.append(roc_auc_score([q.entry is not None for q in group], scope_scores(group, weights, dense_weight)))
        return float(np.mean(per_lang))
    return max((0.0, 10.0, 20.0, 40.0, 80.0, 160.0), key=auc)


def choose_scope_threshold(oos: list[Query], weights: dict[str, float], dense_weight: float) -> float:
    """The lowest scope score at which at most 10 % of out-of-scope questions would still be answered or clarified."""
    scores = sorted(scope_scores(oos, weights, dense_weight), reverse=True)
    allowed = int(MAX_OOS_ANSWERED * len(scores))
    return round(scores[allowed] + 1e-3, 3) if allowed < len(scores) else -1e9


def decide(q: Query, tuning: SearchTuning, classified_as_question: bool = False) -> str:
    _, cosine, margin = top_two(q, tuning.weights)
    if tuning.scope_score(q.in_scope, cosine) < tuning.scope_threshold(q.lang, classified_as_question):
        return "no_answer"
    return "answer" if margin >= tuning.confidence_threshold else "clarify"


def decision_metrics(queries: list[Query], tuning: SearchTuning) -> dict[str, float]:
    """Answer precision (out-of-scope answers count as wrong), and what customers get in each case."""
    counts = {"answer_ok": 0, "answer_wrong": 0, "clarify_ok": 0, "clarify_wrong": 0, "no_answer": 0, "oos_answered": 0, "oos_clarified": 0}
    for q in queries:
        action = decide(q, tuning)
        if q.entry is None:
            counts["oos_answered"] += action == "answer"
            counts["oos_clarified"] += action == "clarify"
        elif action == "answer":
            counts["answer_ok" if top_two(q, tuning.weights)[0] == q.entry else "answer_wrong"] += 1
        elif action == "clarify":
            counts["clarify_ok" if q.entry in ranking(q, tuning.weights)[:3] else "clarify_wrong"] += 1
        else:
            counts["no_answer"] += 1
    in_scope = sum(1 for q in queries if q.entry) or 1
    oos = sum(1 for q in queries if not q.entry) or 1
    answered = counts["answer_ok"] + counts["answer_wrong"] + counts["oos_answered"]
    return {"precision": counts["answer_ok"] / answered if answered else 1.0, "answered_ok": counts["answer_ok"] / in_scope,
            "clarify_ok": counts["clarify_ok"] / in_scope, "helped": (counts["answer_ok"] + counts["clarify_ok"]) / in_scope,
            "oos_passed": (counts["oos_answered"] + counts["oos_clarified"]) / oos, "oos_answered": counts["oos_answered"] / oos}


def choose_confidence(queries: list[Query], tuning: SearchTuning, target: float = 0.95) -> float:
    """The smallest lead of the top hit at which the bot's outright answers are at least `target` precise.

    Counted as the issue defines it: over in-scope and out-of-scope questions alike (an answer to one the
    gate let through is wrong), pooled over the languages. Below the lead the customer gets the top three
    as choices, which costs a click, not a wrong answer.
    """
    for confidence in np.arange(0.0, 1.0, 0.01):
        candidate = replace(tuning, confidence_threshold=round(float(confidence), 2))
        if decision_metrics(queries, candidate)["precision"] >= target:
            return candidate.confidence_threshold
    return 1.0


# What the dialogue does with each intent (bot/data/rules.yml, actions/complaint.py): these reach the search and its
# scope gate; a complaint does too unless it asks for a claim, and then only a confident answer counts (otherwise the
# claim form starts); every other intent (greet, request_human, ...) gets no FAQ answer.
SEARCHED_INTENTS = frozenset({"product_question", "nlu_fallback", "out_of_scope"})


def routed(q: Query, intent: str, tuning: SearchTuning) -> str:
    """What the customer gets for the question the NLU gave this intent: answer, clarify, no_answer or not_searched."""
    if intent in SEARCHED_INTENTS:
        return decide(q, tuning, classified_as_question=intent in QUESTION_INTENTS)
    if intent == "complain" and not asks_for_a_claim(q.text):
        return "answer" if decide(q, tuning) == "answer" else "not_searched"
    return "not_searched"


def whole_path_metrics(queries: list[Query], tuning: SearchTuning) -> dict[str, float]:
    """The product's path: the trained NLU routes each question (`q.intent`), then the search decides (or nothing answers)."""
    counts = Counter()
    for q in queries:
        action = routed(q, q.intent, tuning)
        right = q.entry is not None and top_two(q, tuning.weights)[0] == q.entry
        offered = q.entry is not None and q.entry in ranking(q, tuning.weights)[:3]
        kind = "oos" if q.entry is None else "in"
        counts[f"{kind}_{action}"] += 1
        counts["answer_ok"] += action == "answer" and right
        counts["clarify_ok"] += action == "clarify" and offered
        counts["routed_away"] += kind == "in" and action == "not_searched"
    in_scope = sum(1 for q in queries if q.entry) or 1
    oos = sum(1 for q in queries if not q.entry) or 1
    answered = counts["in_answer"] + counts["oos_answer"]
    return {"precision": counts["answer_ok"] / answered if answered else 1.0, "answered_ok": counts["answer_ok"] / in_scope,
            "helped": (counts["answer_ok"] + counts["clarify_ok"]) / in_scope, "routed_away": counts["routed_away"] / in_scope,
            "oos_answered": counts["oos_answer"] / oos, "oos_passed": (counts["oos_answer"] + counts["oos_clarify"]) / oos}


def choose_leniency(queries: list[Query], tuning: SearchTuning) -> float:
    """How much lower the scope bar is for messages the NLU calls product questions: the smallest drop that helps the most
    in-scope questions on the tuning half's whole path while at most 10 % of each language's out-of-scope questions
    get an outright answer (beyond a few points, more leniency only lets more of them through)."""
    best, chosen = -1.0, 0.0
    for leniency in np.arange(0.0, 10.01, 0.5):
        candidate = replace(tuning, question_leniency=float(leniency))
        if any(whole_path_metrics([q for q in queries if q.lang == lang], candidate)["oos_answered"] > MAX_OOS_ANSWERED for lang in LANGUAGES):
            break
        helped = whole_path_metrics(queries, candidate)["helped"]
        if helped > best + 1e-9:
            best, chosen = helped, float(leniency)
    return chosen


def nlu_intents(queries: list[Query]) -> list[str]:
    """The trained product model's intent for each question (nlu_fallback when its FallbackClassifier took it)."""
    model = ensure_model(ROOT / "var" / "models", log=ROOT / "var" / "logs" / "train.log")
    print(f"Parsing {len(queries)} questions with the Rasa model {model.name}...", flush=True)
    parsed = parse_with_rasa(model, [{"text": q.text, "language": q.lang, "intent": q.entry or "out_of_scope"} for q in queries])
    return ["nlu_fallback" if p["fallback"] or not p["ranking"] else p["ranking"][0][0] for p in parsed]


def measure_latency(kb: KnowledgeBase, queries: list[Query], repeats: int = 2) -> tuple[float, float]:
    times = []
    for _ in range(repeats):
        for q in queries:
            start = time.perf_counter()
            kb.search(q.text, lang=q.lang)
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), float(np.percentile(times, 95))


def measure_build(settings: Settings) -> dict[str, float]:
    """Full build with an empty embedding cache, then the rebuild after one FAQ file changed."""
    with tempfile.TemporaryDirectory() as tmp:
        content_dir = Path(tmp) / "content"
        shutil.copytree(settings.content_dir / "faq", content_dir / "faq")
        if (settings.content_dir / "manuals").exists():
            shutil.copytree(settings.content_dir / "manuals", content_dir / "manuals")
        embedder = make_embedder(settings.embedder)
        start = time.perf_counter()
        index = build_index(load_content(content_dir), embedder, Path(tmp) / "index", cache_dir=Path(tmp) / "cache")
        full = time.perf_counter() - start
        first = sorted((content_dir / "faq").glob("*.yml"))[0]
        first.write_text(first.read_text(encoding="utf-8").replace("answer: >-", "answer: >-\n        Updated.", 1), encoding="utf-8")
        start = time.perf_counter()
        build_index(load_content(content_dir), embedder, Path(tmp) / "index", cache_dir=Path(tmp) / "cache")
        incremental = time.perf_counter() - start
    return {"passages": index.manifest["passages"], "full_s": full, "per_s": index.manifest["passages"] / full, "incremental_s": incremental}


def fmt(value: float) -> str:
    return f"{value:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--eval", type=Path, default=EVAL_FILE, help="evaluation set (YAML)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args()
    settings = Settings()
    bench_dir = settings.var_dir / "bench"
    queries = load_queries(args.eval)
    kb = knowledge_base(settings.model_copy(update={"var_dir": bench_dir, "cache_dir": settings.embedding_cache_dir}))
    kb.ensure_built()
    bm25 = KnowledgeBase(content_dir=settings.content_dir, index_dir=bench_dir / "index", cache_dir=settings.embedding_cache_dir, embedder=kb.embedder, lexical=Bm25LemmaIndex)
    bm25.ensure_built()
    print(f"Scoring {len(queries)} questions...", flush=True)
    for q in queries:
        scores = kb.score_entries(q.text, lang=q.lang)
        q.ids = scores.ids
        q.signals = {name: getattr(scores, name) for name in SIGNALS}
        q.signals["bm25"] = bm25.score_entries(q.text, lang=q.lang).lexical
        q.in_scope = scores.in_scope

    in_tune = [q for q in queries if q.entry and q.tune]
    weights = tune_weights(in_tune, SIGNALS)
    similarity_weights = tune_weights(in_tune, ("dense", "lexical"))
    bm25_weights = tune_weights(in_tune, ("dense", "bm25"))
    tune = [q for q in queries if q.tune]
    dense_weight = choose_scope_weight(tune, weights)
    scope = {lang: choose_scope_threshold([q for q in tune if not q.entry and q.lang == lang], weights, dense_weight) for lang in LANGUAGES}
    tuning = SearchTuning(weights=weights, scope_thresholds=scope, scope_dense_weight=dense_weight)
    confidence = choose_confidence(tune, tuning)
    tuning = replace(tuning, confidence_threshold=confidence)
    for q, intent in zip(queries, nlu_intents(queries)):
        q.intent = intent
    leniency = choose_leniency(tune, tuning)
    tuning = replace(tuning, question_leniency=leniency)

    def show(w: dict[str, float]) -> str:
        return ", ".join(f"{k} {v:g}" for k, v in w.items() if v)

    lines = [f"Evaluation set: `{args.eval.relative_to(ROOT) if args.eval.is_relative_to(ROOT) else args.eval}`, {sum(1 for q in queries if q.entry)} in-scope questions "
             f"and {sum(1 for q in queries if not q.entry)} out-of-scope ones; tuned on one half (by hash), reported on the other.",
             f"Index: {kb.index.manifest['entries']} entries, {kb.index.manifest['passages']} passages, embedder `{kb.embedder.name}`.", "",
             f"Chosen: fusion weights **{show(weights)}**; scope score = logit(P(in scope)) + **{dense_weight:g}** × top cosine, "
             f"thresholds (≤ {MAX_OOS_ANSWERED:.0%} of tuning out-of-scope questions pass): " + ", ".join(f"{lang} **{scope[lang]}**" for lang in LANGUAGES)
             + f"; lead of the top hit needed to answer outright (answers ≥ 95 % precise on the tuning half, out-of-scope questions included): **{confidence}**; "
             f"the scope bar is **{leniency:g}** lower for messages the NLU calls product questions (the smallest drop that helps the most "
             f"tuning-half questions on the whole path with ≤ {MAX_OOS_ANSWERED:.0%} of out-of-scope ones answered).", "",
             "| language | retriever | R@1 | R@3 | MRR | n |", "| --- | --- | --- | --- | --- | --- |"]
    variants = [("lexical: char 3-5-gram TF-IDF", {"lexical": 1.0}), ("lexical: BM25 over simplemma lemmas", {"bm25": 1.0}), ("dense: e5 cosine", {"dense": 1.0}),
                (f"hybrid similarity: {show(similarity_weights)}", similarity_weights), (f"hybrid with BM25: {show(bm25_weights)}", bm25_weights),
                ("classifiers only: e5 LR + char SVM", {"dense_classifier": 1.0, "lexical_classifier": 1.0}), (f"**ours**: {show(weights)}", weights)]
    for lang in [*LANGUAGES, "all"]:
        test = [q for q in queries if q.entry and not q.tune and (lang == "all" or q.lang == lang)]
        for name, w in variants:
            m = rank_metrics(test, w)
            lines.append(f"| {lang} | {name} | {fmt(m['R@1'])} | {fmt(m['R@3'])} | {fmt(m['MRR'])} | {m['n']} |")
    lines += ["", "The decision on the test half: out of scope → no answer; confident → answer; otherwise the top 3 as choices:", "",
              "| language | answer precision | answered correctly | choices incl. the right one | helped (either) | out-of-scope answered | out-of-scope answered or given choices |",
              "| --- | --- | --- | --- | --- | --- | --- |"]
    for lang in LANGUAGES:
        d = decision_metrics([q for q in queries if not q.tune and q.lang == lang], tuning)
        lines.append(f"| {lang} | {fmt(d['precision'])} | {fmt(d['answered_ok'])} | {fmt(d['clarify_ok'])} | {fmt(d['helped'])} | {fmt(d['oos_answered'])} | {fmt(d['oos_passed'])} |")
    test = [q for q in queries if not q.tune]
    lines += ["", "The whole path, as customers meet it: the trained Rasa model (`make train`) routes each test-half question — "
              "product_question, nlu_fallback and out_of_scope to the search and its scope gate, complain to a confident answer "
              "unless it asks for a claim (else the claim form), any other intent to no FAQ answer — and the search decides. "
              "**This is the product's figure.**", "",
              "| language | answer precision | answered correctly | helped (answer or right choice) | in-scope not searched (another intent, or the claim form) | out-of-scope answered | out-of-scope answered or given choices |",
              "| --- | --- | --- | --- | --- | --- | --- |"]
    for lang in LANGUAGES:
        d = whole_path_metrics([q for q in test if q.lang == lang], tuning)
        lines.append(f"| {lang} | {fmt(d['precision'])} | {fmt(d['answered_ok'])} | {fmt(d['helped'])} | {fmt(d['routed_away'])} | {fmt(d['oos_answered'])} | {fmt(d['oos_passed'])} |")

    kb.tuning = tuning
    p50, p95 = measure_latency(kb, [q for q in queries if not q.tune])
    build = measure_build(settings)
    lines += ["", f"Latency of one hybrid search (embedding the query included, OMP_NUM_THREADS=1): p50 {p50:.1f} ms, p95 {p95:.1f} ms.",
              f"Index build from an empty embedding cache: {build['passages']} passages in {build['full_s']:.1f} s ({build['per_s']:.1f} passages/s); "
              f"rebuild after one FAQ file changed: {build['incremental_s']:.2f} s."]
    report = "\n".join(lines)
    print(report)
    if not args.no_write:
        replace_section(ROOT / "docs" / "benchmarks.md", "retrieval", report, command="make bench")


if __name__ == "__main__":
    main()

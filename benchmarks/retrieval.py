"""Ranking benchmark on the demo shop: lexical vs dense vs hybrid vs ours, with latency and build speed.

    make bench-retrieval      (or: .venv/bin/python -m benchmarks.retrieval)

The decision (answer / choices / no answer) and the whole path through the NLU are measured per shop by
`benchmarks.shops`.

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
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import yaml

from api.settings import ROOT, Settings
from benchmarks.bm25_baseline import Bm25LemmaIndex
from benchmarks.report import replace_section
from contracts.languages import LANGUAGES
from knowledge import KnowledgeBase
from knowledge.content import load_content
from knowledge.embedder import make_embedder
from knowledge.index import build_index
from knowledge.settings import knowledge_base
from knowledge.tuning import SIGNALS

EVAL_FILE = ROOT / "benchmarks" / "data" / "retrieval_eval.yml"


@dataclass
class Query:
    text: str
    lang: str
    entry: str | None  # None: out of scope
    tune: bool
    ids: list[str] | None = None
    signals: dict[str, np.ndarray] | None = None  # the search's signals (knowledge.search.SIGNALS) and bm25


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
    assert q.signals is not None, "signals are computed before ranking"
    total = sum(weights.values())
    return np.sum([(w / total) * minmax(q.signals[name]) for name, w in weights.items() if w], axis=0)


def ranking(q: Query, weights: dict[str, float]) -> list[str]:
    assert q.ids is not None, "ids are set with the signals"
    return [q.ids[i] for i in np.argsort(-fused(q, weights), kind="stable")]


def rank_of_entry(q: Query, weights: dict[str, float]) -> int:
    assert q.entry is not None, "only in-scope questions are ranked"
    return ranking(q, weights).index(q.entry) + 1


def rank_metrics(queries: list[Query], weights: dict[str, float]) -> dict[str, float]:
    ranks = [rank_of_entry(q, weights) for q in queries]
    return {"R@1": float(np.mean([r == 1 for r in ranks])), "R@3": float(np.mean([r <= 3 for r in ranks])),
            "MRR": float(np.mean([1 / r for r in ranks])), "n": len(ranks)}


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
    assert best is not None, "the grid has non-zero mixes"
    return best[2]


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
        first = min((content_dir / "faq").glob("*.yml"))
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

    in_tune = [q for q in queries if q.entry and q.tune]
    weights = kb.tuning.weights
    similarity_weights = tune_weights(in_tune, ("dense", "lexical"))
    bm25_weights = tune_weights(in_tune, ("dense", "bm25"))

    def show(w: dict[str, float]) -> str:
        return ", ".join(f"{k} {v:g}" for k, v in w.items() if v)

    lines = [(f"Evaluation set: `{args.eval.relative_to(ROOT) if args.eval.is_relative_to(ROOT) else args.eval}`, {sum(1 for q in queries if q.entry)} in-scope questions; "
              "baselines' weights tuned on one half (by hash), everything reported on the other. The decision and the whole path, on this shop "
              "and on shops built from real e-shops' FAQ pages, are in the Shops section (`make bench-shops`)."),
             f"Index: {kb.index.manifest['entries']} entries, {kb.index.manifest['passages']} passages, embedder `{kb.embedder.name}`.", "",
             "| language | retriever | R@1 | R@3 | MRR | n |", "| --- | --- | --- | --- | --- | --- |"]
    variants = [("lexical: char 3-5-gram TF-IDF", {"lexical": 1.0}), ("lexical: BM25 over simplemma lemmas", {"bm25": 1.0}), ("dense: e5 cosine", {"dense": 1.0}),
                (f"hybrid similarity: {show(similarity_weights)}", similarity_weights), (f"hybrid with BM25: {show(bm25_weights)}", bm25_weights),
                ("similarity: e5 question+answer + e5 question + ½ char n-grams", {"similarity": 1.0}),
                ("classifiers only: e5 LR + char SVM", {"dense_classifier": 1.0, "lexical_classifier": 1.0}), (f"**ours**: {show(weights)}", weights)]
    for lang in [*LANGUAGES, "all"]:
        test = [q for q in queries if q.entry and not q.tune and (lang == "all" or q.lang == lang)]
        for name, w in variants:
            m = rank_metrics(test, w)
            lines.append(f"| {lang} | {name} | {fmt(m['R@1'])} | {fmt(m['R@3'])} | {fmt(m['MRR'])} | {m['n']} |")

    p50, p95 = measure_latency(kb, [q for q in queries if not q.tune])
    build = measure_build(settings)
    lines += ["", f"Latency of one hybrid search (embedding the query included, OMP_NUM_THREADS=1): p50 {p50:.1f} ms, p95 {p95:.1f} ms.",
              (f"Index build from an empty embedding cache: {build['passages']} passages in {build['full_s']:.1f} s ({build['per_s']:.1f} passages/s); "
               f"rebuild after one FAQ file changed: {build['incremental_s']:.2f} s.")]
    report = "\n".join(lines)
    print(report)
    if not args.no_write:
        replace_section(ROOT / "docs" / "benchmarks.md", "retrieval", report, command="make bench")


if __name__ == "__main__":
    main()

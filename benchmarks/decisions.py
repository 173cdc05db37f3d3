"""The search's answers to every benchmark question, written down so a change to the search can prove it changed none.

    .venv/bin/python -m benchmarks.decisions --out var/bench/decisions-before.tsv
    (change the search)
    .venv/bin/python -m benchmarks.decisions --out var/bench/decisions-after.tsv
    diff var/bench/decisions-before.tsv var/bench/decisions-after.tsv

Every shop of `make bench-shops` is served as there (`benchmarks.shops.serve`: own index, own bars), and
`KnowledgeBase.decide` is asked every question of it (no Rasa: the decision alone). One line per question: shop,
language, question, action, the hits' entry ids, and their evidence, fused score and cosine rounded to `--digits`.
"""
from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

from api.settings import Settings
from benchmarks.shops import embed_in_batches, load_questions, serve, shops
from knowledge.embedder import make_embedder
from knowledge.search import Decision


def line(shop: str, lang: str, question: str, decision: Decision, digits: int) -> str:
    """One question's decision as a tab-separated line (tabs and newlines in the question flattened)."""
    hits = " ".join(f"{h.entry_id}:{h.evidence:.{digits}f}/{h.fused:.{digits}f}/{h.score:.{digits}f}" for h in decision.hits)
    text = " ".join(question.split())
    return f"{shop}\t{lang}\t{text}\t{decision.action}\t{hits}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True, help="where to write the decisions (TSV)")
    parser.add_argument("--digits", type=int, default=4, help="decimals kept of each score")
    args = parser.parse_args()
    settings = Settings()
    embedder = make_embedder(settings.embedder)
    lines = []
    for shop in shops(settings.var_dir):
        started = time.perf_counter()
        kb = serve(shop, settings, embedder)
        loaded = time.perf_counter() - started
        questions = load_questions(shop.questions)
        embed_in_batches(kb, questions)
        lines += [line(shop.name, q.lang, q.text, kb.decide(q.text, lang=q.lang), args.digits) for q in questions]
        print(f"{shop.name}: {len(questions)} questions, index loaded in {loaded:.1f} s", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} decisions written to {args.out}")


if __name__ == "__main__":
    main()

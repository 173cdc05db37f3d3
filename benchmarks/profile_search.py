"""Where the api's milliseconds go for one product question, and what an editor's save costs.

    .venv/bin/python -m benchmarks.profile_search [--questions 200]

On the demo content (`knowledge/`), served as the api serves it: the time of one `KnowledgeBase.decide` per
question (each question once, so its e5 embedding is part of it; then again with the query vectors remembered,
which is the search alone), its split by stage (`benchmarks.profiling.stage_clock`), the language guess the api makes per message,
the index load by stage, and the rebuild after an editor adds one FAQ entry. Rasa's side: `benchmarks.profile_rasa`.
"""
from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import yaml

from api.settings import ROOT, Settings
from benchmarks.profiling import percentiles, stage_clock, stage_table, timed
from contracts.languages import LANGUAGES
from knowledge import KnowledgeBase
from knowledge import search as search_module
from knowledge.classifiers import EntryClassifiers
from knowledge.embedder import E5Embedder, make_embedder
from knowledge.language import LanguageGuesser
from knowledge.lexical import CharNgramIndex

EVAL_FILE = ROOT / "benchmarks" / "data" / "retrieval_eval.yml"
NEW_ENTRY = """
  - id: engraving
    cs: {question: "Můžete na výrobek vygravírovat jméno?", answer: "Ano, laserové gravírování jména za 149 Kč zvolíte v košíku."}
    en: {question: "Can you engrave a name on a product?", answer: "Yes, choose laser engraving for 6 EUR in the cart."}
"""


def questions(limit: int) -> list[tuple[str, str]]:
    """(text, language) of the demo shop's evaluation questions, taking the languages in turn, each text once."""
    data = yaml.safe_load(EVAL_FILE.read_text(encoding="utf-8"))
    per_lang = {lang: [t for item in data["questions"] for t in item.get(lang, [])] for lang in LANGUAGES}
    mixed = [(texts[i], lang) for i in range(max(map(len, per_lang.values()))) for lang, texts in per_lang.items() if i < len(texts)]
    return list(dict.fromkeys(mixed))[:limit]


def each(call: Callable[..., object], asked: list[tuple[str, str]]) -> list[tuple[float, float]]:
    """(wall, CPU) milliseconds of `call(text, lang=lang)` per question."""
    return [timed(lambda: call(text, lang=lang)) for text, lang in asked]  # noqa: B023 - called at once


def serving(kb: KnowledgeBase, asked: list[tuple[str, str]]) -> list[str]:
    """Latency of one decision with and without embedding the question, and where its time goes."""
    split, timed_half = asked[: len(asked) // 2], asked[len(asked) // 2:]
    cold = each(kb.decide, timed_half)
    again = each(kb.decide, timed_half)  # the same questions: their vectors are remembered, so this is the search alone
    with stage_clock({
        "e5 embedding of the question": (E5Embedder, "embed_queries"),
        "char n-grams of the question (one TF-IDF transform)": (CharNgramIndex, "transform"),
        "char n-gram cosine to every passage": (CharNgramIndex, "cosines"),
        "char n-gram TF-IDF: transform the question, cosine to every passage": (CharNgramIndex, "scores"),
        "dense cosine to the language's passages, max per entry": (search_module._Loaded, "similarity"),
        "entry classifiers (e5 LR, char n-gram SVM)": (EntryClassifiers, "scores"),
        "language of entries lacking the customer's": (KnowledgeBase, "_best_language"),
        "products the question names": (search_module, "named_products"),
        "ranking, hits": (KnowledgeBase, "_hits"),
        "the decision on the hits": (search_module, "decide"),
    }) as stages, stage_clock({"total": (KnowledgeBase, "decide")}) as total:
        for text, lang in split:
            kb.decide(text, lang=lang)
    guesser = LanguageGuesser()
    guess = each(lambda text, lang: guesser.guess(text), asked)
    return [(f"One `KnowledgeBase.decide` (what `action_answer_question` asks), each question once: {percentiles(cold)}; "
             f"the same questions again, their e5 vectors remembered (the search alone): {percentiles(again)}. "
             f"The api's language guess per message (`LanguageGuesser.guess`): {percentiles(guess)}."), "",
            f"Split over {len(split)} other questions (CPU time inside each stage's function):", "",
            stage_table("one decision", total["total"] / len(split), {k: v / len(split) for k, v in stages.items()}).replace("ms per", "ms CPU per")]


LOAD_STAGES = {
    "read the build (passages, entries, FAISS)": (search_module, "load_index"),
    "build the index (embeds new texts only)": (search_module, "build_index"),
    "fit the char n-gram TF-IDF index": (CharNgramIndex, "__init__"),
    "fit the entry classifiers (e5 LR, char n-gram SVM)": (EntryClassifiers, "__init__"),
    "measure the bars (600 off-topic questions)": (KnowledgeBase, "_calibrate"),
}


def loading(kb: KnowledgeBase) -> list[str]:
    """The index load by stage: what every start pays."""
    kb._loaded = None
    with stage_clock(LOAD_STAGES) as stages:
        wall, cpu = timed(lambda: kb.index)
    return [(f"Loading the serving index ({kb.index.manifest['passages']} passages, {kb.index.manifest['entries']} entries), "
            f"{cpu / 1000:.2f} s CPU ({wall / 1000:.2f} s wall):"), "",
            stage_table("one load", cpu, {k: v for k, v in stages.items() if "build the index" not in k}).replace("ms per question", "ms CPU")]


def editor_save(settings: Settings) -> list[str]:
    """An editor adds one FAQ entry: the time until the new index serves (what the content watcher runs)."""
    with tempfile.TemporaryDirectory() as tmp:
        content = Path(tmp) / "content"
        shutil.copytree(settings.content_dir, content, ignore=shutil.ignore_patterns("*.py", "__pycache__", "reference"))
        kb = KnowledgeBase(content_dir=content, index_dir=Path(tmp) / "index", cache_dir=settings.embedding_cache_dir,
                           embedder=make_embedder(settings.embedder), tuning=settings.search_tuning)
        kb.ensure_built()
        faq = content / "faq" / "shop.yml"
        faq.write_text(faq.read_text(encoding="utf-8") + NEW_ENTRY, encoding="utf-8")
        with stage_clock({k: v for k, v in LOAD_STAGES.items() if "read the build" not in k}) as stages:
            wall, cpu = timed(kb.reload)
        return [(f"An editor's save (one FAQ entry added, `KnowledgeBase.reload` as the content watcher runs it): {cpu / 1000:.2f} s CPU "
                 f"({wall / 1000:.2f} s wall)."), "", stage_table("one rebuild", cpu, stages).replace("ms per question", "ms CPU")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=int, default=200, help="how many evaluation questions to ask (half timed, half profiled)")
    args = parser.parse_args()
    settings = Settings()
    kb = KnowledgeBase(content_dir=settings.content_dir, index_dir=settings.index_dir, cache_dir=settings.embedding_cache_dir,
                       embedder=make_embedder(settings.embedder), tuning=settings.search_tuning)
    kb.ensure_built()
    print("\n".join([*serving(kb, questions(args.questions)), "", *loading(kb), "", *editor_save(settings)]))


if __name__ == "__main__":
    main()

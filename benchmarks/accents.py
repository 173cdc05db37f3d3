"""Questions typed without diacritics, as many customers chat: what putting them back (knowledge.accents) is worth.

    .venv/bin/python -m benchmarks.accents

Every Czech, Polish and Latvian question of the benchmark's shops (`make bench-shops`: the demo shop and the three real
shops, translated) is asked as written and with its diacritics stripped, the decision alone (no NLU, as
`benchmarks.ceiling`), each both as the search read it before knowledge.accents (embedded as typed) and as it does now.
"""
from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import unicodedata
from collections.abc import Callable

from api.settings import Settings
from benchmarks.shops import Question, embed_in_batches, load_questions, metrics, serve, shops
from knowledge import KnowledgeBase
from knowledge.embedder import make_embedder

LANGUAGES = ("cs", "pl", "lv")
SHOPS = ("demo (knowledge/)", "cs-natural-cosmetics", "lv-flowers", "pl-garden-plants")
COLUMNS = ("top1", "right", "helped", "precision", "oos_answered")


def stripped(text: str) -> str:
    """The text without diacritics, as typed on a keyboard without them ("ł" too)."""
    decomposed = unicodedata.normalize("NFD", text.replace("ł", "l").replace("Ł", "L"))
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def as_written(text: str) -> str:
    return text


def asked(kb: KnowledgeBase, questions: list[Question], typed: Callable[[str], str], *, restore: bool) -> dict[str, float]:
    """The decision's figures for `questions` typed as `typed` makes them; `restore=False` embeds them as typed."""
    retyped = [Question(typed(q.text), q.lang, q.entry, q.also, "product_question") for q in questions]
    if restore:
        embed_in_batches(kb, retyped)
    else:
        kb.embed_queries([q.text for q in retyped])  # remembered as typed: the decisions below find these vectors
    return metrics([(q, kb.decide(q.text, lang=q.lang)) for q in retyped])


def main() -> None:
    settings = Settings()
    embedder = make_embedder(settings.embedder)
    print("| shop | lang | in / oos | typed | top hit right | answered right | helped | precision | oos answered |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for shop in shops(settings.var_dir):
        if shop.name not in SHOPS:
            continue
        questions = load_questions(shop.questions)
        for lang in LANGUAGES:
            in_lang = [q for q in questions if q.lang == lang]
            variants = (("as written, as before", as_written, False), ("as written, restored", as_written, True),
                        ("without diacritics, as before", stripped, False), ("without diacritics, restored", stripped, True))
            for name, typed, restore in variants:
                figures = asked(serve(shop, settings, embedder), in_lang, typed, restore=restore)  # a fresh memory of vectors each
                print(f"| {shop.name} | {lang} | {figures['n_in']:.0f} / {figures['n_oos']:.0f} | {name} | "
                      + " | ".join(f"{figures[c]:.2f}" for c in COLUMNS) + " |", flush=True)


if __name__ == "__main__":
    main()

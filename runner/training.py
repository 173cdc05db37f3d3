"""Trains the Rasa model only when its inputs changed: the model file is named by their fingerprint."""
from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

from api.settings import ROOT

RASA_BIN = ROOT / ".venv-rasa" / "bin" / "rasa"
MODEL_INPUTS = ("config.yml", "domain.yml", "bot/data", "bot/components", "requirements/rasa.lock")


class TrainingError(RuntimeError):
    """`rasa train` failed; the message says where to look."""


def model_fingerprint(root: Path = ROOT) -> str:
    """A hash of everything the model is trained from: config, domain, training data, components, versions."""
    digest = hashlib.sha256()
    for name in MODEL_INPUTS:
        path = root / name
        files = sorted(p for p in path.rglob("*") if p.is_file() and not {"__pycache__", "tests"} & set(p.relative_to(root).parts)) if path.is_dir() else [path]
        for file in files:
            digest.update(str(file.relative_to(root)).encode())
            digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()[:16]


def rasa_env() -> dict[str, str]:
    """Environment for Rasa commands: our custom components importable, TensorFlow quiet, one OpenMP thread."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("OMP_NUM_THREADS", "1")
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    return env


class Training:
    """`rasa train` for the current inputs, started and not yet waited for: a caller can do other work meanwhile."""

    def __init__(self, model: Path, process: subprocess.Popen[bytes] | None, log: Path | None) -> None:
        self.model, self.process, self.log = model, process, log

    def result(self) -> Path:
        """The trained model, once training has finished; a failed training raises with the end of its log."""
        code = self.process.wait() if self.process else 0
        if code != 0:
            raise TrainingError(f"`rasa train` failed with exit code {code}{self._log_tail()}")
        if not self.model.exists():
            raise TrainingError(f"`rasa train` wrote no {self.model.name}{self._log_tail()}")
        return self.model

    def stop(self) -> None:
        """End a training nobody will wait for (a test session that ends first)."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait()

    def _log_tail(self, lines: int = 40) -> str:
        if not self.log or not self.log.exists():
            return ""
        tail = "\n".join(self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        return f"; the end of {self.log}:\n{tail}"


def start_training(model_dir: Path, *, log: Path | None = None) -> Training:
    """Start training the model for the current inputs unless it exists; `result()` waits for it (a few minutes)."""
    fingerprint = model_fingerprint()
    model = model_dir / f"{fingerprint}.tar.gz"
    if model.exists():
        print(f"Rasa model up to date: {model.relative_to(ROOT) if model.is_relative_to(ROOT) else model}", flush=True)
        return Training(model, None, log)
    if not RASA_BIN.exists():
        raise TrainingError(f"{RASA_BIN} is missing: run `make setup` first")
    model_dir.mkdir(parents=True, exist_ok=True)
    print(f"Training the Rasa model ({fingerprint}); this takes a few minutes...", flush=True)
    command = [str(RASA_BIN), "train", "--data", "bot/data", "--config", "config.yml", "--domain", "domain.yml",
               "--out", str(model_dir), "--fixed-model-name", fingerprint]
    if log is None:
        return Training(model, subprocess.Popen(command, cwd=ROOT, env=rasa_env()), None)
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as output:  # the child keeps its own copy of the file descriptor
        return Training(model, subprocess.Popen(command, cwd=ROOT, env=rasa_env(), stdout=output, stderr=subprocess.STDOUT), log)


def ensure_model(model_dir: Path, *, log: Path | None = None) -> Path:
    """The trained model for the current inputs, training it first if there is none (a few minutes)."""
    return start_training(model_dir, log=log).result()

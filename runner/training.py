"""Trains the Rasa model only when its inputs changed: the model file is named by their fingerprint."""
from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
import sys
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


def ensure_model(model_dir: Path, *, log: Path | None = None) -> Path:
    """The trained model for the current inputs, training it first if there is none (a few minutes)."""
    fingerprint = model_fingerprint()
    model = model_dir / f"{fingerprint}.tar.gz"
    if model.exists():
        print(f"Rasa model up to date: {model.relative_to(ROOT) if model.is_relative_to(ROOT) else model}", flush=True)
        return model
    if not RASA_BIN.exists():
        raise TrainingError(f"{RASA_BIN} is missing: run `make setup` first")
    model_dir.mkdir(parents=True, exist_ok=True)
    print(f"Training the Rasa model ({fingerprint}); this takes a few minutes...", flush=True)
    command = [str(RASA_BIN), "train", "--data", "bot/data", "--config", "config.yml", "--domain", "domain.yml",
               "--out", str(model_dir), "--fixed-model-name", fingerprint]
    if log:
        log.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as files:
        output = files.enter_context(open(log, "w")) if log else None
        result = subprocess.run(command, cwd=ROOT, env=rasa_env(), stdout=output or sys.stdout, stderr=subprocess.STDOUT, check=False)
    if result.returncode != 0 or not model.exists():
        where = f"; see {log}" if log else ""
        raise TrainingError(f"`rasa train` failed with exit code {result.returncode}{where}")
    return model

"""Shared fixtures: the real embedding model once per session, and the running product for integration tests."""
from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest

from api.settings import ROOT, Settings
from knowledge.embedder import E5Embedder
from runner.processes import Stack, running_stack
from runner.training import ensure_model


@pytest.fixture(scope="session")
def e5() -> E5Embedder:
    """The real multilingual model (loads in well under a second: it is memory-mapped)."""
    return E5Embedder()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The real Rasa server and api on free loopback ports, with a fresh database and index.

    The trained model and the embedding cache are shared with `make run` (var/), so they are made once.
    """
    var = tmp_path_factory.mktemp("var")
    settings = Settings(
        var_dir=var,
        api_host="127.0.0.1",
        api_port=free_port(),
        rasa_port=free_port(),
        models_dir=ROOT / "var" / "models",
        cache_dir=ROOT / "var" / "cache" / "embeddings",
    )
    model = ensure_model(settings.model_dir, log=var / "train.log")
    (var / "logs").mkdir()
    with running_stack(settings, model, api_log=var / "logs" / "api.log") as running:
        yield running


@pytest.fixture
def client(stack: Stack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.api_url, timeout=30.0) as http:
        yield http

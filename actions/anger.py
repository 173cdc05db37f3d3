"""Spotting an angry message, so that an upset customer reaches a person instead of a form.

A word list per language (accent-folded stems in `anger_markers.yml`, editable by the support team) plus
two signs that need no words: shouting in capitals and a run of exclamation marks.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml
from rasa_sdk import Tracker

from actions.metadata import message_language
from knowledge.lexical import fold

MARKERS_FILE = Path(__file__).with_name("anger_markers.yml")
_WORD = re.compile(r"[^\W\d_]+")


@lru_cache(maxsize=1)
def _markers() -> dict[str, tuple[str, ...]]:
    data = yaml.safe_load(MARKERS_FILE.read_text(encoding="utf-8")) or {}
    return {language: tuple(fold(m) for m in markers) for language, markers in data.items()}


def _shouting(text: str) -> bool:
    """At least two words of four or more letters, and most long words in capitals."""
    words = [w for w in _WORD.findall(text) if len(w) >= 4]
    return len(words) >= 2 and sum(w.isupper() for w in words) / len(words) >= 0.6


def is_angry(text: str, language: str | None) -> bool:
    """True when the message shouts, piles up '!!!', or uses an anger marker (of its language or English)."""
    if "!!!" in text or _shouting(text):
        return True
    words = _WORD.findall(fold(text))
    markers = _markers()
    stems = markers.get(language or "en", ()) + (markers.get("en", ()) if language != "en" else ())
    return any(word.startswith(stem) for word in words for stem in stems if " " not in stem) or any(
        stem in fold(text) for stem in stems if " " in stem)


def angry_messages(tracker: Tracker, language: str | None) -> int:
    """How many of the customer's messages in the conversation were angry (a button's `/payload` never is).

    Counted from the conversation's events when an action asks, not kept in a slot: a slot would need a custom
    action, and so a webhook round trip to the api, after every message. A message is judged in the language the
    api detected for it, else in `language`.
    """
    return sum(1 for event in tracker.events if event.get("event") == "user" and not (text := event.get("text") or "").startswith("/")
               and is_angry(text, message_language(event) or language))

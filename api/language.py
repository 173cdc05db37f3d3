"""Which of our languages a customer writes in, offline; short messages keep the conversation's language."""
from __future__ import annotations

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

from knowledge.content import LANGUAGES

_LINGUA = {"cs": Language.CZECH, "pl": Language.POLISH, "lv": Language.LATVIAN, "en": Language.ENGLISH}
DEFAULT_LANGUAGE = "en"


class LanguageGuesser:
    """Wraps one lingua detector (built once per process) with the rules a chat needs."""

    def __init__(self, *, min_confidence: float = 0.7, switch_confidence: float = 0.9) -> None:
        self._detector: LanguageDetector = LanguageDetectorBuilder.from_languages(*_LINGUA.values()).build()
        self._codes = {language: code for code, language in _LINGUA.items()}
        self.min_confidence = min_confidence
        self.switch_confidence = switch_confidence

    def guess(self, text: str, *, previous: str | None = None) -> str:
        """The language to answer in: a confident detection wins; else the conversation's (or the page's), or English.

        Messages like "ok" or "1" say nothing about the language, so they keep what the conversation had.
        """
        confidences = self._detector.compute_language_confidence_values(text)
        if confidences and len(text.strip()) >= 4:
            detected, confidence = self._codes[confidences[0].language], confidences[0].value
            # Leaving the conversation's language takes stronger evidence: "Dobry den" (cs without
            # diacritics) scores 0.77 Polish.
            needed = self.min_confidence if previous in (None, detected) else self.switch_confidence
            if confidence >= needed:
                return detected
        if previous in LANGUAGES:
            return previous
        if confidences and confidences[0].value >= 0.5:
            return self._codes[confidences[0].language]
        return DEFAULT_LANGUAGE

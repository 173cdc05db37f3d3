"""Which of our languages a text is in, offline: a customer's message (short ones keep the conversation's language) or an imported FAQ text."""
from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

from contracts.languages import (
    DEFAULT_LANGUAGE,  # also of a guesser built without settings (the import's, which only asks `confident`)
    LANGUAGES,
)
from knowledge.lexical import fold

# Czech typed without diacritics often looks Polish to lingua ("Dobry den" scores 0.77 Polish). Frequent
# chat words that exist in only one of the two languages settle it; they are compared accent-folded. Words both
# languages use (jak "how", chce "wants"/"I want") must stay out, or they outvote lingua's ł and ć.
_CZECH_ONLY = frozenset("""den dekuji dekuju diky prosim muzu muzete chci chtel chtela kolik stoji dotaz objednavka objednavku
    objednal objednala zbozi neni jsem jste mate nefunguje vratit reklamaci reklamace kdy kde proc dlouho balik
    zasilka zasilku ahoj cau nashledanou mejte hezky uz jeste taky""".split())  # noqa: SIM905 (word lists read best as text)
_POLISH_ONLY = frozenset("""dzien dziekuje dzieki prosze moge mozecie chcialbym chcialabym ile kosztuje pytanie zamowienie
    zamowilem zamowilam towar nie jestem jestescie macie dziala zwrot zwrocic reklamacje kiedy gdzie dlaczego paczka przesylka
    czesc dowidzenia widzenia juz jeszcze""".split())  # noqa: SIM905 (word lists read best as text)


def czech_or_polish(text: str) -> str | None:
    """`cs` or `pl` when the text's words point to only one of the two, else None."""
    words = re.findall(r"[a-z]+", fold(text))
    czech, polish = sum(w in _CZECH_ONLY for w in words), sum(w in _POLISH_ONLY for w in words)
    if czech > polish:
        return "cs"
    if polish > czech:
        return "pl"
    return None


@lru_cache(maxsize=8)
def language_guesser(languages: tuple[str, ...], default: str) -> LanguageGuesser:
    """One guesser per list of languages (lingua's detector takes a while to build): the shop's file may change them."""
    return LanguageGuesser(languages, default=default)


class LanguageGuesser:
    """Wraps one lingua detector (built once per process) with the rules a chat needs."""

    def __init__(self, languages: Sequence[str] = LANGUAGES, *, default: str = DEFAULT_LANGUAGE,
                 min_confidence: float = 0.7, switch_confidence: float = 0.9) -> None:
        """`languages`: those a customer may be answered in (settings' `answerable_languages`); `default`: the shop's."""
        lingua = {code: Language.from_iso_code_639_1(IsoCode639_1.from_str(code)) for code in languages}
        self._detector: LanguageDetector = LanguageDetectorBuilder.from_languages(*lingua.values()).build()
        self._codes = {language: code for code, language in lingua.items()}
        self.languages = tuple(languages)
        self.default = default
        self.min_confidence = min_confidence
        self.switch_confidence = switch_confidence

    def detect(self, text: str) -> tuple[str, float] | None:
        """lingua's most likely language and its confidence, Czech against Polish settled by words only one of them uses."""
        confidences = self._detector.compute_language_confidence_values(text)
        if not confidences:
            return None
        detected, confidence = self._codes[confidences[0].language], confidences[0].value
        if detected in ("cs", "pl") and (vote := czech_or_polish(text)) not in (None, detected):
            detected, confidence = vote, max(confidence, self.min_confidence)
        return detected, confidence

    def confident(self, text: str) -> str | None:
        """The language when the detection is sure of it, else None: an imported FAQ text must not be filed under a guess."""
        found = self.detect(text)
        return found[0] if found and found[1] >= self.min_confidence else None

    def guess(self, text: str, *, previous: str | None = None) -> str:
        """The language to answer in: a confident detection wins; else the conversation's (or the page's), or the shop's default.

        Messages like "ok" or "1" say nothing about the language, so they keep what the conversation had.
        """
        found = self.detect(text)
        if found and len(text.strip()) >= 4:
            detected, confidence = found
            # Leaving the conversation's language takes stronger evidence.
            needed = self.min_confidence if previous in (None, detected) else self.switch_confidence
            if confidence >= needed:
                return detected
        if previous in self.languages:
            return previous
        if found and found[1] >= 0.5:
            return found[0]
        return self.default

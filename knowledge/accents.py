"""Putting back the diacritics a customer left out, from the words the content itself spells with them.

Customers often chat without diacritics ("cik maksa piegade", "kolik stoji postovne"). The char n-grams fold them away
anyway, but e5 places "piegade" far from "piegāde": with every Czech, Polish and Latvian question of the real shops typed
without diacritics, answered right fell from 0.53 to 0.46 (docs/benchmarks.md, "Shops"). A word typed without any
diacritic is given back its accents where the content's texts in the customer's language, or the product's own
reference texts in it, spell that word one way only with them and never without.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

from knowledge.lexical import fold

_WORD = re.compile(r"\w+")


class Accents:
    """Per language, each folded word that its texts only ever write with diacritics, and how they write it most."""

    def __init__(self, texts: Mapping[str, Iterable[str]]) -> None:
        self._spelled = {lang: _spellings(lang_texts) for lang, lang_texts in texts.items()}

    def restore(self, text: str, lang: str) -> str:
        """`text` with its words written without diacritics spelled as the texts in `lang` spell them."""
        spelled = self._spelled.get(lang)
        if not spelled:
            return text
        return _WORD.sub(lambda match: _respelled(match.group(0), spelled), text)


def _spellings(texts: Iterable[str]) -> dict[str, str]:
    """folded word → its most frequent spelling, for the words never written in their folded form."""
    words = Counter(word for text in texts for word in _WORD.findall(text.lower()))
    seen: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for word, count in words.items():  # each distinct word folded once: an index load passes every passage here
        seen[fold(word)][word] += count
    return {plain: forms.most_common(1)[0][0] for plain, forms in seen.items() if plain not in forms}


def _respelled(word: str, spelled: dict[str, str]) -> str:
    lower = word.lower()
    if lower != fold(lower) or lower not in spelled:  # typed with diacritics, or not a word the texts accent
        return word
    accented = spelled[lower]
    return accented[:1].upper() + accented[1:] if word[:1].isupper() else accented

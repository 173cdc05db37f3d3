"""Texts the api itself shows customers, in each of their languages."""
from __future__ import annotations

from api.language import DEFAULT_LANGUAGE

_TEXTS: dict[str, dict[str, str]] = {
    "one_moment": {
        "cs": "Omlouvám se, chvilku to potrvá. Vaši zprávu máme uloženou a odpovíme na ni hned, jak to půjde.",
        "pl": "Przepraszam, to potrwa chwilę. Twoja wiadomość jest zapisana i odpowiemy na nią, gdy tylko będzie to możliwe.",
        "lv": "Atvainojiet, tas prasīs mirkli. Jūsu ziņa ir saglabāta, un mēs uz to atbildēsim, tiklīdz varēsim.",
        "en": "Sorry, this will take a moment. Your message is saved and we will answer it as soon as we can.",
    },
}


def system_text(key: str, language: str | None) -> str:
    """The message `key` in `language`, or English when we lack that language."""
    texts = _TEXTS[key]
    return texts.get(language or DEFAULT_LANGUAGE, texts[DEFAULT_LANGUAGE])

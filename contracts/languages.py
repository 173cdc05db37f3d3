"""The languages the bot's own texts are written in (domain.yml, api/chat/system_messages.yml, the other-language note): a shop
serves some of them (its settings), and its content may add others (knowledge/README.md, "A fifth language"), so a
conversation's language is any ISO 639-1 code (`LanguageCode`), and these four are where the bot's texts exist."""
from __future__ import annotations

import re
from typing import Literal, get_args

BotLanguage = Literal["cs", "pl", "lv", "en"]
LANGUAGES: tuple[str, ...] = get_args(BotLanguage)  # as `str`s: a conversation or an entry may be in a fifth one
DEFAULT_LANGUAGE: BotLanguage = "en"  # where nothing tells: a message without metadata (rasa shell), a conversation without one

LanguageCode = str  # lowercase ISO 639-1 (`cs`, `sk`): which ones a shop answers in is its settings' business
_CODE = re.compile(r"[a-z]{2}")


def language_code(value: object) -> LanguageCode | None:
    """The value when it has the shape of a language code, else None: metadata and old rows are read, not trusted."""
    return value if isinstance(value, str) and _CODE.fullmatch(value) else None

"""Language detection keeps the conversation's language for messages that do not show one."""
from __future__ import annotations

import pytest

from knowledge.language import LanguageGuesser


@pytest.fixture(scope="module")
def guesser() -> LanguageGuesser:
    return LanguageGuesser()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dobrý den, kolik stojí doprava?", "cs"),
        ("kolik stoji doprava na slovensko", "cs"),
        ("Dzień dobry, gdzie jest moja paczka?", "pl"),
        ("Labdien, kad atbrauks mana paka?", "lv"),
        ("Hello, where is my parcel?", "en"),
        ("Dobry den", "cs"),  # Czech without diacritics, which lingua alone takes for Polish
        ("dobry den, mam dotaz", "cs"),
        ("dekuji moc", "cs"),
        ("dzien dobry", "pl"),
        ("dziekuje bardzo, to wszystko", "pl"),
        ("chtel bych vratit zbozi", "cs"),
        ("chcialbym zwrocic towar", "pl"),
        ("Jak zresetować hasło?", "pl"),  # "jak" is Polish too
        ("Jak dlouho trvá doručení?", "cs"),
    ],
)
def test_detects_each_language(guesser: LanguageGuesser, text: str, expected: str) -> None:
    assert guesser.guess(text) == expected


@pytest.mark.parametrize("text", ["ok", "1", "?", "OK!"])
def test_short_messages_keep_the_conversations_language(guesser: LanguageGuesser, text: str) -> None:
    assert guesser.guess(text, previous="lv") == "lv"


def test_without_any_clue_it_falls_back_to_english(guesser: LanguageGuesser) -> None:
    assert guesser.guess("123") == "en"


def test_a_polish_question_in_a_polish_conversation_stays_polish(guesser: LanguageGuesser) -> None:
    assert guesser.guess("Jak zresetować hasło?", previous="pl") == "pl"


def test_ambiguous_text_keeps_the_pages_language(guesser: LanguageGuesser) -> None:
    assert guesser.guess("Dobry den", previous="cs") == "cs"


def test_a_clear_message_in_another_language_switches(guesser: LanguageGuesser) -> None:
    assert guesser.guess("Labdien, kad atbrauks mana paka?", previous="cs") == "lv"

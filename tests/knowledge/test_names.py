"""Which words of a question are names the content never mentions (knowledge/names.py)."""
from __future__ import annotations

from knowledge.names import unknown_names, vocabulary

KNOWN = vocabulary(["Jak vyměnit filtr v čističce PureAir 300?", "Odvápnění kávovaru Aroma Pro", "Platba kartou nebo přes Revolut"])


def test_brands_and_model_numbers_the_content_lacks_are_names() -> None:
    assert unknown_names("Jak vyměnit filtr v čističce Philips AC2887?", KNOWN) == ["Philips", "AC2887"]
    assert unknown_names("how do I descale my DeLonghi Magnifica", KNOWN) == ["DeLonghi", "Magnifica"]
    assert unknown_names("Bliká dioda na televizi LG", KNOWN) == ["LG"]


def test_the_contents_own_names_and_a_sentences_first_word_are_not() -> None:
    assert unknown_names("Jak vyměnit filtr v čističce PUREAIR 300?", KNOWN) == []  # case and accents do not matter
    assert unknown_names("Odvapneni kavovaru aroma pro?", KNOWN) == []
    assert unknown_names("Kolik stojí doprava? Platím přes Revolut.", KNOWN) == []
    assert unknown_names("Whirlpool nebo ne, je to jedno", KNOWN) == []  # a first word's capital says nothing
    assert unknown_names("Pošlete to 3. května?", KNOWN) == []  # plain numbers are no model numbers

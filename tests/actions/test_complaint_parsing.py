"""How the claim form reads customers' answers: claim requests, order numbers, remedies, anger, in all four languages."""
from __future__ import annotations

import pytest

from actions.anger import is_angry
from actions.complaint import asks_for_a_claim, find_order_number, find_resolution, quote
from actions.dates import format_date


@pytest.mark.parametrize("text, number", [
    ("12345", "12345"), ("objednávka č. 31877, díky", "31877"), ("zamówienie #2045199", "2045199"),
    ("pasūtījums 1234", None), ("tel. +420 777 123 456", None), ("order 12345678901", None),
])
def test_order_numbers_have_five_to_ten_digits(text: str, number: str | None) -> None:
    assert find_order_number(text) == number


@pytest.mark.parametrize("text, asks", [
    ("Vysavač přestal nabíjet, chci ho reklamovat.", True), ("Chcę złożyć reklamację, czajnik przecieka", True), ("Chci to zareklamovat", True),
    ("Vēlos iesniegt pretenziju par bojātu tējkannu", True), ("I want to make a complaint about my blender", True),
    ("Toaster is broken, order 48213", True), ("Paka atnāca saplēsta", False), ("I was charged twice for one kettle", False),
    ("Jak dlouho trvá vyřízení reklamace?", False), ("How do I claim under the warranty?", False), ("Reklamní leták nepřišel", False),
])
def test_a_claim_is_asked_for_by_name_or_order_number_but_not_by_a_question(text: str, asks: bool) -> None:
    assert asks_for_a_claim(text) is asks


@pytest.mark.parametrize("text, resolution", [
    ("Chtěl bych opravu", "repair"), ("wymiana na nowy", "replacement"), ("vratte mi penize", "refund"),
    ("Gribu naudas atmaksu", "refund"), ("please just fix it", "repair"), ("preces apmaiņu, lūdzu", "replacement"),
    ("I don't know yet", None), ("oprava nebo vrácení peněz", None),
])
def test_the_remedy_is_read_in_every_language(text: str, resolution: str | None) -> None:
    assert find_resolution(text) == resolution


@pytest.mark.parametrize("text, language, angry", [
    ("To je naprostá ostuda, už nikdy!", "cs", True), ("TOHLE JE UŽ TŘETÍ ROZBITÝ VYSAVAČ", "cs", True),
    ("Co za skandal, oszuści!", "pl", True), ("Tas ir absolūti nepieņemami", "lv", True), ("This is ridiculous!!!", "en", True),
    ("Přišla mi rozbitá konvice, co s tím?", "cs", False), ("Paczka przyszła uszkodzona", "pl", False),
    ("Prece atnāca bojāta", "lv", False), ("My order is late, where is it?", "en", False), ("ok", "en", False),
    ("Půjčte mi knihovnu", "cs", False),
])
def test_anger_is_spotted_without_flagging_calm_complaints(text: str, language: str, angry: bool) -> None:
    assert is_angry(text, language) is angry


def test_long_messages_are_quoted_shortened_at_a_word() -> None:
    quoted = quote("slovo " * 60)
    assert len(quoted) <= 160 and quoted.endswith("…") and "  " not in quoted


def test_deadlines_read_naturally_in_each_language() -> None:
    from datetime import date

    day = date(2026, 12, 23)
    assert [format_date(day, lang) for lang in ("cs", "pl", "lv", "en")] == ["23. 12. 2026", "23.12.2026", "23.12.2026.", "23 December 2026"]

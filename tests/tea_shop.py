"""A second shop for the tests (`tests/fixtures/tea-shop`): its FAQ has one question and one answer per entry and no
alternatives, as real shops publish it; with questions it answers in every language and ones it does not cover."""
from __future__ import annotations

from pathlib import Path

from api.settings import ROOT
from benchmarks.shops import stripped

CONTENT = ROOT / "tests" / "fixtures" / "tea-shop"
ANSWERED = [("Jakou teplotu má mít voda na zelený čaj?", "cs", "green-tea-brewing"),
            ("do jakiej temperatury podgrzać wodę na zieloną herbatę?", "pl", "green-tea-brewing"),
            ("Vai var nopirkt dāvanu karti draugam?", "lv", "gift-vouchers"),
            ("I ordered the wrong tea, can I send it back?", "en", "returns")]
NOT_COVERED = [("What will the weather be in Brno tomorrow?", "en"), ("Kto wygrał wczoraj mecz?", "pl"), ("Kāds laiks būs rīt Rīgā?", "lv"),
               ("Jak dlouho vařit vajíčko natvrdo?", "cs"), ("Does Lipton sell matcha in Tesco?", "en")]
# Asked in other languages than the one shop's FAQ is written in (`in_one_language`), answered from the Czech entry.
OTHER_LANGUAGE = [("Can I pick up my order in person?", "en", "personal-pickup"), ("Vai varu pasūtījumu saņemt personīgi?", "lv", "personal-pickup"),
                  ("Ile kosztuje dostawa?", "pl", "shipping-cost")]  # leads by 0.047: answered on the lead measured across languages


def in_one_language(target: Path, lang: str = "cs") -> Path:
    """The tea shop as a shop that writes its FAQ in one language publishes it (the benchmark's one-language shops, made the same way)."""
    return stripped(CONTENT, target, keep=lang)

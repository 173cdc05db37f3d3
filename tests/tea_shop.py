"""A second shop for the tests (`tests/fixtures/tea-shop`): its FAQ has one question and one answer per entry and no
alternatives, as real shops publish it; with questions it answers in every language and ones it does not cover."""
from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from api.settings import ROOT, Settings
from benchmarks.shops import stripped
from runner.processes import Stack, free_port, running_stack

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
    stripped(CONTENT, target, keep=lang)
    shutil.copyfile(CONTENT / "shop.yml", target / "shop.yml")
    return target


TEA_SHOP_NAME = "Čajovna Lístek"  # as its shop.yml says
CZECH_ONLY_LANGUAGES = {"languages": ["cs", "en"]}  # the environment overrides the file: the shop serves Czech and English


class ShopClient(httpx.Client):
    """A client of a second shop's api, with the settings it was started with (to add its accounts)."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(base_url=f"http://127.0.0.1:{settings.api_port}", timeout=30.0)
        self.settings = settings


def serve(content: Path, var: Path, stack: Stack, trained_model: Path, **settings: Any) -> Iterator[ShopClient]:
    """A second Rasa and api on `content`, under the name its shop.yml gives (module-scoped by the callers: they must not
    outlive their tests). The same trained model serves it: the name and the languages come from the shop's file and
    `settings` (SHOPBOT_* variables), not the training data."""
    changed = stack.settings.model_copy(update={"var_dir": var, "content_dir": content, "api_port": free_port(), "rasa_port": free_port(),
                                                **settings})
    with running_stack(changed, trained_model, api_log=var / "api.log"), ShopClient(changed) as client:
        yield client


@pytest.fixture(scope="module")
def tea_shop(stack: Stack, trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ShopClient]:
    var = tmp_path_factory.mktemp("tea-shop")
    shutil.copytree(CONTENT, var / "knowledge")
    yield from serve(var / "knowledge", var, stack, trained_model)


@pytest.fixture(scope="module")
def czech_only_shop(stack: Stack, trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ShopClient]:
    """The tea shop as a shop that writes its FAQ in Czech only publishes it, serving Czech and English customers."""
    var = tmp_path_factory.mktemp("czech-only-shop")
    yield from serve(in_one_language(var / "knowledge", "cs"), var, stack, trained_model, **CZECH_ONLY_LANGUAGES)


# The tea shop with a fifth language (knowledge/README.md, "A fifth language"): Slovak texts for three of its Czech
# entries, and Slovak among the languages it serves. The bot has no Slovak texts of its own.
SLOVAK = {
    "shipping-cost": ("Koľko stojí poštovné?", "Zásielkovňa stojí 79 Kč, kuriér PPL 129 Kč. Pri nákupe nad 1 500 Kč posielame zadarmo."),
    "returns": ("Môžem tovar vrátiť?", "Neotvorený tovar môžete vrátiť do 14 dní od prevzatia. Pošlite ho na našu adresu a peniaze vám vrátime do 14 dní."),
    "tea-storage": ("Ako skladovať sypaný čaj?", "V dobre uzavretej plechovke, v suchu a tme, mimo korenia a silných vôní. Zelený čaj tak vydrží asi rok."),
}


def in_czech_and_slovak(target: Path) -> Path:
    """The Czech-only tea shop with Slovak blocks added to some entries, serving cs and sk."""
    in_one_language(target, "cs")
    faq = target / "faq" / "shop.yml"
    data = yaml.safe_load(faq.read_text(encoding="utf-8"))
    for entry in data["entries"]:
        if entry["id"] in SLOVAK:
            question, answer = SLOVAK[entry["id"]]
            entry["sk"] = {"question": question, "answer": answer}
    faq.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")
    shop = target / "shop.yml"
    shop.write_text(shop.read_text(encoding="utf-8").replace("languages: [cs, pl, lv, en]", "languages: [cs, sk]"), encoding="utf-8")
    return target

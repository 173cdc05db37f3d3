"""The shop in one file (`shop.yml`): read with the environment's overrides, and every problem reported by file and
line, as the FAQ loader does."""
from __future__ import annotations

from pathlib import Path

import pytest

from knowledge import ContentError
from knowledge.settings import ROOT, KnowledgeSettings
from knowledge.shop import load_shop

SHOP = """\
name: Čajovna Lístek
contact:
  email: obchod@listek.example
  phone: +420 601 234 567
privacy_url: https://listek.example/soukromi
languages: [cs, en]
default_language: cs
"""


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "shop.yml").write_text(text, encoding="utf-8")
    return tmp_path / "shop.yml"


def test_the_shop_is_read_from_its_file_and_the_environment_overrides_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, SHOP)
    shop = load_shop(KnowledgeSettings(content_dir=tmp_path))
    assert (shop.name, shop.contact.phone, shop.languages, shop.default_language) == ("Čajovna Lístek", "+420 601 234 567", ("cs", "en"), "cs")
    assert shop.answerable_languages == ("cs", "en", "pl", "lv")  # a Polish customer is still answered
    monkeypatch.setenv("SHOPBOT_SHOP_NAME", "Lístek Brno")
    monkeypatch.setenv("SHOPBOT_LANGUAGES", '["cs", "sk"]')
    shop = load_shop(KnowledgeSettings(content_dir=tmp_path))
    assert (shop.name, shop.languages, shop.default_language) == ("Lístek Brno", ("cs", "sk"), "cs")


def test_each_problem_of_the_shop_file_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, SHOP.replace("languages: [cs, en]", "languages: [cs, cz]").replace("https://listek.example/soukromi", "javascript:alert(1)")
                 .replace("  phone:", "  fax: 123\n  phone:"))
    with pytest.raises(ContentError) as error:
        load_shop(KnowledgeSettings(content_dir=tmp_path))
    assert sorted(str(p) for p in error.value.problems) == [
        f"{path}:4: `contact.fax`: Extra inputs are not permitted",
        f"{path}:6: `privacy_url`: a link starts with https://, http:// or mailto:, or is a path on the shop's site starting with /",
        f"{path}:7: `languages`: 'cz': give languages as lowercase ISO 639-1 codes such as cs, en, sk"]


def test_a_default_language_the_shop_does_not_serve_and_a_missing_name_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, SHOP.replace("default_language: cs", "default_language: pl"))
    with pytest.raises(ContentError, match=f"{path}:1: `the file`: the default language 'pl' is not among the languages served"):
        load_shop(KnowledgeSettings(content_dir=tmp_path))
    path.unlink()
    with pytest.raises(ContentError, match="no shop file: write `name: <the shop's name>` in it"):
        load_shop(KnowledgeSettings(content_dir=tmp_path))
    assert load_shop(KnowledgeSettings(content_dir=tmp_path, shop_name="Lístek")).name == "Lístek"  # or say it in the environment


def test_the_shops_name_and_contacts_are_written_nowhere_but_its_file() -> None:
    """The bot's texts, the api's own texts, the widget and the consoles take them at run time (the demo page and the
    NLU examples are the demo shop's own pages and customers' words, not texts of the product)."""
    shop = load_shop(KnowledgeSettings(content_dir=ROOT / "knowledge"))
    said = [shop.name, shop.name[:-1], shop.contact.email, shop.contact.phone]  # the stem too: Czech says "v Domovu", "asistent Domova"
    texts = [ROOT / "domain.yml", ROOT / "api" / "chat" / "system_messages.yml", *ROOT.glob("api/static/widget/*"), *ROOT.glob("api/static/console/*"),
             *ROOT.glob("api/*.py"), *ROOT.glob("api/web/routes/*.py"), *ROOT.glob("actions/*.py")]
    found = [(path.relative_to(ROOT), word) for path in texts for word in said if word and word.casefold() in path.read_text(encoding="utf-8").casefold()]
    assert found == []

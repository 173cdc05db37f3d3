"""Editors change files while the api serves: good edits are served without a restart, broken ones are refused."""
from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings
from tests.conftest import copy_demo_content

NEW_ENTRY = """
  - id: engraving
    cs: {question: "Můžete na výrobek vygravírovat jméno?", answer: "Ano, laserové gravírování jména za 149 Kč zvolíte v košíku."}
    pl: {question: "Czy możecie wygrawerować imię na produkcie?", answer: "Tak, grawer laserowy za 25 zł wybierzesz w koszyku."}
    lv: {question: "Vai varat iegravēt vārdu uz preces?", answer: "Jā, lāzergravējumu par 6 € izvēlaties grozā."}
    en: {question: "Can you engrave a name on a product?", answer: "Yes, choose laser engraving for 6 EUR in the cart."}
"""


@pytest.fixture
def editor_api(tmp_path: Path, demo_vectors: Path) -> Iterator[tuple[TestClient, Path]]:
    content = copy_demo_content(tmp_path / "content", ("faq", "shop.yml"))
    settings = Settings(var_dir=tmp_path / "var", content_dir=content, cache_dir=demo_vectors)
    with TestClient(create_app(settings)) as client:
        yield client, content


def top_entry(client: TestClient, question: str, lang: str) -> str | None:
    """What the running api's search finds first (the knowledge base it serves, as the bot's actions ask it)."""
    best = client.app.state.services.knowledge.decide(question, lang=lang).best  # type: ignore[attr-defined]
    return best.entry_id if best else None


def serving_build(client: TestClient) -> str:
    """The version of the index the api serves (its build's name: time and content fingerprint)."""
    return client.get("/api/health").json()["index"]["build"]


def next_build(client: TestClient, serving: str, *, timeout: float = 600.0) -> str | None:
    """The build that replaced `serving`, once the content watcher swapped it in; None if none did.

    It waits for the index's version, not for a guess of how long a rebuild takes (~10 s idle, over 30 s on a loaded
    2-core machine): the timeout only keeps a watcher that never rebuilds from hanging the suite.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (build := serving_build(client)) != serving:
            return build
        time.sleep(0.2)
    return None


def until(check, timeout: float = 120.0) -> bool:  # type: ignore[no-untyped-def]
    """True once `check()` holds; the timeout only keeps a watcher that never reloads from hanging the suite."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def test_a_new_entry_is_served_after_the_file_changes(editor_api: tuple[TestClient, Path]) -> None:
    client, content = editor_api
    assert top_entry(client, "Můžete mi na výrobek vygravírovat jméno?", "cs") != "engraving"
    serving = serving_build(client)
    faq = content / "faq" / "shop.yml"
    faq.write_text(faq.read_text(encoding="utf-8") + NEW_ENTRY, encoding="utf-8")
    assert next_build(client, serving) is not None, "the content watcher never swapped in a new index"
    assert top_entry(client, "Můžete mi na výrobek vygravírovat jméno?", "cs") == "engraving"


def test_a_broken_edit_is_reported_and_the_last_good_index_keeps_serving(editor_api: tuple[TestClient, Path]) -> None:
    client, content = editor_api
    serving = serving_build(client)
    faq = content / "faq" / "delivery.yml"
    faq.write_text(faq.read_text(encoding="utf-8").replace("  - id: delivery-cost\n", "  - id: delivery-cost\n    colour: red\n"), encoding="utf-8")
    problems = lambda: client.get("/api/health").json()["index"]["problems"]  # noqa: E731
    assert until(lambda: any("unknown field `colour`" in p and f"{faq}:" in p for p in problems()), timeout=600), problems()
    assert top_entry(client, "kolik stojí poštovné", "cs") == "delivery-cost"
    assert serving_build(client) == serving


def test_the_shop_file_is_followed_while_the_api_runs_and_a_broken_one_keeps_the_last_good(editor_api: tuple[TestClient, Path]) -> None:
    client, content = editor_api
    assert client.get("/api/shop").json()["name"] == "Domovo"
    shop = content / "shop.yml"
    shop.write_text(shop.read_text(encoding="utf-8").replace("name: Domovo", "name: Domovo Outlet").replace("[cs, pl, lv, en]", "[cs, en]"),
                    encoding="utf-8")
    assert until(lambda: client.get("/api/shop").json()["name"] == "Domovo Outlet")
    assert client.get("/api/shop").json()["languages"] == ["cs", "en"]
    shop.write_text(shop.read_text(encoding="utf-8").replace("default_language: en", "default_language: de"), encoding="utf-8")
    time.sleep(2)  # the watcher's debounce and a reload
    assert client.get("/api/shop").json()["name"] == "Domovo Outlet"
    shop.write_text(shop.read_text(encoding="utf-8").replace("default_language: de", "default_language: cs").replace("Outlet", "Brno"),
                    encoding="utf-8")
    assert until(lambda: client.get("/api/shop").json()["default_language"] == "cs")  # still followed
    assert client.get("/api/shop").json()["name"] == "Domovo Brno"

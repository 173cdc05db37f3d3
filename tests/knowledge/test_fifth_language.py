"""A fifth language is a documented path (knowledge/README.md, "A fifth language"): a shop that adds Slovak entries and
serves Slovak has its Slovak customers told apart, answered from the Slovak entries through the real search (e5 and
the lexical index read any language), and the bot's texts, which have no Slovak variant, fall back to English."""
from __future__ import annotations

from pathlib import Path

import yaml

from actions.responses import response_text
from api.chat.system_messages import system_text
from knowledge import KnowledgeBase
from knowledge.embedder import E5Embedder
from knowledge.language import language_guesser
from knowledge.settings import ROOT, KnowledgeSettings
from knowledge.shop import load_shop
from tests.tea_shop import SLOVAK, in_czech_and_slovak


def test_a_slovak_question_is_told_apart_and_answered_from_the_slovak_entry_and_the_bot_texts_fall_back(tmp_path: Path, e5: E5Embedder,
                                                                                                            embedding_cache: Path) -> None:
    content = in_czech_and_slovak(tmp_path / "knowledge")
    shop = load_shop(KnowledgeSettings(content_dir=content))
    assert shop.languages == ("cs", "sk")
    question = "Koľko zaplatím za poštovné, keď si objednám čaj?"
    guesser = language_guesser(shop.answerable_languages, shop.default_language)
    assert guesser.guess(question) == "sk" and guesser.guess("Kolik zaplatím za poštovné, když si objednám čaj?") == "cs"

    kb = KnowledgeBase(content_dir=content, index_dir=tmp_path / "index", cache_dir=embedding_cache, embedder=e5)
    kb.ensure_built()
    decision = kb.decide(question, lang="sk")
    assert decision.action == "answer" and decision.best is not None
    assert (decision.best.entry_id, decision.best.language, decision.best.cross_lingual) == ("shipping-cost", "sk", False)
    assert decision.best.answer == SLOVAK["shipping-cost"][1]
    pickup = kb.search("Môžem si objednávku vyzdvihnúť osobne v predajni?", lang="sk")[0]  # no Slovak text: the Czech one
    assert (pickup.entry_id, pickup.language, pickup.cross_lingual) == ("personal-pickup", "cs", True)

    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    for response in ("utter_greet", "utter_answer_in_other_language"):
        assert response_text(domain, response, "sk") == response_text(domain, response, "en") != ""  # Rasa's unconditioned variant
    assert system_text("one_moment", "sk") == system_text("one_moment", "en")

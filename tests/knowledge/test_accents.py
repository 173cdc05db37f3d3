"""A question typed without diacritics is read as the content spells it."""
from __future__ import annotations

import numpy as np

from knowledge import KnowledgeBase
from knowledge.accents import Accents
from knowledge.embedder import E5Embedder

LATVIAN = Accents({"lv": ["Cik maksā piegāde uz pakomātu?", "Piegāde ilgst divas dienas.", "Ja prece neder, to var atgriezt."],
                   "cs": ["Kolik stojí poštovné?"]})


def test_words_typed_without_diacritics_get_the_contents_spelling_in_the_customers_language() -> None:
    assert LATVIAN.restore("Cik maksa piegade uz pakomatu?", "lv") == "Cik maksā piegāde uz pakomātu?"
    assert LATVIAN.restore("Piegade?", "lv") == "Piegāde?"  # a capital stays a capital
    assert LATVIAN.restore("kolik stoji postovne", "cs") == "kolik stojí poštovné"


def test_words_the_texts_also_write_plain_or_typed_with_diacritics_or_in_another_language_stay() -> None:
    assert LATVIAN.restore("ja neder", "lv") == "ja neder"  # "ja" is a word of its own in the texts
    assert LATVIAN.restore("cik maksā piegade", "lv") == "cik maksā piegāde"  # only the plain word changes
    assert LATVIAN.restore("kolik stoji postovne", "lv") == "kolik stoji postovne"  # the Latvian texts never say it
    assert LATVIAN.restore("cik maksa piegade", "en") == "cik maksa piegade"  # no English texts: nothing to restore


def test_the_search_reads_a_question_without_diacritics_as_written_with_them(tea_kb: KnowledgeBase, e5: E5Embedder) -> None:
    """The tea shop's Latvian returns entry: without its diacritics the question only reached the choices."""
    typed = "Vai drikstu atdot atpakal neatvertu teju?"

    decision = tea_kb.decide(typed, lang="lv")

    assert (decision.action, decision.best and decision.best.entry_id) == ("answer", "returns")
    spelled = tea_kb.spelled(typed, "lv")
    assert spelled != typed and "tēju" in spelled
    assert np.allclose(tea_kb.embed_queries([typed]), e5.embed_queries([spelled]), atol=1e-6)  # remembered as typed

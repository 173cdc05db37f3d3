"""Editing FAQ files and manuals as the editor page does: plain files kept as editors wrote them, conflicts caught, bad edits refused."""
from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.content import load_content
from knowledge.editing import EditConflict, FaqEditor, InvalidEdit, ManualEditor
from knowledge.manuals import load_manual
from tests.conftest import copy_demo_content

FAQ = """\
# Delivery questions (a comment editors keep)
entries:
  - id: delivery-cost
    tags: [delivery]
    cs:
      question: Kolik stojí doprava?
      alternatives:
        - "Poštovné: kolik?"   # quoted on purpose
      answer: >-
        Doprava na výdejní místo stojí 89 Kč.
    pl:
      question: Ile kosztuje dostawa?
      answer: Dostawa kosztuje 12,99 zł.
    lv:
      question: Cik maksā piegāde?
      answer: Piegāde maksā 2,99 EUR.
    en:
      question: How much is delivery?
      answer: Delivery costs 3 EUR.
"""


@pytest.fixture
def content(tmp_path: Path) -> Path:
    (tmp_path / "faq").mkdir()
    (tmp_path / "faq" / "delivery.yml").write_text(FAQ, encoding="utf-8")
    (tmp_path / "manuals").mkdir()
    return tmp_path


def test_saving_an_unchanged_entry_leaves_the_file_byte_for_byte_as_it_was(content: Path) -> None:
    editor = FaqEditor(content)
    entry = editor.get("delivery-cost")
    editor.save(entry.data, version=entry.version)
    assert (content / "faq" / "delivery.yml").read_text(encoding="utf-8") == FAQ


def test_the_repositorys_own_files_survive_a_round_trip_unchanged(tmp_path: Path) -> None:
    copy_demo_content(tmp_path, ("faq",))
    before = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "faq").glob("*.yml")}
    editor = FaqEditor(tmp_path)
    first_of_each_file = {entry.file: entry for entry in reversed(editor.entries())}
    for entry in first_of_each_file.values():  # each save rewrites its whole file
        editor.save(entry.data, version=entry.version)
    assert {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "faq").glob("*.yml")} == before


def test_an_edit_changes_only_its_field_and_keeps_comments(content: Path) -> None:
    editor = FaqEditor(content)
    entry = editor.get("delivery-cost")
    data = {**entry.data, "pl": {**entry.data["pl"], "alternatives": ["koszt wysyłki"]}}
    saved = editor.save(data, version=entry.version)
    text = (content / "faq" / "delivery.yml").read_text(encoding="utf-8")
    assert "# Delivery questions (a comment editors keep)" in text and "# quoted on purpose" in text
    assert saved.data["pl"]["alternatives"] == ["koszt wysyłki"] and saved.version != entry.version
    [loaded] = load_content(content).entries
    assert loaded.texts["pl"].alternatives == ("koszt wysyłki",)


def test_a_second_save_from_an_old_version_is_a_conflict_not_an_overwrite(content: Path) -> None:
    editor = FaqEditor(content)
    opened = editor.get("delivery-cost")
    editor.save({**opened.data, "link": "https://domovo.example/delivery"}, version=opened.version)
    with pytest.raises(EditConflict) as conflict:
        editor.save({**opened.data, "tags": ["prices"]}, version=opened.version)
    assert conflict.value.current["link"] == "https://domovo.example/delivery"
    assert editor.get("delivery-cost").data["tags"] == ["delivery"]


def test_an_invalid_edit_names_each_field_and_writes_nothing(content: Path) -> None:
    editor = FaqEditor(content)
    entry = editor.get("delivery-cost")
    broken = {**entry.data, "link": "domovo.example", "lv": {"question": "Cik maksā piegāde?", "answer": "  "},
              "en": {**entry.data["en"], "alternatives": ["price", "Price"]}}
    with pytest.raises(InvalidEdit) as refused:
        editor.save(broken, version=entry.version)
    assert {p.field for p in refused.value.problems} == {"link", "lv.answer", "en.alternatives"}
    assert (content / "faq" / "delivery.yml").read_text(encoding="utf-8") == FAQ


def test_a_new_entry_needs_an_unused_id_and_lands_in_the_chosen_file(content: Path) -> None:
    editor = FaqEditor(content)
    entry = editor.get("delivery-cost")
    with pytest.raises(InvalidEdit) as taken:
        editor.save(entry.data, version=None, file="delivery.yml")
    assert [p.field for p in taken.value.problems] == ["id"]
    long_answer = "Engraving a dedication of up to thirty characters costs twelve euros and we ship the order two days later than usual."
    new = {"id": "engraving", **{lang: {"question": f"{lang} engraving?", "answer": long_answer} for lang in ("cs", "pl", "lv", "en")}}
    saved = editor.save(new, version=None, file="services.yml")
    assert saved.file == "services.yml" and saved.missing_languages == []
    assert {e.id for e in load_content(content).entries} == {"delivery-cost", "engraving"}
    assert all(len(line) <= 110 for line in (content / "faq" / "services.yml").read_text(encoding="utf-8").splitlines())


def test_an_entry_in_the_shops_languages_only_is_saved_and_its_missing_languages_listed(content: Path) -> None:
    editor = FaqEditor(content)
    empty = {"question": "", "answer": ""}
    saved = editor.save({"id": "pickup", "cs": {"question": "Můžu si zboží vyzvednout osobně?", "answer": "Ano, na prodejně v Brně."},
                         "pl": empty, "lv": empty, "en": empty}, version=None, file="delivery.yml")
    assert saved.missing_languages == ["pl", "lv", "en"]
    pickup = next(e for e in load_content(content).entries if e.id == "pickup")
    assert list(pickup.texts) == ["cs"]
    with pytest.raises(InvalidEdit) as refused:
        editor.save({"id": "nothing", "cs": empty, "pl": empty, "lv": empty, "en": empty}, version=None, file="delivery.yml")
    assert [p.message for p in refused.value.problems] == ["write the question and answer in one language at least"]


@pytest.mark.parametrize(("entry_id", "file"), [("engraving\n", "services.yml"), ("engraving", "services.yml\n"), ("delivery-cost\n", "delivery.yml")])
def test_an_id_or_file_name_with_a_trailing_line_break_is_refused(content: Path, entry_id: str, file: str) -> None:
    """`$` in a pattern accepts a trailing newline: `delivery-cost\n` beside `delivery-cost` would stop the index from rebuilding."""
    editor = FaqEditor(content)
    new = {"id": entry_id, **{lang: {"question": f"{lang} engraving?", "answer": "Yes."} for lang in ("cs", "pl", "lv", "en")}}
    with pytest.raises(InvalidEdit) as refused:
        editor.save(new, version=None, file=file)
    assert [p.field for p in refused.value.problems] == ["id" if entry_id.endswith("\n") else "file"]
    assert sorted(p.name for p in (content / "faq").iterdir()) == ["delivery.yml"]
    assert (content / "faq" / "delivery.yml").read_text(encoding="utf-8") == FAQ


def manual_copy(tmp_path: Path) -> Path:
    return copy_demo_content(tmp_path, ("manuals",))


def test_manual_sections_round_trip_unchanged_and_an_edit_touches_only_its_section(tmp_path: Path) -> None:
    content = manual_copy(tmp_path)
    before = {p: p.read_text(encoding="utf-8") for p in (content / "manuals").rglob("*.md")}
    editor = ManualEditor(content)
    for section in editor.sections():
        editor.save(section.id, section.data, version=section.version)
    assert {p: p.read_text(encoding="utf-8") for p in (content / "manuals").rglob("*.md")} == before

    section = editor.get("aroma-pro/before-first-use")
    lv = {**section.data["lv"], "answer": section.data["lv"]["answer"] + "\n\nPirms lietošanas izlasiet arī drošības norādījumus."}
    saved = editor.save(section.id, {**section.data, "lv": lv}, version=section.version)
    assert saved.id == section.id and saved.data["lv"]["answer"].endswith("drošības norādījumus.")
    for path, text in before.items():
        if path.name != "lv.md" or path.parent.name != "aroma-pro":
            assert path.read_text(encoding="utf-8") == text  # the other languages and manuals are untouched
    entries, problems = load_manual(content / "manuals" / "aroma-pro")
    assert not problems and len(entries) == len([s for s in editor.sections() if s.file == "manuals/aroma-pro"])


def test_a_manual_edit_with_a_heading_inside_is_refused_and_a_stale_one_is_a_conflict(tmp_path: Path) -> None:
    editor = ManualEditor(manual_copy(tmp_path))
    section = editor.get("aroma-pro/before-first-use")
    with pytest.raises(InvalidEdit) as refused:
        editor.save(section.id, {**section.data, "pl": {"question": "Przed pierwszym użyciem", "answer": "## Nowa sekcja\nTekst"}},
                    version=section.version)
    assert [p.field for p in refused.value.problems] == ["pl.answer"]
    editor.save(section.id, {**section.data, "cs": {**section.data["cs"], "answer": "Nový text."}}, version=section.version)
    with pytest.raises(EditConflict):
        editor.save(section.id, section.data, version=section.version)


def test_renaming_a_sections_english_title_gives_it_the_new_id(tmp_path: Path) -> None:
    editor = ManualEditor(manual_copy(tmp_path))
    section = editor.get("aroma-pro/before-first-use")
    renamed = editor.save(section.id, {**section.data, "en": {**section.data["en"], "question": "Before the very first use"}},
                          version=section.version)
    assert renamed.id == "aroma-pro/before-the-very-first-use"


@pytest.mark.parametrize("line_break", ["\r", "\n", "\r\n", "\u2028", "\x85", "\x0b"])
def test_a_manual_title_with_any_line_break_is_refused_and_the_manual_stays_whole(tmp_path: Path, line_break: str) -> None:
    """The manual's parser splits lines at every Unicode line break: one in a title would write a section of its own."""
    content = manual_copy(tmp_path)
    before = {p: p.read_text(encoding="utf-8") for p in (content / "manuals").rglob("*.md")}
    editor = ManualEditor(content)
    section = editor.get("aroma-pro/before-first-use")
    injected = {**section.data, "pl": {**section.data["pl"], "question": f"Przed pierwszym użyciem{line_break}## Injected"}}
    with pytest.raises(InvalidEdit) as refused:
        editor.save(section.id, injected, version=section.version)
    assert [p.field for p in refused.value.problems] == ["pl.question"]
    assert {p: p.read_text(encoding="utf-8") for p in (content / "manuals").rglob("*.md")} == before
    assert not load_manual(content / "manuals" / "aroma-pro")[1]


def test_a_language_or_link_added_to_an_entry_goes_where_editors_put_it(content: Path) -> None:
    path = content / "faq" / "delivery.yml"
    path.write_text(FAQ.replace("    lv:\n      question: Cik maksā piegāde?\n      answer: Piegāde maksā 2,99 EUR.\n", "")
                    .replace("    en:\n      question: How much is delivery?\n      answer: Delivery costs 3 EUR.\n", "")
                    + "\n  - id: pickup\n    cs:\n      question: Můžu si zboží vyzvednout?\n      answer: Ano, v Brně.\n", encoding="utf-8")
    editor = FaqEditor(content)
    entry = editor.get("delivery-cost")
    editor.save({**entry.data, "link": "https://domovo.example/doprava", "en": {"question": "How much is delivery?", "answer": "3 EUR."},
                 "lv": {"question": "Cik maksā piegāde?", "answer": "2,99 EUR."}}, version=entry.version)
    text = path.read_text(encoding="utf-8")
    assert list(editor.get("delivery-cost").data) == ["id", "tags", "link", "cs", "pl", "lv", "en"]
    assert "      answer: 3 EUR.\n\n  - id: pickup\n" in text  # the blank line between entries stays between them


def test_an_answer_longer_than_a_chat_can_show_is_refused(content: Path) -> None:
    editor = FaqEditor(content)
    entry = editor.get("delivery-cost")
    with pytest.raises(InvalidEdit) as refused:
        editor.save({**entry.data, "en": {"question": "How much is delivery?", "answer": "word " * 5000}}, version=entry.version)
    assert [(p.field, p.message) for p in refused.value.problems] == [("en.answer", "24999 characters, at most 20000: shorten it")]


def test_a_manual_written_in_one_language_is_edited_in_that_language(tmp_path: Path) -> None:
    """A shop's manual in Czech only (as the loader takes it): the editor lists and saves it without asking for pl, lv, en."""
    manual = tmp_path / "manuals" / "konvice-k1"
    manual.mkdir(parents=True)
    (manual / "cs.md").write_text("# Konvice K1: návod\n\n## První použití\nVyvařte vodu.\n\n## Odvápnění\nPoužijte ocet.\n", encoding="utf-8")
    editor = ManualEditor(tmp_path)
    assert [s.id for s in editor.sections()] == ["konvice-k1/prvni-pouziti", "konvice-k1/odvapneni"]
    section = editor.get("konvice-k1/odvapneni")
    assert set(section.data) == {"id", "cs"}
    saved = editor.save(section.id, {**section.data, "cs": {"question": "Odvápnění", "answer": "Použijte kyselinu citronovou."}},
                        version=section.version)
    assert saved.data["cs"]["answer"] == "Použijte kyselinu citronovou."
    entries, problems = load_manual(manual)
    assert not problems and entries[1].texts["cs"].answer == "Použijte kyselinu citronovou."
    with pytest.raises(InvalidEdit) as refused:
        editor.save(saved.id, {**saved.data, "cs": {"question": "Odvápnění", "answer": ""}}, version=saved.version)
    assert [p.field for p in refused.value.problems] == ["cs.answer"]  # its own language only

"""Manuals split into one cited passage per section; structure problems are reported by file and line."""
from __future__ import annotations

from pathlib import Path

import pytest

from knowledge import ContentError
from knowledge.manuals import load_manual, slug

SECTIONS = {
    "cs": "# Konvice K1: návod\n\n## První použití\nVyvařte vodu.\n\n## Odvápnění\nPoužijte ocet.\n",
    "pl": "# Czajnik K1: instrukcja\n\n## Pierwsze użycie\nZagotuj wodę.\n\n## Odkamienianie\nUżyj octu.\n",
    "lv": "# Tējkanna K1: instrukcija\n\n## Pirmā lietošana\nUzvāriet ūdeni.\n\n## Atkaļķošana\nIzmantojiet etiķi.\n",
    "en": "# Kettle K1: manual\n\n## First use\nBoil water once.\n\n## Descaling\nUse vinegar.\n",
}


def write_manual(root: Path, files: dict[str, str]) -> Path:
    manual = root / "kettle-k1"
    manual.mkdir(parents=True)
    for lang, text in files.items():
        (manual / f"{lang}.md").write_text(text, encoding="utf-8")
    return manual


def test_each_section_becomes_an_entry_in_every_language(tmp_path: Path) -> None:
    entries, problems = load_manual(write_manual(tmp_path, SECTIONS))
    assert problems == []
    assert [e.id for e in entries] == ["kettle-k1/first-use", "kettle-k1/descaling"]
    assert entries[1].kind == "manual"
    assert entries[1].texts["lv"].question == "Tējkanna K1: instrukcija: Atkaļķošana"
    assert entries[1].texts["lv"].answer == "Izmantojiet etiķi."


def test_a_different_number_of_sections_is_reported(tmp_path: Path) -> None:
    files = {**SECTIONS, "pl": "# Czajnik K1\n\n## Pierwsze użycie\nZagotuj wodę.\n"}
    manual = write_manual(tmp_path, files)
    entries, problems = load_manual(manual)
    assert entries == []
    assert [str(p) for p in problems] == [f"{manual / 'pl.md'}:1: 1 sections, but en.md has 2: every language needs the same sections in the same order"]


def test_a_manual_in_some_languages_only_is_loaded_with_ids_from_its_first_language(tmp_path: Path) -> None:
    entries, problems = load_manual(write_manual(tmp_path, {"pl": SECTIONS["pl"], "cs": SECTIONS["cs"]}))
    assert problems == []
    assert [sorted(e.texts) for e in entries] == [["cs", "pl"], ["cs", "pl"]]
    assert [e.id for e in entries] == [f"kettle-k1/{slug(title)}" for title in ("První použití", "Odvápnění")]
    assert entries[0].path.name == "cs.md"


def test_a_manual_without_language_files_is_reported(tmp_path: Path) -> None:
    manual = tmp_path / "kettle-k1"
    manual.mkdir()
    (manual / "deutsch.md").write_text("# Wasserkocher\n\n## Entkalken\nEssig.\n", encoding="utf-8")  # de.md would be German
    entries, problems = load_manual(manual)
    assert entries == [] and any("unknown language file `deutsch.md`" in str(p) for p in problems) and any("has no language file: add at least one of cs.md, pl.md, lv.md, en.md" in str(p) for p in problems)


def test_missing_title_empty_section_and_a_wrong_section_count_are_reported(tmp_path: Path) -> None:
    files = {"cs": "## Bez titulku\ntext\n", "pl": SECTIONS["pl"], "en": "# Kettle\n\n## First use\n\n## Descaling\nUse vinegar.\n"}
    manual = write_manual(tmp_path, files)
    _, problems = load_manual(manual)
    text = [str(p) for p in problems]
    assert f"{manual / 'cs.md'}:1: a manual must start with its title as `# Title`" in text
    assert any(t.startswith(f"{manual / 'en.md'}:3:") and "section `First use` is empty" in t for t in text)


def test_load_content_includes_manuals_and_rejects_broken_ones(tmp_path: Path) -> None:
    from knowledge.content import load_content

    (tmp_path / "faq").mkdir()
    (tmp_path / "faq" / "a.yml").write_text(
        "entries:\n  - id: a\n" + "".join(f"    {lang}: {{question: q, answer: a}}\n" for lang in ("cs", "pl", "lv", "en")), encoding="utf-8")
    write_manual(tmp_path / "manuals", SECTIONS)
    assert [e.id for e in load_content(tmp_path).entries] == ["a", "kettle-k1/first-use", "kettle-k1/descaling"]
    (tmp_path / "manuals" / "kettle-k1" / "en.md").write_text("no title\n", encoding="utf-8")
    with pytest.raises(ContentError, match="must start with its title"):
        load_content(tmp_path)

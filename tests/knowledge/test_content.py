"""The validator reports every broken thing with its file and line, and accepts the real content."""
from __future__ import annotations

from pathlib import Path

import pytest

from api.settings import ROOT
from knowledge import LANGUAGES, ContentError, load_content

GOOD_ENTRY = """\
  - id: {id}
    tags: [delivery]
    cs:
      question: Kolik stojí doprava?
      answer: Doprava stojí 89 Kč.
    pl:
      question: Ile kosztuje dostawa?
      answer: Dostawa kosztuje 12,99 zł.
    lv:
      question: Cik maksā piegāde?
      answer: Piegāde maksā 2,99 €.
    en:
      question: How much is delivery?
      answer: Delivery costs 2.99 EUR.
"""


def write(root: Path, name: str, text: str) -> Path:
    (root / "faq").mkdir(parents=True, exist_ok=True)
    path = root / "faq" / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(root: Path) -> list[str]:
    with pytest.raises(ContentError) as raised:
        load_content(root)
    return [str(problem) for problem in raised.value.problems]


def test_the_shops_content_is_valid_and_complete() -> None:
    content = load_content(ROOT / "knowledge")
    assert len(content.entries) >= 8
    for entry in content.entries:
        assert set(entry.texts) == set(LANGUAGES), entry.id


def test_valid_file_loads_with_its_fields(tmp_path: Path) -> None:
    write(tmp_path, "a.yml", "entries:\n" + GOOD_ENTRY.format(id="delivery-cost"))
    [entry] = load_content(tmp_path).entries
    assert entry.id == "delivery-cost"
    assert entry.tags == ("delivery",)
    assert entry.texts["lv"].answer == "Piegāde maksā 2,99 €."


def test_unknown_field_is_reported_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yml", "entries:\n" + GOOD_ENTRY.format(id="x") + "    colour: red\n")
    [problem] = problems_of(tmp_path)
    assert problem.startswith(f"{path}:16:") and "unknown field `colour`" in problem


def test_an_entry_needs_only_the_languages_the_shop_has(tmp_path: Path) -> None:
    """Real shops publish their FAQ in one language or two; the other languages are work to do, not errors."""
    czech_only = "  - id: pickup\n    cs:\n      question: Můžu si zboží vyzvednout osobně?\n      answer: Ano, na prodejně v Brně.\n"
    write(tmp_path, "a.yml", "entries:\n" + GOOD_ENTRY.format(id="x").replace("    lv:\n      question: Cik maksā piegāde?\n      answer: Piegāde maksā 2,99 €.\n", "")
          + czech_only)
    x, pickup = load_content(tmp_path).entries
    assert sorted(x.texts) == ["cs", "en", "pl"] and list(pickup.texts) == ["cs"]


def test_an_entry_without_any_language_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yml", "entries:\n  - id: x\n    tags: [delivery]\n")
    [problem] = problems_of(tmp_path)
    assert problem.startswith(f"{path}:2:") and "entry `x` has no language block: add at least one of cs, pl, lv, en" in problem


def test_duplicate_ids_across_files_name_both_places(tmp_path: Path) -> None:
    write(tmp_path, "a.yml", "entries:\n" + GOOD_ENTRY.format(id="same"))
    second = write(tmp_path, "b.yml", "entries:\n" + GOOD_ENTRY.format(id="same"))
    [problem] = problems_of(tmp_path)
    assert problem.startswith(f"{second}:2:") and "duplicate id `same`" in problem and "a.yml:2" in problem


def test_empty_answer_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yml", "entries:\n" + GOOD_ENTRY.format(id="x").replace("answer: Delivery costs 2.99 EUR.", "answer: ''"))
    [problem] = problems_of(tmp_path)
    assert problem.startswith(f"{path}:15:") and "`x.en.answer` must be non-empty text" in problem


def test_bad_yaml_is_reported_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yml", "entries:\n  - id: x\n    cs: [unclosed\n")
    [problem] = problems_of(tmp_path)
    assert problem.startswith(f"{path}:") and "invalid YAML" in problem


def test_every_problem_is_listed_not_just_the_first(tmp_path: Path) -> None:
    write(tmp_path, "a.yml", "entries:\n  - tags: [a]\n  - id: y\n    en: {question: Q}\n")
    problems = problems_of(tmp_path)
    assert any("has no `id`" in p for p in problems)
    assert any("`y.en` has no `answer`" in p for p in problems)
    assert len(problems) == 2  # y lacking cs, pl and lv is work to do, not an error


def with_link(link: str) -> str:
    """A file whose one entry has `link` on line 4 (as a double-quoted YAML string, so escapes such as \\t work)."""
    return "entries:\n" + GOOD_ENTRY.format(id="x").replace("    tags: [delivery]\n", f"    tags: [delivery]\n    link: {link}\n")


@pytest.mark.parametrize("link", ['"javascript:alert(document.cookie)"', '" JaVaScRiPt:alert(1)"', '"java\\tscript:alert(1)"',
                                  '"data:text/html,<script>alert(1)</script>"', '"vbscript:msgbox(1)"', '"domovo.example/doprava"'])
def test_a_link_a_page_must_not_follow_is_reported_with_its_line(tmp_path: Path, link: str) -> None:
    """The widget and the console make the link clickable: only web and e-mail addresses may get there from git."""
    path = write(tmp_path, "a.yml", with_link(link))
    [problem] = problems_of(tmp_path)
    assert problem.startswith(f"{path}:4:") and "`x.link`" in problem and "https://" in problem


@pytest.mark.parametrize("link", ["https://domovo.example/doprava", "http://domovo.example", "mailto:podpora@domovo.example", "/pomoc/doprava"])
def test_web_and_email_links_and_paths_on_the_shops_site_load(tmp_path: Path, link: str) -> None:
    write(tmp_path, "a.yml", with_link(f'"{link}"'))
    [entry] = load_content(tmp_path).entries
    assert entry.link == link

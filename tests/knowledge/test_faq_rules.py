"""The FAQ rules are written once: an entry the editor page refuses is refused in a file too, by `shopbot-kb
validate`, with the same reason, the file and the line of the field at fault."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from knowledge.cli import main
from knowledge.editing import FaqEditor, InvalidEdit
from knowledge.faq import load_faq_file

GOOD: dict[str, Any] = {"id": "pickup", "cs": {"question": "Můžu si zboží vyzvednout osobně?", "alternatives": ["Osobní odběr?"],
                                               "answer": "Ano, na prodejně v Brně."}}
# Each case: what the entry breaks, the change that breaks it, and the key on the line the problem must point at.
BROKEN: dict[str, tuple[dict[str, Any], str]] = {
    "id format": ({"id": "Osobni_Odber"}, "id"),
    "id length": ({"id": "o" * 161}, "id"),
    "link scheme": ({"link": "javascript:alert(1)"}, "link"),
    "link length": ({"link": "https://domovo.example/" + "a" * 500}, "link"),
    "question length": ({"cs": {**GOOD["cs"], "question": "Q" * 501}}, "question"),
    "answer length": ({"cs": {**GOOD["cs"], "answer": "A" * 20_001}}, "answer"),
    "a phrasing twice": ({"cs": {**GOOD["cs"], "alternatives": ["Osobní odběr?", "osobní ODBĚR?"]}}, "alternatives"),
}


def faq_file(entry: dict[str, Any]) -> str:
    """The entry as an editor writes it by hand: one key a line (JSON strings are YAML strings)."""
    lines = ["entries:", f"  - id: {json.dumps(entry['id'])}"]
    if "link" in entry:
        lines.append(f"    link: {json.dumps(entry['link'])}")
    lines += ["    cs:", f"      question: {json.dumps(entry['cs']['question'], ensure_ascii=False)}",
              "      alternatives:", *(f"        - {json.dumps(a, ensure_ascii=False)}" for a in entry["cs"]["alternatives"]),
              f"      answer: {json.dumps(entry['cs']['answer'], ensure_ascii=False)}"]
    return "\n".join(lines) + "\n"


def validate(root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """`shopbot-kb validate` on `root`: its exit code and what it printed for the editor."""
    monkeypatch.setenv("SHOPBOT_CONTENT_DIR", str(root))
    try:
        main(["validate"])
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "knowledge"
    (root / "faq").mkdir(parents=True)
    (root / "shop.yml").write_text("name: Kuchyně Kovář\nlanguages: [cs]\n", encoding="utf-8")
    return root


def test_the_good_entry_passes_both(content: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    (content / "faq" / "pickup.yml").write_text(faq_file(GOOD), encoding="utf-8")
    assert validate(content, monkeypatch, capsys)[0] == 0
    FaqEditor(content, languages=["cs"]).save({**GOOD, "id": "pickup-brno"}, version=None, file="brno.yml")


@pytest.mark.parametrize("case", BROKEN, ids=str)
def test_an_entry_the_editor_refuses_is_refused_in_a_file_with_the_same_reason_and_its_line(
        case: str, content: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    change, key = BROKEN[case]
    entry = {**GOOD, **change}
    with pytest.raises(InvalidEdit) as refused:
        FaqEditor(content, languages=["cs"]).save(entry, version=None, file="pickup.yml")
    [problem] = refused.value.problems
    text = faq_file(entry)
    path = content / "faq" / "pickup.yml"
    path.write_text(text, encoding="utf-8")
    line = next(number for number, written in enumerate(text.splitlines(), start=1) if written.lstrip(" -").startswith(f"{key}:"))
    code, printed = validate(content, monkeypatch, capsys)
    assert code == 1
    assert f"{path}:{line}: `{entry['id']}.{problem.field}`: {problem.message}" in printed


def test_a_link_in_an_entry_with_another_fault_is_never_kept(content: Path) -> None:
    """Its values are checked once the entry's shape is fixed; until then a `javascript:` link must not reach a page."""
    path = content / "faq" / "pickup.yml"
    path.write_text(faq_file({**GOOD, "link": "javascript:alert(1)"}).replace("    cs:\n", "    tags: delivery\n    cs:\n"), encoding="utf-8")
    [entry], [problem] = load_faq_file(path)
    assert entry.link is None and "`tags` must be a list" in problem.message

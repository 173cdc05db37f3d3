"""`shopbot-kb import` and `export` as a support lead runs them: a shop's FAQ from its exports and help pages, a CSV
for translators and back; nothing of an editor's is overwritten without saying so, and what is left out is told why."""
from __future__ import annotations

import csv
import difflib
import functools
import http.server
import io
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import Workbook

from api.settings import ROOT
from knowledge.cli import main
from knowledge.content import load_content
from knowledge.entries import Entry

FIXTURES = ROOT / "tests" / "fixtures" / "import"

# A shop that writes in Czech, as its editors keep the file (comments, blank lines between entries).
FAQ = """\
# Delivery and returns (a comment the editors keep)
entries:
  - id: shipping-cost
    cs:
      question: Kolik stojí poštovné?
      alternatives:
        - Jaké je poštovné?
      answer: >-
        Zásilkovna stojí 79 Kč, kurýr PPL 129 Kč. Při nákupu nad 1 500 Kč posíláme zdarma.

  - id: returns
    cs:
      question: Můžu zboží vrátit?
      answer: Neotevřené zboží můžete vrátit do 14 dnů od převzetí.
    en:
      question: Can I return goods?
      answer: Unopened goods can be returned within 14 days of receipt.

  - id: phone-orders
    cs:
      question: Můžu objednat po telefonu?
      answer: "+420 777 000 000, ve všední dny od 9 do 17 hodin."
"""


@pytest.fixture
def content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "knowledge"
    (root / "faq").mkdir(parents=True)
    (root / "faq" / "delivery.yml").write_text(FAQ, encoding="utf-8")
    (root / "shop.yml").write_text("name: Kuchyně Kovář\n", encoding="utf-8")
    monkeypatch.setenv("SHOPBOT_CONTENT_DIR", str(root))
    return root


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """The CLI with these arguments, as `shopbot-kb ...` runs it: exit code, standard output, standard error."""
    try:
        main(list(argv))
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def entries(root: Path) -> dict[str, Entry]:
    return {entry.id: entry for entry in load_content(root).entries}


def write_csv(path: Path, rows: list[list[str]], delimiter: str = ",", encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as out:
        csv.writer(out, delimiter=delimiter).writerows(rows)
    return path


def removed_lines(before: str, after: str) -> list[str]:
    return [line for line in difflib.ndiff(before.splitlines(), after.splitlines()) if line.startswith("- ")]


def test_a_translated_export_fills_the_missing_languages_and_leaves_the_rest_as_it_was(content: Path, tmp_path: Path,
                                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    exported = tmp_path / "to-translate.csv"
    code, _, err = run(capsys, "export", "--out", str(exported), "--languages", "cs,en")
    assert code == 0 and "6 row(s)" in err and "2 to translate" in err
    assert exported.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with the BOM
    with exported.open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    missing = {row["id"]: row for row in rows if not row["answer"]}
    assert set(missing) == {"shipping-cost", "phone-orders"} and {row["language"] for row in missing.values()} == {"en"}
    assert missing["shipping-cost"]["source_language"] == "cs" and missing["shipping-cost"]["source_question"] == "Kolik stojí poštovné?"

    # The translator fills one row in Excel, which saves with semicolons in a Czech locale, and leaves the other.
    missing["shipping-cost"].update(question="How much is postage?", answer="Zásilkovna costs 79 CZK, the PPL courier 129 CZK.")
    translated = tmp_path / "translated.csv"
    write_csv(translated, [list(rows[0])] + [list(row.values()) for row in rows], delimiter=";", encoding="utf-8-sig")
    before = (content / "faq" / "delivery.yml").read_text(encoding="utf-8")

    code, out, _ = run(capsys, "import", str(translated))
    assert code == 0, out
    assert "Languages added (1): shipping-cost en" in out and "1 row(s) without a question and an answer" in out
    after = (content / "faq" / "delivery.yml").read_text(encoding="utf-8")
    assert removed_lines(before, after) == []  # comments, alternatives, quoting: everything the editors wrote stays
    loaded = entries(content)
    assert loaded["shipping-cost"].texts["en"].question == "How much is postage?"
    assert loaded["shipping-cost"].texts["cs"].alternatives == ("Jaké je poštovné?",)
    assert loaded["phone-orders"].texts["cs"].answer == "+420 777 000 000, ve všední dny od 9 do 17 hodin."
    assert "en" not in loaded["phone-orders"].texts
    assert list(loaded["shipping-cost"].texts) == ["cs", "en"]


def test_cells_a_spreadsheet_would_run_are_exported_as_text_and_come_back_as_written(content: Path, tmp_path: Path,
                                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    path = content / "faq" / "delivery.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("question: Můžu zboží vrátit?", 'question: "=HYPERLINK(\\"http://evil.example\\")"'),
                    encoding="utf-8")
    exported = tmp_path / "all.csv"
    assert run(capsys, "export", "--out", str(exported))[0] == 0
    with exported.open(encoding="utf-8-sig", newline="") as file:
        cells = {(row["id"], row["language"]): row for row in csv.DictReader(file)}
    assert cells[("phone-orders", "cs")]["answer"] == "'+420 777 000 000, ve všední dny od 9 do 17 hodin."
    assert cells[("returns", "cs")]["question"] == "'=HYPERLINK(\"http://evil.example\")"
    assert cells[("phone-orders", "en")]["source_answer"].startswith("'+420")
    before = path.read_text(encoding="utf-8")
    code, out, _ = run(capsys, "import", str(exported))
    assert code == 0 and "Nothing to write" in out and "4 text(s) the content already has word for word" in out
    assert path.read_text(encoding="utf-8") == before


def test_an_editors_text_is_kept_and_said_so_and_replace_overwrites_it_saying_what_it_was(content: Path, tmp_path: Path,
                                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    source = write_csv(tmp_path / "shop-export.csv", [
        ["ID", "Language", "Question", "Answer"],
        ["returns", "cs", "Můžu zboží vrátit?", "Ano, do 30 dnů."],
        ["returns", "pl", "Czy mogę zwrócić towar?", "Tak, w ciągu 14 dni."],
    ])
    path = content / "faq" / "delivery.yml"
    before = path.read_text(encoding="utf-8")
    code, out, _ = run(capsys, "import", str(source))
    assert code == 0
    assert "Kept the editor's text for returns cs (shop-export.csv row 2 differs): use --replace to overwrite it" in out
    assert "Languages added (1): returns pl" in out
    assert entries(content)["returns"].texts["cs"].answer == "Neotevřené zboží můžete vrátit do 14 dnů od převzetí."
    assert removed_lines(before, path.read_text(encoding="utf-8")) == []

    only_conflicts = write_csv(tmp_path / "conflict.csv", [["id", "language", "question", "answer"], ["returns", "en", "Returns?", "Within 30 days."]])
    code, out, err = run(capsys, "import", str(only_conflicts))
    assert code == 1 and "Kept the editor's text for returns en" in out and "Nothing imported" in err

    code, out, _ = run(capsys, "import", str(only_conflicts), "--replace")
    assert code == 0
    assert "Replaced the text of returns en with conflict.csv row 2; it was: Can I return goods? / Unopened goods can be returned" in out
    assert entries(content)["returns"].texts["en"] == entries(content)["returns"].texts["en"].__class__("Returns?", "Within 30 days.")


def test_what_cannot_be_imported_is_reported_with_its_row_and_reason_and_the_rest_is_imported(content: Path, tmp_path: Path,
                                                                                              capsys: pytest.CaptureFixture[str]) -> None:
    source = write_csv(tmp_path / "faq.csv", [
        ["otázka", "odpověď", "jazyk", "kategorie", "odkaz", "poznámka"],
        ["Kolik stojí dárkové balení?", "Dárkové balení stojí 49 Kč.", "cs", "Dárky", "https://caj.example/darky", "ok"],
        ["Mohu platit kartou?", "", "cs", "", "", ""],
        ["", "Ano, kartou i převodem.", "cs", "", "", ""],
        ["Liefern Sie nach Deutschland?", "Ja.", "de", "", "", ""],
        ["Jak dlouho trvá doručení?", "Do dvou dnů." + " a" * 10_000, "cs", "", "", ""],
        ["Kde vás najdu?", "Na Smetanově náměstí v Litomyšli.", "cs", "", "javascript:alert(1)", ""],
        ["Kolik stojí dárkové balení?", "Dárkové balení je za 49 Kč.", "cs", "", "", ""],
        ["Prodáváte poukázky?", "Ano, v hodnotě 500 Kč", "cs", "", "", "", "1000 Kč"],
        ["123?", "456.", "", "", "", ""],
    ])
    code, out, _ = run(capsys, "import", str(source))
    assert code == 0, out
    assert "faq.csv: columns not read: poznámka" in out
    for line in ["faq.csv row 3: the question has no answer", "faq.csv row 4: the answer has no question",
                 "faq.csv row 5: unknown language 'de': the bot serves cs, pl, lv and en",
                 "faq.csv row 6: answer: 20012 characters, at most 20000: shorten it",
                 "faq.csv row 7: link: a link starts with https://, http:// or mailto:",
                 "faq.csv row 8: the same question as faq.csv row 2",
                 "faq.csv row 9: 7 cells, but the header has 6 columns",
                 "faq.csv row 10: could not tell its language: add a language column, or give --language"]:
        assert line in out
    assert "New entries (1): kolik-stoji-darkove-baleni" in out
    gift = entries(content)["kolik-stoji-darkove-baleni"]
    assert gift.path.name == "darky.yml" and gift.link == "https://caj.example/darky" and list(gift.texts) == ["cs"]


def test_a_workbook_with_a_sheet_per_language_and_columns_per_language(content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    workbook = Workbook()
    polish = workbook.active
    assert polish is not None
    polish.title = "pl"
    polish.append(["Pytanie", "Odpowiedź", "Kategoria"])
    polish.append(["Ile kosztuje wysyłka do Polski?", "Wysyłka do Polski kosztuje 149 CZK.", "Dostawa"])
    polish.append([None, None, None])
    polish.append(["Czy można zapłacić przy odbiorze?", "Tak, za pobraniem (39 CZK).", "Dostawa"])
    wide = workbook.create_sheet("Gift vouchers")
    wide.append(["id", "question_cs", "answer_cs", "question_en", "answer_en", "topic"])
    wide.append([12, "Prodáváte dárkové poukázky?", "Ano, na 500 a 1 000 Kč.", "Do you sell gift vouchers?", "Yes, for 500 and 1,000 CZK.",
                 "Gifts"])
    wide.append([None, "Jak dlouho platí poukázka?", "Rok od nákupu.", "How long is a voucher valid?", "", "Gifts"])
    workbook.create_sheet("Notes").append(["Exported 2026-11-30 from the old helpdesk"])
    path = tmp_path / "faq.xlsx"
    workbook.save(path)

    code, out, _ = run(capsys, "import", str(path))
    assert code == 0, out
    assert "faq.xlsx, sheet 'Gift vouchers' row 3 (en): the question has no answer" in out
    assert "no question and answer columns" in out and "sheet left out" in out  # the Notes sheet
    loaded = entries(content)
    shipping = loaded["ile-kosztuje-wysylka-do-polski"]
    assert list(shipping.texts) == ["pl"] and shipping.path.name == "dostawa.yml"
    assert loaded["czy-mozna-zaplacic-przy-odbiorze"].texts["pl"].answer == "Tak, za pobraniem (39 CZK)."
    voucher = loaded["12"]
    assert voucher.texts["cs"].question == "Prodáváte dárkové poukázky?" and voucher.texts["en"].answer == "Yes, for 500 and 1,000 CZK."
    assert voucher.path.name == "gifts.yml"
    assert list(loaded["jak-dlouho-plati-poukazka"].texts) == ["cs"]


def test_a_saved_faq_page_with_an_accordion_and_question_headings(content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "import", str(FIXTURES / "caste-dotazy.html"))
    assert code == 0, out
    assert 'caste-dotazy.html: "Posíláte i na Slovensko?": the question has no answer' in out
    assert "kolik-stoji-postovne" not in out  # the same question as the editors' shipping-cost: matched, not added
    loaded = entries(content)
    new = {entry_id: entry for entry_id, entry in loaded.items() if entry_id not in ("shipping-cost", "returns", "phone-orders")}
    assert {entry_id: entry.path.name for entry_id, entry in new.items()} == {
        "jak-mohu-zaplatit": "doprava-a-platba.yml", "za-jak-dlouho-mi-zbozi-prijde": "doprava-a-platba.yml",
        "jakou-teplotu-ma-mit-voda-na-zeleny-caj": "caj-a-priprava.yml", "jak-skladovat-sypany-caj": "caj-a-priprava.yml"}
    payment = new["jak-mohu-zaplatit"]
    assert payment.texts["cs"].answer == "Platit můžete: • kartou online, • bankovním převodem, • na dobírku (+ 39 Kč)."
    assert payment.link == "https://caj-drak.example/caste-dotazy#platba"  # the page's own address, kept by the saved copy
    assert new["jak-skladovat-sypany-caj"].texts["cs"].answer == (
        "V dobře uzavřené plechovce, v suchu a temnu, mimo koření a silné vůně. Zelený čaj tak vydrží asi rok.")
    assert "Link of shipping-cost set from" in out and loaded["shipping-cost"].link == "https://caj-drak.example/caste-dotazy#postovne"
    everything = " ".join(text.answer for entry in new.values() for text in entry.texts.values())
    assert "Košík" not in everything and "Odebírejte" not in everything and "Obchodní podmínky" not in everything


def test_a_markdown_faq_with_headings_under_an_faq_heading_and_bold_questions(content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "import", str(FIXTURES / "biezak-uzdotie-jautajumi.md"), "--topic", "ziedi")
    assert code == 0, out
    assert "biezak-uzdotie-jautajumi.md line 18: the question has no answer below it" in out
    new = {e.id: e for e in load_content(content).entries if e.path.name != "delivery.yml"}
    assert {e.texts["lv"].question: e.path.name for e in new.values()} == {
        "Cik maksā piegāde Liepājā": "piegade.yml", "Vai varu izvēlēties precīzu piegādes laiku?": "piegade.yml",
        "Vai ziedus var atgriezt?": "atgriesana-un-sudzibas.yml", "Kā iesniegt sūdzību?": "atgriesana-un-sudzibas.yml",
        "Kontakti": "ziedi.yml"}
    assert new["cik-maksa-piegade-liepaja"].texts["lv"].answer == (
        "Piegāde Liepājas pilsētā maksā 5 EUR. Piegādājam: • darba dienās no 9 līdz 18, • sestdienās no 10 līdz 14.")
    assert new["vai-ziedus-var-atgriezt"].texts["lv"].answer.startswith("Nē. Ziedi un augi")
    assert all(list(e.texts) == ["lv"] for e in new.values())  # told by lingua: the file names no language


def test_a_dry_run_shows_the_change_and_writes_nothing(content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = {p.name: p.read_text(encoding="utf-8") for p in (content / "faq").iterdir()}
    code, out, _ = run(capsys, "import", str(FIXTURES / "caste-dotazy.html"), "--dry-run")
    assert code == 0
    assert "Would write knowledge/faq/doprava-a-platba.yml (new file)" in out
    assert "+  - id: jak-mohu-zaplatit" in out and "+    link: https://caj-drak.example/caste-dotazy#postovne" in out
    assert {p.name: p.read_text(encoding="utf-8") for p in (content / "faq").iterdir()} == before


def test_an_unreadable_file_stops_the_import_with_what_to_do(content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.csv"
    broken.write_text('question,answer,language\nKolik stojí doprava?,79 Kč,cs\n"Jak zaplatit?,Kartou,cs\nKde jste?,V Brně,cs\n',
                      encoding="utf-8")
    before = (content / "faq" / "delivery.yml").read_text(encoding="utf-8")
    code, _, err = run(capsys, "import", str(FIXTURES / "caste-dotazy.html"), str(broken))
    assert code == 1
    assert "broken.csv row 3 (line 3): a quote (\") opens a text that never ends" in err
    assert sorted(p.name for p in (content / "faq").iterdir()) == ["delivery.yml"]  # the readable page was not imported alone
    assert (content / "faq" / "delivery.yml").read_text(encoding="utf-8") == before

    windows = tmp_path / "windows.csv"
    windows.write_bytes("question;answer\nKolik stojí doprava?;79 Kč\n".encode("cp1250"))
    code, _, err = run(capsys, "import", str(windows))
    assert code == 1 and "windows.csv line 2: the CSV file is not UTF-8 text" in err and "CSV UTF-8" in err

    no_columns = write_csv(tmp_path / "orders.csv", [["order", "total"], ["1001", "499"]])
    code, _, err = run(capsys, "import", str(no_columns))
    assert code == 1 and "orders.csv row 1: no question and answer columns (found 'order', 'total')" in err

    code, _, err = run(capsys, "import", str(tmp_path / "missing.csv"))
    assert code == 1 and "missing.csv: no such file" in err


def test_nothing_importable_exits_non_zero(content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_csv(tmp_path / "faq.csv", [["question", "answer", "language"], ["Mohu platit kartou?", "", "cs"]])
    code, out, err = run(capsys, "import", str(source))
    assert code == 1 and "faq.csv row 2: the question has no answer" in out and "Nothing imported" in err


@pytest.fixture
def shop_site() -> Iterator[str]:
    """A real HTTP server on loopback serving the fixture pages, as the shop's site would."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(FIXTURES))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.slow
def test_importing_a_pages_address_from_the_command_line(content: Path, shop_site: str) -> None:
    """Run as a person runs it, in its own process; the page comes from a local server."""
    env = {**os.environ, "SHOPBOT_CONTENT_DIR": str(content)}
    command = [sys.executable, "-m", "knowledge.cli", "import", f"{shop_site}/caste-dotazy.html"]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert "New entries (4)" in result.stdout
    assert entries(content)["jak-mohu-zaplatit"].link == "https://caj-drak.example/caste-dotazy#platba"

    missing = subprocess.run([*command[:-1], f"{shop_site}/no-such-page.html"], cwd=ROOT, env=env, capture_output=True, text=True,
                             timeout=120, check=False)
    assert missing.returncode == 1 and "the server answered 404" in missing.stderr


def test_reading_a_markdown_address_uses_the_servers_content_type(content: Path, shop_site: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "import", f"{shop_site}/biezak-uzdotie-jautajumi.md", "--language", "lv", "--dry-run")
    assert code == 0 and "Would write knowledge/faq/piegade.yml (new file)" in out
    assert "+  - id: cik-maksa-piegade-liepaja" in out


def test_an_import_into_a_shop_without_faq_files_yet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "knowledge"
    root.mkdir()
    monkeypatch.setenv("SHOPBOT_CONTENT_DIR", str(root))
    source = io.StringIO()
    csv.writer(source).writerows([["question", "answer"], ["How much is delivery?", "Delivery costs 3 EUR across Latvia."]])
    (tmp_path / "faq.csv").write_text(source.getvalue(), encoding="utf-8")
    code, out, _ = run(capsys, "import", str(tmp_path / "faq.csv"), "--language", "en")
    assert code == 0, out
    [entry] = load_content(root).entries
    assert entry.id == "how-much-is-delivery" and entry.path == root / "faq" / "imported.yml"


def test_a_definition_list_page_in_its_own_charset_and_a_page_that_declares_its_faq_for_search_engines(
        content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    polish = tmp_path / "pomoc.html"
    polish.write_bytes("""<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1250">
        <title>Pomoc</title></head><body><h1>Najczęściej zadawane pytania</h1>
        <dl><dt>Ile kosztuje wysyłka do Polski?</dt><dd>Wysyłka kurierem kosztuje 149 CZK.</dd>
            <dt>Czy mogę zapłacić przy odbiorze?</dt><dd>Tak, za pobraniem.</dd><dd>Dopłata wynosi 39 CZK.</dd></dl>
        </body></html>""".encode("cp1250"))
    rendered = tmp_path / "help.html"  # an accordion a script fills in: the saved copy has only what the page declares
    rendered.write_text("""<!DOCTYPE html><html lang="en"><head><script type="application/ld+json">
        {"@context": "https://schema.org", "@graph": [{"@type": "WebPage"}, {"@type": "FAQPage", "mainEntity": [
          {"@type": "Question", "name": "Do you ship to Latvia?", "acceptedAnswer": {"@type": "Answer",
           "text": "<p>Yes, with DPD in <b>3–5</b> working days.</p>"}}]}]}</script></head>
        <body><div id="faq-app"></div></body></html>""", encoding="utf-8")
    code, out, _ = run(capsys, "import", str(polish), str(rendered))
    assert code == 0, out
    loaded = entries(content)
    assert loaded["ile-kosztuje-wysylka-do-polski"].texts["pl"].answer == "Wysyłka kurierem kosztuje 149 CZK."
    assert loaded["czy-moge-zaplacic-przy-odbiorze"].texts["pl"].answer == "Tak, za pobraniem. Dopłata wynosi 39 CZK."
    assert loaded["do-you-ship-to-latvia"].texts["en"].answer == "Yes, with DPD in 3–5 working days."

"""`shopbot-kb export`: the FAQ as a CSV for translators, one row per entry and language.

A row for a language the entry lacks has an empty question and answer, and the entry's text in its first language
beside them (`source_*`), so the translator sees what to translate; `shopbot-kb import` of the filled file adds
those languages and leaves the texts the entry has alone. Every cell is spreadsheet-safe: a text that starts
with `=` or `-` opens in Excel as text, not as a formula, and comes back from the import as it was written.
Only the questions and answers travel: alternative phrasings stay with the editors.
"""
from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from contracts.languages import LANGUAGES
from knowledge.content import load_content
from knowledge.spreadsheets import spreadsheet_safe

COLUMNS = ("id", "topic", "language", "question", "answer", "link", "source_language", "source_question", "source_answer")


def export_csv(content_dir: Path, out: TextIO, *, languages: Sequence[str] = LANGUAGES, missing_only: bool = False) -> tuple[int, int]:
    """Write the CSV; returns (rows, rows still to translate). The content is validated first, as for every command."""
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    rows = missing = 0
    for entry in load_content(content_dir).entries:
        if entry.kind != "faq":
            continue
        source_language = next(iter(entry.texts))  # the loader puts the bot's languages first, in their order
        source = entry.texts[source_language]
        for lang in languages:
            text = entry.texts.get(lang)
            if text is None:
                row = (entry.id, entry.path.stem, lang, "", "", entry.link or "", source_language, source.question, source.answer)
                missing += 1
            elif missing_only:
                continue
            else:
                row = (entry.id, entry.path.stem, lang, text.question, text.answer, entry.link or "", "", "", "")
            writer.writerow([spreadsheet_safe(cell) for cell in row])
            rows += 1
    return rows, missing

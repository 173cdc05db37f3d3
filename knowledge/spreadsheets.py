"""Cells for spreadsheets: text that people wrote (customers, editors, translators) must stay text in Excel.

A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to Excel, LibreOffice and Google
Sheets (OWASP: CSV injection), so a customer's `=HYPERLINK(...)` could run in the admin's spreadsheet. The api's
CSV exports and the translators' FAQ export write every cell through `spreadsheet_safe`; the FAQ import reads
them back through `spreadsheet_text`, so an answer that starts with `-` comes back as it was written.
"""
from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """A text a spreadsheet would run as a formula, as text: a leading quote makes it one."""
    return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def spreadsheet_text(value: str) -> str:
    """The text `spreadsheet_safe` was given: its leading quote taken off again."""
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_STARTS) else value

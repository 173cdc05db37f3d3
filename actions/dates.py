"""Dates as customers read them in each language (a promised deadline must not be ambiguous)."""
from __future__ import annotations

from datetime import date

_EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December")


def format_date(day: date, language: str) -> str:
    if language == "cs":
        return f"{day.day}. {day.month}. {day.year}"
    if language == "pl":
        return f"{day.day:02d}.{day.month:02d}.{day.year}"
    if language == "lv":
        return f"{day.day:02d}.{day.month:02d}.{day.year}."
    return f"{day.day} {_EN_MONTHS[day.month - 1]} {day.year}"

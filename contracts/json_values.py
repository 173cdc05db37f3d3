"""Reading JSON that another process (or older code) wrote: wrong types count as absent, so an old row still loads."""
from __future__ import annotations

from typing import Any


class ContractError(ValueError):
    """A value outside a contract that our own code writes (a decision's action): a bug of the writer, not old data."""


def mapping(value: object) -> dict[str, Any]:
    """The value as a JSON object; anything else (None, a list, a string) as an empty one."""
    return value if isinstance(value, dict) else {}


def text(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) else None


def number(data: dict[str, Any], key: str) -> float | None:
    value = data.get(key)
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def flag(data: dict[str, Any], key: str) -> bool | None:
    value = data.get(key)
    return value if isinstance(value, bool) else None


def without_none(data: dict[str, Any]) -> dict[str, Any]:
    """The keys that hold something: what older code wrote and what readers expect."""
    return {key: value for key, value in data.items() if value is not None}

"""What a customer's own words give away that a person needs: the order number and the e-mail address.

Shared by the claim form (which asks for the order) and the handoff note (which shows both to the agent).
"""
from __future__ import annotations

import re

_ORDER_NUMBER = re.compile(r"(?<!\d)(\d{5,10})(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


def find_order_number(text: str) -> str | None:
    """Our order numbers have 5 to 10 digits (e.g. 31877); spaces or a '#' around them do not matter."""
    match = _ORDER_NUMBER.search(text)
    return match.group(1) if match else None


def find_email(text: str) -> str | None:
    """An e-mail address the customer wrote, so the agent can find them in the shop's records."""
    match = _EMAIL.search(text)
    return match.group(0) if match else None

"""The round trip's contracts (contracts/) load in Rasa's environment too (Python 3.10, pydantic 1), where bot/ runs.

Runs in .venv-rasa: `.venv-rasa/bin/python -m pytest bot/tests` (the main suite runs it for you).
"""
from __future__ import annotations

import json

from contracts.decisions import DecisionRecord, Source
from contracts.languages import LANGUAGES, language_code
from contracts.payloads import BotCustom


def test_the_contracts_read_back_in_rasas_python() -> None:
    custom = BotCustom(source=Source("delivery-cost", "Kolik stojí doprava?", 0.9), knowledge=DecisionRecord(query="doprava", decision="answer"))
    assert BotCustom.from_json(json.loads(json.dumps(custom.to_json()))) == custom
    assert LANGUAGES == ("cs", "pl", "lv", "en") and language_code("sk") == "sk" and language_code("Czech") is None

"""The action server's replies, checked by Rasa's RemoteAction with the schema compiled once (bot/action_response.py).

Runs in .venv-rasa: `.venv-rasa/bin/python -m pytest bot/tests` (the main suite runs it for you).
"""
from __future__ import annotations

from typing import Any

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from bot import action_response

REPLY = {  # what our api's action webhook answers a product question with
    "events": [{"event": "slot", "timestamp": None, "name": "last_answer", "value": "shipping-cost"}],
    "responses": [{"text": "Doprava na výdejní místo stojí 69 Kč.", "buttons": [{"title": "Reklamace", "payload": "/complain"}],
                   "custom": {"entry_id": "shipping-cost"}}],
}


@pytest.fixture
def action() -> RemoteAction:
    action_response.install()
    return RemoteAction("action_answer_question", EndpointConfig("http://127.0.0.1:5055/webhook"))


def test_a_valid_reply_is_accepted(action: RemoteAction) -> None:
    assert action._validate_action_result(REPLY) is True


@pytest.mark.parametrize("reply", [{"events": "not a list"}, {"events": [{"no_event_name": 1}]}, {"events": [{"event": "slot", "timestamp": "yesterday"}]}])
def test_an_invalid_reply_is_refused_with_rasas_own_error(action: RemoteAction, reply: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result(reply)


def test_the_schema_is_checked_once_not_on_every_reply(action: RemoteAction, monkeypatch: pytest.MonkeyPatch) -> None:
    checks: list[object] = []
    validator_class = type(action_response.reply_validator())
    original = validator_class.check_schema

    def counted(cls: type, schema: dict[str, Any], **kwargs: Any) -> None:
        checks.append(schema)
        original(schema, **kwargs)

    monkeypatch.setattr(validator_class, "check_schema", classmethod(counted))
    for _ in range(5):
        action._validate_action_result(REPLY)
    assert checks == []

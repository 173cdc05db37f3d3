"""Rasa's check of the action server's replies, with the reply schema checked once instead of on every action call.

Rasa 3.6 validates each reply of the action server (`RemoteAction._validate_action_result`) with
`jsonschema.validate`, which first checks the schema itself against JSON Schema's meta-schema, then compiles it,
on every call. Under load that self-check was about 45 % of Rasa's CPU (docs/benchmarks.md, "Profile"). Here the
schema is checked and compiled once; a valid reply is accepted as before, and an invalid one still goes through
Rasa's own method, so it is refused with exactly Rasa's error.
"""
from __future__ import annotations

from functools import cache
from typing import Any

from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction

_rasas_own = RemoteAction._validate_action_result


@cache
def reply_validator() -> Validator:
    """The reply schema, checked against its meta-schema once and compiled once."""
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """Accept a valid reply at once; leave an invalid one to Rasa's method, which raises its own ValidationError."""
    if reply_validator().is_valid(result):
        return True
    return _rasas_own(self, result)


def install() -> None:
    """Make every RemoteAction of this process use the compiled schema (called before Rasa starts serving)."""
    RemoteAction._validate_action_result = validate_action_result

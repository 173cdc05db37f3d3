"""A fuzz run of the public api from its own OpenAPI schema (schemathesis): whatever a client sends, never a 5xx.

It runs against `limited_api` (its own database, so the junk stays out of the other tests' figures). Every case
comes from a new client address, and conversation endpoints get a real conversation and its token, so that
bodies and parameters reach the handlers instead of stopping at the 401. Valid and invalid data both.
"""
from __future__ import annotations

import itertools

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err, Ok

EXAMPLES_PER_OPERATION = 12
_addresses = itertools.count(1)


def new_address() -> str:
    n = next(_addresses)
    return f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"


def fuzz(operation: schemathesis.APIOperation, mode: GenerationMode, base_url: str) -> bool:
    """Send generated requests to one operation; False when it has no input to get wrong (no invalid data)."""
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def run(case: schemathesis.Case) -> None:
        headers = {"X-Forwarded-For": new_address()}
        if "{conversation_id}" in case.path and case.path.startswith("/api/conversations"):
            created = httpx.post(f"{base_url}/api/conversations", json={"language": "lv"}, headers=headers).json()
            case.path_parameters = {**(case.path_parameters or {}), "conversation_id": created["id"]}
            headers["Authorization"] = f"Bearer {created['token']}"
        case.call_and_validate(base_url=base_url, headers=headers, checks=[not_a_server_error], timeout=60)

    try:
        run()
    except Unsatisfiable:
        if mode is GenerationMode.NEGATIVE:
            return False  # e.g. GET /api/health takes no parameters at all
        raise
    return True


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda mode: mode.value)
def test_no_request_makes_the_api_fail(limited_api: str, mode: GenerationMode) -> None:
    schema = schemathesis.openapi.from_url(f"{limited_api}/api/openapi.json")
    results = list(schema.get_all_operations())
    assert not [result.err() for result in results if isinstance(result, Err)]  # every operation in the schema is valid
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    assert len(operations) >= 30  # the whole api, not an empty schema
    fuzzed = [operation.label for operation in operations if fuzz(operation, mode, limited_api)]
    assert len(fuzzed) >= 20, fuzzed

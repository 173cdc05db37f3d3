"""What the integration tests share: every test here is marked `integration` (they start the real Rasa and api), and
the admin's console, signed in and online."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import Person
from tests.integration.chat import Console

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A file added here is an integration test without having to say so, so `-m "not integration"` skips it."""
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.integration)


@pytest.fixture
def alice(client: httpx.Client, admin: Person) -> Iterator[Console]:
    console = Console(client, admin.email, admin.password)
    yield console
    console.put("/api/agent/presence", {"presence": "away"})
    console.close()

"""Fixtures the integration tests share: the admin's console, signed in and online."""
from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import Person
from tests.integration.chat import Console


@pytest.fixture
def alice(client: httpx.Client, admin: Person) -> Iterator[Console]:
    console = Console(client, admin.email, admin.password)
    yield console
    console.put("/api/agent/presence", {"presence": "away"})
    console.close()

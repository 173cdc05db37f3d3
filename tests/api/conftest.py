"""A fresh, migrated database per test, on SQLite and on a real PostgreSQL: the api's own tables."""
from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.storage.db import make_engine, make_sessionmaker, migrate


@pytest.fixture(params=["sqlite", "postgresql"])
def sessions(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[async_sessionmaker[AsyncSession]]:
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres").new_database()
    else:
        url = f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
    migrate(url)
    engine = make_engine(url)
    yield make_sessionmaker(engine)
    asyncio.run(engine.dispose())

"""A fresh, migrated SQLite database per test: the api's own tables, no servers."""
from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.db import make_engine, make_sessionmaker, migrate


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[async_sessionmaker[AsyncSession]]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
    migrate(url)
    engine = make_engine(url)
    yield make_sessionmaker(engine)
    asyncio.run(engine.dispose())

"""The database holds transcripts, e-mail addresses and password hashes: other local users cannot read it (logs: tests/integration)."""
from __future__ import annotations

import asyncio
import stat
from pathlib import Path

from sqlalchemy import text

from api.storage.db import make_engine, migrate


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_and_its_journal_are_readable_by_this_user_only(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'var' / 'shopbot.db'}"
    migrate(url)

    async def modes_while_open() -> dict[str, int]:
        engine = make_engine(url)
        try:
            async with engine.connect() as connection:  # WAL mode: -wal and -shm exist while a connection is open
                await connection.execute(text("create table probe (x integer)"))
                return {p.name: mode(p) for p in (tmp_path / "var").glob("shopbot.db*")}
        finally:
            await engine.dispose()

    modes = asyncio.run(modes_while_open())
    assert set(modes) == {"shopbot.db", "shopbot.db-wal", "shopbot.db-shm"}
    assert modes == dict.fromkeys(modes, 0o600)


def test_a_database_an_earlier_version_left_world_readable_is_narrowed(tmp_path: Path) -> None:
    database = tmp_path / "shopbot.db"
    database.touch(mode=0o644)
    database.chmod(0o644)
    (tmp_path / "shopbot.db-wal").touch()
    (tmp_path / "shopbot.db-wal").chmod(0o644)
    migrate(f"sqlite+aiosqlite:///{database}")
    assert mode(database) == 0o600 and mode(tmp_path / "shopbot.db-wal") == 0o600


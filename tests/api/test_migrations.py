"""Migrations as replicas run them: at start-up, several at once on one PostgreSQL database."""
from __future__ import annotations

import asyncio
import subprocess

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text

from api.db import make_engine
from api.settings import ROOT
from runner.processes import API_PYTHON
from runner.servers import PostgresServer


def head() -> str:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "api" / "migrations"))
    current = ScriptDirectory.from_config(config).get_current_head()
    assert current is not None
    return current


async def version(url: str) -> list[str]:
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            return list((await connection.execute(text("SELECT version_num FROM alembic_version"))).scalars())
    finally:
        await engine.dispose()


def test_replicas_starting_together_migrate_a_fresh_database_once(postgres: PostgresServer) -> None:
    """Processes, as replicas are (Alembic's context is one per process)."""
    url = postgres.new_database()
    starts = [subprocess.Popen([str(API_PYTHON), "-c", f"from api.db import migrate; migrate({url!r})"], cwd=ROOT,
                               stderr=subprocess.PIPE, text=True) for _ in range(3)]
    for process in starts:
        _, errors = process.communicate(timeout=120)
        assert process.returncode == 0, errors[-3000:]  # none failed with "relation already exists"
    assert asyncio.run(version(url)) == [head()]

"""Database engine, sessions and migrations; built in the app factory, never at import time."""
from __future__ import annotations

import subprocess
import sys

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from api.settings import ROOT
from api.storage.private_files import private_sqlite_file


def make_engine(url: str) -> AsyncEngine:
    """An engine for `url`; SQLite gets a busy timeout and WAL so readers never block the writer."""
    private_sqlite_file(url)
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 15})

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return create_async_engine(url, pool_pre_ping=True)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def migrate(url: str, revision: str = "head") -> None:
    """Bring the schema to the newest Alembic revision, or to `revision` (blocking: call it from a worker thread)."""
    from alembic import command  # here, where it is used: the api migrates in a child process (`migrate_in_child`)
    from alembic.config import Config

    private_sqlite_file(url)
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "api" / "storage" / "migrations"))
    config.set_main_option("sqlalchemy.url", url)
    config.attributes["configure_logging"] = False
    command.upgrade(config, revision)


class MigrationError(RuntimeError):
    """The child process that migrates the schema failed; the message ends with its error output."""


def migrate_in_child(url: str) -> None:
    """`migrate(url)` in a short-lived Python of its own: Alembic and Mako (9 MiB) never stay in the api's memory.

    The URL goes through stdin, not the command line, where `ps` would show its password. Blocking: call it from a
    worker thread."""
    code = "import sys; from api.storage.db import migrate; migrate(sys.stdin.read())"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, input=url, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise MigrationError(f"migrating the database failed (exit code {done.returncode}):\n{done.stderr[-3000:]}")

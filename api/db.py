"""Database engine, sessions and migrations; built in the app factory, never at import time."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from api.private_files import private_file
from api.settings import ROOT

SQLITE_SIDECARS = ("-wal", "-shm", "-journal")  # SQLite gives them the database's mode; older ones are narrowed here


def _prepare_sqlite_file(url: str) -> None:
    """The database's folder, and the file itself readable by this user only: it holds transcripts, e-mails, password hashes."""
    path = url.split("///", 1)[-1] if url.startswith("sqlite") else ""
    if not path or path == ":memory:":
        return
    database = Path(path)
    database.parent.mkdir(parents=True, exist_ok=True)
    private_file(database)
    for sidecar in (database.with_name(database.name + suffix) for suffix in SQLITE_SIDECARS):
        if sidecar.exists():
            private_file(sidecar)


def make_engine(url: str) -> AsyncEngine:
    """An engine for `url`; SQLite gets a busy timeout and WAL so readers never block the writer."""
    _prepare_sqlite_file(url)
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
    _prepare_sqlite_file(url)
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "api" / "migrations"))
    config.set_main_option("sqlalchemy.url", url)
    config.attributes["configure_logging"] = False
    command.upgrade(config, revision)

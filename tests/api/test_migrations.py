"""Migrations as replicas run them: at start-up, several at once on one PostgreSQL database; and what they do to old data."""
from __future__ import annotations

import asyncio
import subprocess
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text

from api.settings import ROOT
from api.storage.db import make_engine, make_sessionmaker, migrate
from api.storage.models import Conversation, ConversationState, Handoff, Ticket, TicketKind
from runner.processes import API_PYTHON
from runner.servers import PostgresServer


def head() -> str:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "api" / "storage" / "migrations"))
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


@pytest.mark.slow
def test_replicas_starting_together_migrate_a_fresh_database_once(postgres: PostgresServer) -> None:
    """Processes, as replicas are (Alembic's context is one per process)."""
    url = postgres.new_database()
    starts = [subprocess.Popen([str(API_PYTHON), "-c", f"from api.storage.db import migrate; migrate({url!r})"], cwd=ROOT,
                               stderr=subprocess.PIPE, text=True) for _ in range(3)]
    for process in starts:
        _, errors = process.communicate(timeout=120)
        assert process.returncode == 0, errors[-3000:]  # none failed with "relation already exists"
    assert asyncio.run(version(url)) == [head()]


async def _stuck_chats(url: str) -> dict[str, str]:
    """Chats as the release before issue #22 left them: the ids by what happened to them."""
    engine = make_engine(url)
    now = datetime.now(UTC)
    chats = {name: uuid.uuid4().hex for name in ("ticketed", "waiting", "ticketed_before", "taken")}
    try:
        async with make_sessionmaker(engine)() as session:
            for name, conversation_id in chats.items():
                session.add(Conversation(id=conversation_id, token_hash="x" * 64, language="cs",
                                         state=ConversationState.agent if name == "taken" else ConversationState.waiting))
            await session.flush()
            for name, conversation_id in chats.items():
                session.add(Handoff(conversation_id=conversation_id, reason="requested", summary={}, requested_at=now - timedelta(minutes=10),
                                    email_requested_at=now - timedelta(minutes=10), taken_at=now if name == "taken" else None))
            # "ticketed" left an e-mail after asking; "ticketed_before" left one on an earlier request and now waits again
            for name, filed in (("ticketed", now - timedelta(minutes=5)), ("ticketed_before", now - timedelta(days=2)), ("taken", now)):
                session.add(Ticket(conversation_id=chats[name], kind=TicketKind.contact, email="jan@example.com", created_at=filed))
            await session.commit()
    finally:
        await engine.dispose()
    return chats


async def _states(url: str) -> dict[str, tuple[str, bool]]:
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(text("SELECT c.id, c.state, h.ended_at IS NOT NULL FROM conversations c JOIN handoffs h ON h.conversation_id = c.id"))
            return {conversation_id: (state, bool(ended)) for conversation_id, state, ended in rows}
    finally:
        await engine.dispose()


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_chats_left_waiting_after_an_email_ticket_leave_the_queue_on_upgrade(database: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """Issue #22: customers told "you can close this window" stayed in the queue, and agents could still take them."""
    url = request.getfixturevalue("postgres").new_database() if database == "postgresql" else f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    migrate(url, "0006")
    chats = asyncio.run(_stuck_chats(url))
    migrate(url)
    states = asyncio.run(_states(url))
    assert states[chats["ticketed"]] == ("closed", True)  # out of the queue; the next message reopens it for the bot
    assert states[chats["waiting"]] == ("waiting", False)  # asked for an e-mail, never left one: still waits for a person
    assert states[chats["ticketed_before"]] == ("waiting", False)
    assert states[chats["taken"]] == ("agent", False)

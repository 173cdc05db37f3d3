"""Agents: accounts with argon2-hashed passwords, and console sessions that expire."""
from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.domain_errors import Conflict, Forbidden, InvalidAgent, NotAuthenticated
from api.infra.tokens import hash_token, new_token
from api.storage.models import Agent, AgentSession, Presence, Role, as_utc

_hasher = PasswordHasher()
# argon2 takes ~0.15 s of a core and 64 MiB per call: off the event loop, and two at a time, whatever the number of sign-ins
_hashing = ThreadPoolExecutor(max_workers=2, thread_name_prefix="argon2")
MIN_PASSWORD_CHARS = 10
# Who may do what: each role includes the ones before it.
_RANK = {Role.agent: 0, Role.editor: 1, Role.admin: 2}


T = TypeVar("T")


async def _off_the_loop(work: Callable[..., T], *args: object) -> T:
    """Run argon2 in its own threads (it releases the GIL), so other requests are served meanwhile."""
    return await asyncio.get_running_loop().run_in_executor(_hashing, work, *args)


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise InvalidAgent(f"the password must have at least {MIN_PASSWORD_CHARS} characters")


async def create_agent(session: AsyncSession, *, email: str, name: str, password: str, role: Role = Role.agent) -> Agent:
    email = email.strip().lower()
    if "@" not in email or not name.strip():
        raise InvalidAgent("an agent needs an e-mail address and a name")
    check_password_strength(password)
    if await session.scalar(select(Agent).where(Agent.email == email)) is not None:
        raise Conflict(f"an agent with e-mail {email} exists already")
    agent = Agent(email=email, name=name.strip(), role=role, password_hash=await _off_the_loop(_hasher.hash, password))
    session.add(agent)
    await session.commit()
    return agent


@cache
def _dummy_hash() -> str:
    """A hash no password matches, made once: an unknown e-mail costs the same argon2 work as a known one."""
    return _hasher.hash(secrets.token_urlsafe(32))


def _verify(password_hash: str | None, password: str) -> None:
    """argon2's check against the agent's hash, or against the dummy when there is no such agent."""
    _hasher.verify(password_hash if password_hash is not None else _dummy_hash(), password)


async def sign_in(session: AsyncSession, *, email: str, password: str, ttl: timedelta,
                  presence: Presence | None = None) -> tuple[Agent, str, datetime]:
    """A new session token for the agent, or 401 with the same reason for a wrong e-mail and a wrong password.

    `presence` is the status to start with: the console signs in Available (an agent left Away from an earlier
    session would tell customers that nobody is online); None (the back office) leaves the status as it is.

    An unknown (or disabled) e-mail is verified against a dummy hash, so the answer takes as long as for a
    wrong password and the time does not tell which addresses are agents'.
    """
    agent = await session.scalar(select(Agent).where(Agent.email == email.strip().lower(), Agent.active.is_(True)))
    try:
        await _off_the_loop(_verify, agent.password_hash if agent is not None else None, password)
        if agent is None:
            raise VerificationError("unknown agent")
    except (VerificationError, InvalidHashError):
        raise NotAuthenticated("wrong e-mail or password") from None
    if _hasher.check_needs_rehash(agent.password_hash):
        agent.password_hash = await _off_the_loop(_hasher.hash, password)
    if presence is not None:
        agent.presence = presence
    token = new_token()
    expires = datetime.now(UTC) + ttl
    session.add(AgentSession(agent_id=agent.id, token_hash=hash_token(token), expires_at=expires))
    await session.commit()
    return agent, token, expires


async def agent_for_token(session: AsyncSession, token: str) -> Agent:
    row = await session.scalar(select(AgentSession).where(AgentSession.token_hash == hash_token(token)))
    if row is None or as_utc(row.expires_at) <= datetime.now(UTC):
        raise NotAuthenticated("the session has expired or does not exist: sign in again")
    agent = await session.get(Agent, row.agent_id)
    if agent is None or not agent.active:
        raise NotAuthenticated("this agent account is disabled")
    return agent


async def sign_out(session: AsyncSession, token: str) -> None:
    await session.execute(delete(AgentSession).where(AgentSession.token_hash == hash_token(token)))
    await session.commit()


def require_role(agent: Agent, role: Role) -> None:
    if _RANK[agent.role] < _RANK[role]:
        raise Forbidden(f"this needs the {role.value} role")


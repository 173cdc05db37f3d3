"""Agents' sign-in against a real database with the real argon2 hashing."""
from __future__ import annotations

import asyncio
import statistics
import time
from datetime import timedelta

import pytest

from api.agents import create_agent, sign_in
from api.errors import NotAuthenticated

EMAIL, PASSWORD = "eva@domovo.test", "Eva-secret-password"  # pragma: allowlist secret


async def _refused_after(sessions, email: str) -> float:  # type: ignore[no-untyped-def]
    """Seconds until a sign-in with a wrong password is refused."""
    async with sessions() as session:
        started = time.perf_counter()
        with pytest.raises(NotAuthenticated, match="wrong e-mail or password"):
            await sign_in(session, email=email, password="not-her-password", ttl=timedelta(hours=1))
        return time.perf_counter() - started


def test_an_unknown_email_is_refused_as_slowly_as_a_wrong_password(sessions) -> None:  # type: ignore[no-untyped-def]
    """Otherwise the time of the answer tells which e-mail addresses belong to agents."""
    async def timings() -> tuple[float, float]:
        async with sessions() as session:
            await create_agent(session, email=EMAIL, name="Eva", password=PASSWORD)
        await _refused_after(sessions, "nobody@domovo.test")  # the first call may set things up
        known = [await _refused_after(sessions, EMAIL) for _ in range(5)]
        unknown = [await _refused_after(sessions, "nobody@domovo.test") for _ in range(5)]
        return statistics.median(known), statistics.median(unknown)

    known, unknown = asyncio.run(timings())
    assert unknown > 0.6 * known, f"unknown e-mail {unknown * 1000:.1f} ms, wrong password {known * 1000:.1f} ms"

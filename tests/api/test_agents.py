"""Agents' sign-in against a real database with the real argon2 hashing."""
from __future__ import annotations

import asyncio
import statistics
import time
from datetime import timedelta

import pytest

from api.desk.agents import create_agent, sign_in
from api.domain_errors import NotAuthenticated

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


def test_sign_ins_leave_the_event_loop_free_for_other_requests(sessions) -> None:  # type: ignore[no-untyped-def]
    """Eight wrong passwords at once must not hold up every other request for the time argon2 takes them."""
    async def stall_and_one_sign_in() -> tuple[float, float]:
        async with sessions() as session:
            await create_agent(session, email=EMAIL, name="Eva", password=PASSWORD)
        one = await _refused_after(sessions, EMAIL)
        stalls: list[float] = []
        done = asyncio.Event()

        async def ticker() -> None:  # what a static GET or a chat message would feel meanwhile
            while not done.is_set():
                started = time.perf_counter()
                await asyncio.sleep(0.005)
                stalls.append(time.perf_counter() - started - 0.005)

        ticking = asyncio.create_task(ticker())
        await asyncio.gather(*(_refused_after(sessions, EMAIL) for _ in range(8)))
        done.set()
        await ticking
        return max(stalls), one

    stall, one = asyncio.run(stall_and_one_sign_in())
    # on the loop, every argon2 call stalls it for a whole sign-in (measured: 1.8 to 6 sign-ins' worth); in threads
    # the loop only waits for a share of the 2 cores the hashing takes, well under one sign-in even on a busy machine
    assert stall < one, f"the event loop stalled {stall * 1000:.0f} ms; one sign-in takes {one * 1000:.0f} ms"

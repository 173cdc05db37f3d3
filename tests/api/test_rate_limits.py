"""Rate limits as the api applies them: the `limits` library's moving window, counted in this process."""
from __future__ import annotations

import asyncio
import time

import pytest
from limits.aio.strategies import MovingWindowRateLimiter
from pydantic import ValidationError

from api.domain_errors import RateLimited
from api.infra import local_windows
from api.infra.local_windows import LocalWindowStorage
from api.infra.rate_limits import RateLimits, Rule, parse_rule
from api.settings import Settings
from api.web.errors import http_of


async def test_the_request_over_the_limit_is_refused_with_the_wait_and_other_customers_are_not_affected() -> None:
    limits = RateLimits({Rule.conversation_messages: "3/2second"})

    for _ in range(3):
        await limits.hit((Rule.conversation_messages, "alice"))
    with pytest.raises(RateLimited) as refused:
        await limits.hit((Rule.conversation_messages, "alice"))
    assert 1 <= refused.value.retry_after <= 2
    status, headers = http_of(RateLimited)  # what the edge answers with
    assert (status, headers(refused.value)) == (429, {"Retry-After": str(refused.value.retry_after)})
    assert "3 per 2 second" in refused.value.reason
    await limits.hit((Rule.conversation_messages, "bob"))  # another conversation has its own window
    await asyncio.sleep(2.1)
    await limits.hit((Rule.conversation_messages, "alice"))  # the window moved on


async def test_a_refused_request_counts_under_no_rule() -> None:
    """A message refused by the per-IP rule must not use up the conversation's allowance too."""
    limits = RateLimits({Rule.conversation_messages: "2/minute", Rule.ip_messages: "1/minute"})

    await limits.hit((Rule.conversation_messages, "c1"), (Rule.ip_messages, "203.0.113.1"))
    with pytest.raises(RateLimited):
        await limits.hit((Rule.conversation_messages, "c1"), (Rule.ip_messages, "203.0.113.1"))
    await limits.hit((Rule.conversation_messages, "c1"), (Rule.ip_messages, "203.0.113.2"))  # 2nd of 2 still free
    with pytest.raises(RateLimited):
        await limits.hit((Rule.conversation_messages, "c1"), (Rule.ip_messages, "203.0.113.3"))


async def test_a_rule_without_limits_never_refuses() -> None:
    limits = RateLimits({Rule.ip_logins: "1/minute"})

    for _ in range(50):
        await limits.hit((Rule.ip_messages, "198.51.100.7"))


def test_a_mistyped_limit_stops_the_api_from_starting_with_a_reason() -> None:
    with pytest.raises(ValidationError, match=r"(?s)rate_limit_ip_logins.*'ten a minute' is not a rate limit such as"):
        Settings(rate_limit_ip_logins="ten a minute")


async def test_the_local_counters_forget_expired_keys_and_leave_nothing_running(monkeypatch: pytest.MonkeyPatch) -> None:
    """A key per conversation and per address for an hour: the storage must forget them once their hits expire, and must
    not sweep them in the background (limits' own memory storage rescanned every key after every hit)."""
    storage = LocalWindowStorage()
    limiter = MovingWindowRateLimiter(storage)
    item = parse_rule("2/second")[0]
    running = asyncio.all_tasks()

    for n in range(500):
        assert await limiter.hit(item, f"conversation-{n}")
    assert len(storage) == 500
    assert asyncio.all_tasks() == running  # no sweep left running after a hit
    await asyncio.sleep(1.05)
    monkeypatch.setattr(local_windows, "SWEEP_EVERY_SECONDS", 0.0)
    assert await limiter.hit(item, "a new one")
    assert len(storage) == 1


async def test_the_local_counters_refuse_what_the_window_holds_and_say_when_it_frees() -> None:
    storage = LocalWindowStorage()
    limiter = MovingWindowRateLimiter(storage)
    item = parse_rule("3/minute")[0]

    assert [await limiter.hit(item, "ip") for _ in range(4)] == [True, True, True, False]
    stats = await limiter.get_window_stats(item, "ip")
    assert stats.remaining == 0 and 55 < stats.reset_time - time.time() <= 60
    await limiter.clear(item, "ip")
    assert await limiter.test(item, "ip")

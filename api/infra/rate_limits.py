"""Rate limits per customer and per IP address, so one client cannot flood the bot, Rasa or the sign-in.

Counting is the `limits` library's moving window; the counters live in this process by default
(`async+local://`, `api.infra.local_windows`), or in Redis (`SHOPBOT_RATE_LIMIT_STORAGE=async+redis://…`) so that api
replicas share them.
"""
from __future__ import annotations

import math
import time
from enum import Enum

from limits import RateLimitItem, parse_many
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from api.domain_errors import RateLimited
from api.infra.local_windows import LOCAL_SCHEME


class Rule(str, Enum):
    """What is counted, and per what key; each rule's limits are a setting named after it."""

    conversation_messages = "conversation_messages"  # per conversation
    ip_messages = "ip_messages"                      # per client IP, all its conversations together
    ip_conversations = "ip_conversations"            # new conversations per client IP
    ip_logins = "ip_logins"                          # sign-in attempts per client IP (password guessing)
    conversation_transcripts = "conversation_transcripts"  # transcripts e-mailed per conversation (never a mailing tool)


def parse_rule(text: str) -> list[RateLimitItem]:
    """`"20/minute;300/hour"` → limit items; raises ValueError naming the problem for settings validation."""
    return parse_many(text)


class RateLimits:
    """Checks and counts one request against a rule; over the limit raises RateLimited with the wait."""

    def __init__(self, rules: dict[Rule, str], storage: str = f"{LOCAL_SCHEME}://") -> None:
        self._rules = {rule: parse_rule(text) for rule, text in rules.items()}
        options = {"implementation": "redispy"} if storage.startswith("async+redis") else {}  # redis-py, already ours
        self._limiter = MovingWindowRateLimiter(storage_from_string(storage, **options))

    async def hit(self, *counted: tuple[Rule, str]) -> None:
        """Count one request under each (rule, key); if any window is full, nothing is counted and the wait is said."""
        items = [(item, rule.value, key) for rule, key in counted for item in self._rules.get(rule, [])]
        for item, *identifiers in items:
            if not await self._limiter.test(item, *identifiers):
                stats = await self._limiter.get_window_stats(item, *identifiers)
                raise RateLimited(retry_after=max(1, math.ceil(stats.reset_time - time.time())), limit=str(item))
        for item, *identifiers in items:
            await self._limiter.hit(item, *identifiers)

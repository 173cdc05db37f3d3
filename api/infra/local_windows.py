"""The rate limits' counters in this process: a `limits` storage whose cost does not grow with the number of keys.

`limits`' own `async+memory://` storage sweeps every key after every hit, with a hop to a worker thread per key. The
api keeps a key per conversation and per client address for an hour, so with ten thousand conversations that sweep
ran all the time: about half a core of CPU, whatever the traffic (docs/benchmarks.md, "Load"). Here a key's expired
hits are dropped when the key is used, and keys with no live hit are dropped by a sweep at most once a minute, in the
caller's own turn of the event loop (nothing here awaits, so no lock is needed on one event loop).
"""
from __future__ import annotations

import bisect
import time
from dataclasses import dataclass, field

from limits.aio.storage import MovingWindowSupport, Storage

SWEEP_EVERY_SECONDS = 60.0
LOCAL_SCHEME = "async+local"


@dataclass(slots=True)
class _Window:
    """One key's hit times, oldest first, and how long a hit counts."""

    expiry: float
    hits: list[float] = field(default_factory=list)

    def live(self, now: float) -> list[float]:
        """Drops the hits that no longer count, and returns those that do."""
        del self.hits[:bisect.bisect_right(self.hits, now - self.expiry)]
        return self.hits


class LocalWindowStorage(Storage, MovingWindowSupport):
    """Moving windows for `limits.aio.strategies.MovingWindowRateLimiter`, kept in this process (`async+local://`)."""

    STORAGE_SCHEME = [LOCAL_SCHEME]  # noqa: RUF012  (limits registers the class under the schemes it names here)

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: float | str | bool) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._windows: dict[str, _Window] = {}
        self._counters: dict[str, tuple[int, float]] = {}  # fixed windows: (count, when it expires)
        self._swept = time.time()

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return ValueError

    def __len__(self) -> int:
        """Keys held: what a sweep keeps bounded."""
        return len(self._windows) + len(self._counters)

    async def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        now = time.time()
        self._sweep(now)
        window = self._windows.setdefault(key, _Window(float(expiry)))
        hits = window.live(now)
        if len(hits) + amount > limit:
            return False
        hits.extend([now] * amount)
        del hits[:-limit]  # only the newest `limit` hits can ever refuse one
        return True

    async def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        now = time.time()
        window = self._windows.get(key)
        hits = window.live(now) if window else []
        return (hits[0], len(hits)) if hits else (now, 0)

    async def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        self._sweep(now)
        count, expires = self._counters.get(key, (0, now + expiry))
        if expires <= now:
            count, expires = 0, now + expiry
        self._counters[key] = (count + amount, expires)
        return count + amount

    async def get(self, key: str) -> int:
        count, expires = self._counters.get(key, (0, 0.0))
        return count if expires > time.time() else 0

    async def get_expiry(self, key: str) -> float:
        return self._counters.get(key, (0, time.time()))[1]

    async def check(self) -> bool:
        return True

    async def reset(self) -> int | None:
        held = len(self)
        self._windows.clear()
        self._counters.clear()
        return held

    async def clear(self, key: str) -> None:
        self._windows.pop(key, None)
        self._counters.pop(key, None)

    def _sweep(self, now: float) -> None:
        """Forgets the keys whose every hit has expired: a key per conversation would otherwise stay for good."""
        if now - self._swept < SWEEP_EVERY_SECONDS:
            return
        self._swept = now
        self._windows = {key: window for key, window in self._windows.items() if window.live(now)}
        self._counters = {key: counted for key, counted in self._counters.items() if counted[1] > now}

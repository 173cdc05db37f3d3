"""Keeps the product's processes running: a part that exits when nobody stopped it is started again, with backoff.

Customers lose nothing meanwhile: the api stores every message first and answers the ones Rasa could not take once
it is back (api/chat/pending.py), and the widget sends again what the api did not acknowledge, stored once (client_id).
"""
from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Backoff:
    """Waits of 1 s, 2 s, 4 s … at most `cap` before each restart of a part that keeps failing.

    A part that then stays healthy for `settle` seconds has recovered: its next failure waits `first` again.
    """

    first: float = 1.0
    cap: float = 30.0
    settle: float = 60.0

    def delay(self, failures: int) -> float:
        """The wait before the restart that follows the `failures`-th exit in a row (1, 2, …)."""
        return min(self.cap, self.first * 2 ** (failures - 1))


@dataclass
class Part:
    """One supervised process: how to start it, whether it answers, and where its output goes (said at each restart)."""

    name: str
    process: subprocess.Popen
    start: Callable[[], subprocess.Popen]
    healthy: Callable[[], bool]
    log: str
    healthy_since: float | None = None  # None until it answered since its last start
    held: bool = False  # stopped on purpose (a deliberate restart): left alone
    failures: int = 0  # exits in a row, without a settled healthy run between them
    restart_at: float | None = None
    down_since: float | None = None


@dataclass
class Supervisor:
    """Watches its parts from a thread of its own; `say` tells the operator each exit, restart and recovery."""

    parts: dict[str, Part]
    backoff: Backoff = field(default_factory=Backoff)
    say: Callable[[str], None] = field(default=lambda line: print(line, flush=True))
    every: float = 0.5
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="supervisor", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop watching, first thing at shutdown: the parts being stopped next must not be restarted."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.tick()

    def tick(self) -> None:
        """Look at every part once: note health, schedule a restart for one that exited, start one whose wait is over."""
        with self._lock:
            for part in self.parts.values():
                if not part.held and not self._stop.is_set():
                    self._look_at(part, time.monotonic())

    def _look_at(self, part: Part, now: float) -> None:
        code = part.process.poll()
        if code is None:
            self._note_health(part, now)
        elif part.restart_at is None:
            part.failures += 1
            part.restart_at = now + self.backoff.delay(part.failures)
            part.healthy_since = None
            part.down_since = part.down_since or now
            self.say(f"{part.name} exited with code {code} (its log: {part.log}); starting it again in "
                     f"{self.backoff.delay(part.failures):g} s (restart {part.failures} in a row)")
        elif now >= part.restart_at:
            part.restart_at = None
            part.process = part.start()

    def _note_health(self, part: Part, now: float) -> None:
        """A restarted part is back once it answers; the backoff starts afresh once it stayed up `settle` seconds."""
        if part.healthy_since is None:
            if part.healthy():
                part.healthy_since = now
                if part.down_since is not None:
                    self.say(f"{part.name} is back, {now - part.down_since:.0f} s after it exited")
                    part.down_since = None
        elif part.failures and now - part.healthy_since >= self.backoff.settle:
            part.failures = 0

    def hold(self, name: str) -> subprocess.Popen:
        """Leave the part alone (its caller stops it on purpose); its current process."""
        with self._lock:
            part = self.parts[name]
            part.held, part.restart_at = True, None
            return part.process

    def release(self, name: str) -> subprocess.Popen:
        """Start a held part again and watch it as before; its new process."""
        with self._lock:
            part = self.parts[name]
            part.process, part.held, part.healthy_since, part.down_since = part.start(), False, None, None
            return part.process

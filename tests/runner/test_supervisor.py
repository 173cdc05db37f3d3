"""The runner's supervisor on real processes: a part that exits is started again with growing waits, each restart said
with its exit code and log; a part that ran healthy long enough starts its backoff afresh; stopping and holding restart nothing."""
from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable

import pytest

from runner.supervisor import Backoff, Part, Supervisor

CRASH = [sys.executable, "-c", "import sys; sys.exit(3)"]
SERVE = [sys.executable, "-c", "import time; time.sleep(60)"]


class Starts:
    """Starts a real process for a part and keeps every one it started."""

    def __init__(self, command: list[str]) -> None:
        self.command = command
        self.processes: list[subprocess.Popen] = []

    def __call__(self) -> subprocess.Popen:
        self.processes.append(subprocess.Popen(self.command))
        return self.processes[-1]


@pytest.fixture
def said() -> list[str]:
    """What the supervisor told the operator."""
    return []


def supervised(command: list[str], said: list[str], backoff: Backoff) -> tuple[Supervisor, Starts]:
    """A part running `command`; it answers health checks while it runs, unless it is the one that crashes at once."""
    starts = Starts(command)
    part = Part("Rasa", starts(), start=starts, healthy=lambda: command is not CRASH, log="var/logs/rasa.log")
    return Supervisor({"Rasa": part}, backoff, say=said.append), starts


def tick_until(supervisor: Supervisor, done: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not done() and time.monotonic() < deadline:
        supervisor.tick()
        time.sleep(0.01)
    assert done(), "the supervisor did not get there"


def test_the_waits_double_from_one_second_up_to_thirty() -> None:
    assert [Backoff().delay(n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]


def test_a_part_that_keeps_exiting_is_started_again_with_growing_waits_each_one_said(said: list[str]) -> None:
    supervisor, starts = supervised(CRASH, said, Backoff(first=0.05, cap=0.2))
    tick_until(supervisor, lambda: len(said) == 4)
    assert said == [f"Rasa exited with code 3 (its log: var/logs/rasa.log); starting it again in {wait} s (restart {n} in a row)"
                    for n, wait in enumerate([0.05, 0.1, 0.2, 0.2], start=1)]
    assert len(starts.processes) == 4  # the first one and three restarts; the fourth is waiting


def test_a_part_that_stayed_healthy_long_enough_waits_the_first_delay_again(said: list[str]) -> None:
    supervisor, starts = supervised(SERVE, said, Backoff(first=0.05, cap=10, settle=0.3))
    part = supervisor.parts["Rasa"]
    for count in (2, 3, 4):  # three crashes in a row, each restarted
        starts.processes[-1].send_signal(signal.SIGKILL)
        tick_until(supervisor, lambda count=count: len(starts.processes) == count)  # type: ignore[misc]
    assert part.failures == 3 and said[-1].endswith("starting it again in 0.2 s (restart 3 in a row)")
    tick_until(supervisor, lambda: part.failures == 0)  # healthy for `settle` seconds
    assert "Rasa is back" in said[-1]
    starts.processes[-1].send_signal(signal.SIGKILL)
    tick_until(supervisor, lambda: said[-1].startswith("Rasa exited"))
    assert said[-1] == "Rasa exited with code -9 (its log: var/logs/rasa.log); starting it again in 0.05 s (restart 1 in a row)"
    for process in starts.processes:
        process.kill()
        process.wait()


def test_once_stopped_or_while_held_nothing_is_restarted(said: list[str]) -> None:
    """What Ctrl-C relies on: the runner stops the supervisor first, then the parts, and none comes back."""
    supervisor, starts = supervised(SERVE, said, Backoff(first=0.01))
    supervisor.start()
    supervisor.stop()
    starts.processes[0].kill()
    starts.processes[0].wait()
    supervisor.tick()
    time.sleep(0.1)
    supervisor.tick()

    held, held_starts = supervised(SERVE, said, Backoff(first=0.01))
    held.hold("Rasa").kill()
    held_starts.processes[0].wait()
    held.tick()
    time.sleep(0.1)
    held.tick()
    assert said == [] and len(starts.processes) == len(held_starts.processes) == 1
    assert held.release("Rasa").poll() is None and len(held_starts.processes) == 2
    held_starts.processes[-1].kill()
    held_starts.processes[-1].wait()

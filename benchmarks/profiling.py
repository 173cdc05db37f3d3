"""Where the time of one call goes, stage by stage, as a Markdown table: CPU time spent inside chosen functions.

CPU time, not wall-clock time: the machine is shared (load averages of 5-13 on 2 cores while these ran), and waiting for
a core is not what a stage costs.

Standard library only: the api's profile (`benchmarks.profile_search`, .venv) and Rasa's (`benchmarks.profile_rasa`,
.venv-rasa, Python 3.10) share it.
"""
from __future__ import annotations

import cProfile
import inspect
import pstats
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


def profiler() -> cProfile.Profile:
    """A profiler that counts this process's CPU time (all its threads)."""
    return cProfile.Profile(time.process_time)


def timed(call: Callable[[], object]) -> tuple[float, float]:
    """(wall-clock ms, CPU ms) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    call()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


@contextmanager
def stage_clock(stages: dict[str, tuple[Any, str]]) -> Iterator[dict[str, float]]:
    """CPU ms spent inside each stage's function (owner, attribute name; callees included) while the block runs, by
    wrapping the function: cProfile's overhead on every Python call multiplied the Python-heavy stages (cutting
    n-grams: 7.4 s profiled against 1.2 s) and distorted the split. Only for functions looked up when called; a stage
    the code lacks (an older commit, measured for comparison) stays at 0."""
    spent = dict.fromkeys(stages, 0.0)
    restore = []
    for label, (owner, name) in stages.items():
        if not hasattr(owner, name):
            continue
        original = inspect.getattr_static(owner, name)
        function = getattr(owner, name)

        def clocked(*args: Any, _function: Callable[..., Any] = function, _label: str = label, **kwargs: Any) -> Any:
            started = time.process_time()
            try:
                return _function(*args, **kwargs)
            finally:
                spent[_label] += (time.process_time() - started) * 1000

        setattr(owner, name, staticmethod(clocked) if isinstance(original, staticmethod) else clocked)
        restore.append((owner, name, original))
    try:
        yield spent
    finally:
        for owner, name, original in restore:
            setattr(owner, name, original)


def _key(function: Callable[..., Any]) -> tuple[str, int, str]:
    """cProfile's key of a Python function: where its code starts and its name (methods of one file stay apart)."""
    code = function.__code__
    return code.co_filename, code.co_firstlineno, code.co_name


def stage_ms(profile: cProfile.Profile, stages: dict[str, Callable[..., Any]], calls: int) -> dict[str, float]:
    """Milliseconds per call spent in each stage's function, callees included (cumulative time / `calls`)."""
    stats: dict[tuple[str, int, str], tuple[Any, ...]] = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    return {label: stats.get(_key(function), (0, 0, 0.0, 0.0))[3] * 1000 / calls for label, function in stages.items()}


def stage_table(total_label: str, total_ms: float, stages: dict[str, float]) -> str:
    """The stages with their share of the total, and what the named stages leave unaccounted for."""
    rows = ["| stage | ms per question | share |", "| --- | --- | --- |"]
    rows += [f"| {label} | {ms:.2f} | {ms / total_ms:.0%} |" for label, ms in stages.items() if ms]
    rest = total_ms - sum(stages.values())
    rows += [f"| everything else | {rest:.2f} | {rest / total_ms:.0%} |", f"| **{total_label}** | **{total_ms:.2f}** | 100% |"]
    return "\n".join(rows)


def percentiles(times: list[tuple[float, float]]) -> str:
    """p50 and p95 of (wall, CPU) milliseconds, as the docs write them."""

    def p50_p95(values: list[float]) -> str:
        ordered = sorted(values)
        return f"p50 {statistics.median(ordered):.1f} ms, p95 {ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]:.1f} ms"

    return f"{p50_p95([cpu for _, cpu in times])} CPU ({p50_p95([wall for wall, _ in times])} wall; n={len(times)})"

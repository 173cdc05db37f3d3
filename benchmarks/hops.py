"""A product question's latency through the public api, this code against an earlier checkout, side by side in one run.

    .venv/bin/python -m benchmarks.hops --before DIR [--rounds 60]

DIR is a checkout of the earlier code with its own trained model in DIR/var/models and `.venv`/`.venv-rasa` beside it
(e.g. `git archive <commit> | tar -x -C DIR`, the two environments linked, the model copied). Both products start on free
loopback ports with fresh databases (DIR's through its own `python -m runner`, as `make run` does); then the same
conversations (greeting, two questions the FAQ answers, thanks: benchmarks/load.py's) go to one and the other in turn,
one message at a time, so that both see the same neighbours on a shared machine. Only the two questions are timed.
"""
from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from benchmarks.load import LANGUAGES, SCRIPTS, start_product
from runner.processes import free_port


@contextmanager
def earlier_product(checkout: Path, var: Path) -> Iterator[str]:
    """The checkout's own `python -m runner` on free ports, `var` as its var directory; yields its base url."""
    port = free_port()
    env = {**os.environ, "SHOPBOT_VAR_DIR": str(var), "SHOPBOT_API_PORT": str(port), "SHOPBOT_RASA_PORT": str(free_port()),
           "SHOPBOT_MODELS_DIR": str(checkout / "var" / "models"), "SHOPBOT_CACHE_DIR": str(checkout / "var" / "cache" / "embeddings"),
           "SHOPBOT_WATCH_CONTENT": "false", "OMP_NUM_THREADS": "1"}
    with open(var / "runner.log", "w") as log:
        process = subprocess.Popen([str(checkout / ".venv" / "bin" / "python"), "-m", "runner"], cwd=checkout, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"the earlier product exited with code {process.returncode}; see {var / 'runner.log'}")
            try:
                if httpx.get(f"{url}/api/health", timeout=2.0).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(1.0)
        else:
            raise RuntimeError(f"the earlier product did not become healthy; see {var / 'runner.log'}")
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # its runner stops Rasa and the api it started
        process.wait(timeout=60)


def conversation(client: httpx.Client, language: str, address: int) -> list[float]:
    """One customer's script; the seconds each of its two FAQ questions took, reply included."""
    headers = {"X-Forwarded-For": f"10.8.{address >> 8 & 255}.{address & 255}"}  # one address per customer: per-IP limits as in production
    created = client.post("/api/conversations", json={"language": language}, headers=headers)
    created.raise_for_status()
    headers["Authorization"] = f"Bearer {created.json()['token']}"
    path = f"/api/conversations/{created.json()['id']}/messages"
    timed = []
    for number, text in enumerate(SCRIPTS[language]):
        started = time.perf_counter()
        response = client.post(path, json={"text": text, "client_id": uuid.uuid4().hex}, headers=headers)
        took = time.perf_counter() - started
        response.raise_for_status()
        if not response.json()["replies"]:
            raise RuntimeError(f"{text!r} got no reply: {response.json()}")
        if number in (1, 2):  # the FAQ questions (answered, or choices offered: the search decides either way)
            timed.append(took)
    return timed


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def compare(before: Path, rounds: int) -> str:
    with tempfile.TemporaryDirectory(prefix="shopbot-hops-") as tmp:
        (Path(tmp) / "before").mkdir()
        (Path(tmp) / "after").mkdir()
        print("starting both products (a minute or two)...", flush=True)
        with earlier_product(before, Path(tmp) / "before") as before_url, start_product(Path(tmp) / "after") as stack:
            urls = {"before": before_url, "after": stack.api_url}
            times: dict[str, list[float]] = {name: [] for name in urls}
            with httpx.Client(timeout=120.0) as client:
                for warm_up in range(2):  # first replies load lazily
                    for url in urls.values():
                        client.base_url = httpx.URL(url)
                        conversation(client, LANGUAGES[warm_up], 60000 + warm_up)
                for number in range(rounds):
                    order = list(urls) if number % 2 == 0 else list(reversed(urls))  # neither always goes first
                    for name in order:
                        client.base_url = httpx.URL(urls[name])
                        times[name] += conversation(client, LANGUAGES[number % len(LANGUAGES)], number)
    lines = ["| code | product questions | p50 ms | p95 ms | mean ms |", "| --- | --- | --- | --- | --- |"]
    for name, values in times.items():
        lines.append(f"| {name} | {len(values)} | {percentile(values, 0.5):.0f} | {percentile(values, 0.95):.0f} | "
                     f"{statistics.mean(values) * 1000:.0f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True, help="a checkout of the earlier code, with its trained model")
    parser.add_argument("--rounds", type=int, default=60, help="conversations per side (two timed questions each)")
    args = parser.parse_args()
    print(compare(args.before.resolve(), args.rounds))


if __name__ == "__main__":
    main()

"""A product question's latency through the public api, this code against an earlier checkout, side by side in one run;
with `--overhead`, also what the api adds over Rasa alone.

    .venv/bin/python -m benchmarks.hops --before DIR [--rounds 60]
    .venv/bin/python -m benchmarks.hops [--before DIR] --overhead [--rounds 60]

DIR is a checkout of the earlier code with its own trained model in DIR/var/models and `.venv`/`.venv-rasa` beside it
(e.g. `git archive <commit> | tar -x -C DIR`, the two environments linked, the model copied). Both products start on free
loopback ports with fresh databases (DIR's through its own `python -m runner`, as `make run` does); then the same
conversations (greeting, two questions the FAQ answers, thanks: benchmarks/load.py's) go to one and the other in turn,
one message at a time, so that both see the same neighbours on a shared machine. Only the two questions are timed.

`--overhead` times, per product, the api's path and then bare Rasa's (its REST channel, bot/channel.py, with the metadata
the api sends but no e5 vector; Rasa still calls the api's action webhook), the same conversation on both. Its two questions
come from the retrieval evaluation set, each asked in one round only, so that each path makes exactly one e5 call per
question: the api's path embeds in the api (Rasa gets the vector), bare Rasa embeds in Rasa, and the action's search finds
the vector the api's path has just left in the api's memory. (A repeated script would spare the api's path its e5 call; new
questions on bare Rasa alone would cost it two.)
"""
from __future__ import annotations

import argparse
import os
import secrets
import signal
import statistics
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from api.settings import ROOT
from benchmarks.load import LANGUAGES, SCRIPTS, fresh_questions, start_product
from runner.processes import free_port

EVAL_FILE = ROOT / "benchmarks" / "data" / "retrieval_eval.yml"
BARE = "bare Rasa"


@dataclass(frozen=True)
class Product:
    """A running product: its public api, and its Rasa server with the token the api uses."""

    api_url: str
    rasa_url: str
    rasa_token: str


@contextmanager
def earlier_product(checkout: Path, var: Path) -> Iterator[Product]:
    """The checkout's own `python -m runner` on free ports, `var` as its var directory."""
    port, rasa_port, token = free_port(), free_port(), secrets.token_urlsafe(32)
    env = {**os.environ, "SHOPBOT_VAR_DIR": str(var), "SHOPBOT_API_PORT": str(port), "SHOPBOT_RASA_PORT": str(rasa_port), "SHOPBOT_RASA_TOKEN": token,
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
        yield Product(url, f"http://127.0.0.1:{rasa_port}", token)
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # its runner stops Rasa and the api it started
        process.wait(timeout=60)


def conversation(client: httpx.Client, texts: list[str], language: str, address: int) -> list[float]:
    """One customer's conversation through the api (greeting, two questions, thanks); the seconds each question took, reply included."""
    headers = {"X-Forwarded-For": f"10.8.{address >> 8 & 255}.{address & 255}"}  # one address per customer: per-IP limits as in production
    created = client.post("/api/conversations", json={"language": language}, headers=headers)
    created.raise_for_status()
    headers["Authorization"] = f"Bearer {created.json()['token']}"
    path = f"/api/conversations/{created.json()['id']}/messages"
    timed = []
    for number, text in enumerate(texts):
        started = time.perf_counter()
        response = client.post(path, json={"text": text, "client_id": uuid.uuid4().hex}, headers=headers)
        took = time.perf_counter() - started
        response.raise_for_status()
        if not response.json()["replies"]:
            raise RuntimeError(f"{text!r} got no reply: {response.json()}")
        if number in (1, 2):  # the FAQ questions (answered, or choices offered: the search decides either way)
            timed.append(took)
    return timed


def bare_conversation(client: httpx.Client, product: Product, texts: list[str], language: str) -> list[float]:
    """The same conversation straight to Rasa's channel, with the metadata the api sends except the e5 vector."""
    sender, timed = uuid.uuid4().hex, []
    metadata = {"language": language, "returning": False, "agents_online": False, "shop_name": "Domovo"}
    for number, text in enumerate(texts):
        started = time.perf_counter()
        response = client.post(f"{product.rasa_url}/webhooks/shopbot/webhook", headers={"Authorization": f"Bearer {product.rasa_token}"},
                               json={"sender": sender, "message": text, "message_id": uuid.uuid4().hex, "metadata": metadata})
        took = time.perf_counter() - started
        response.raise_for_status()
        if not response.json():
            raise RuntimeError(f"{text!r} got no reply from Rasa")
        if number in (1, 2):
            timed.append(took)
    return timed


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


@contextmanager
def products(before: Path | None, tmp: Path) -> Iterator[dict[str, Product]]:
    """The earlier checkout's product (when given) and this code's, running side by side."""
    (tmp / "after").mkdir()
    print("starting the products (a minute or two)...", flush=True)
    with start_product(tmp / "after") as stack:
        after = Product(stack.api_url, stack.settings.rasa_url, stack.settings.rasa_token.get_secret_value())
        if before is None:
            yield {"after": after}
            return
        (tmp / "before").mkdir()
        with earlier_product(before, tmp / "before") as earlier:
            yield {"before": earlier, "after": after}


def table(times: dict[str, list[float]], overhead: bool) -> str:
    lines = ["| code, path | product questions | p50 ms | p95 ms | mean ms |", "| --- | --- | --- | --- | --- |"]
    for name, values in times.items():
        lines.append(f"| {name} | {len(values)} | {percentile(values, 0.5):.0f} | {percentile(values, 0.95):.0f} | "
                     f"{statistics.mean(values) * 1000:.0f} |")
    if overhead:
        codes = [name.split()[0] for name in times if not name.endswith(BARE)]
        lines += ["", "api p50 over bare Rasa p50, same run: " + ", ".join(
            f"{code} ×{percentile(times[f'{code} api'], 0.5) / percentile(times[f'{code} {BARE}'], 0.5):.2f}" for code in codes)]
    return "\n".join(lines)


def compare(before: Path | None, rounds: int, overhead: bool) -> str:
    """Every path's timed questions; the products are asked in turn, each round in the other order."""
    with tempfile.TemporaryDirectory(prefix="shopbot-hops-") as tmp, products(before, Path(tmp)) as running:
        paths = [f"{name} api" for name in running] + ([f"{name} {BARE}" for name in running] if overhead else [])
        times: dict[str, list[float]] = {path: [] for path in paths}
        questions = {language: fresh_questions(language) for language in LANGUAGES}
        with httpx.Client(timeout=120.0) as client:
            for warm_up in range(2):  # first replies load lazily
                language = LANGUAGES[warm_up]
                for product in running.values():
                    client.base_url = httpx.URL(product.api_url)
                    conversation(client, SCRIPTS[language], language, 60000 + warm_up)
                    bare_conversation(client, product, SCRIPTS[language], language)
            for number in range(rounds):
                language = LANGUAGES[number % len(LANGUAGES)]
                script = SCRIPTS[language]
                if overhead:  # questions not asked before in the run
                    script = [script[0], next(questions[language]), next(questions[language]), script[-1]]
                for name in running if number % 2 == 0 else list(reversed(running)):  # neither product always goes first
                    client.base_url = httpx.URL(running[name].api_url)
                    times[f"{name} api"] += conversation(client, script, language, number)
                    if overhead:  # after the api's path: see the module's docstring
                        times[f"{name} {BARE}"] += bare_conversation(client, running[name], script, language)
    return table(times, overhead)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, help="a checkout of the earlier code, with its trained model")
    parser.add_argument("--overhead", action="store_true", help="also time bare Rasa beside each product's api")
    parser.add_argument("--rounds", type=int, default=60, help="conversations per path (two timed questions each)")
    args = parser.parse_args()
    if args.before is None and not args.overhead:
        parser.error("give --before DIR, --overhead, or both")
    print(compare(args.before.resolve() if args.before else None, args.rounds, args.overhead))


if __name__ == "__main__":
    main()

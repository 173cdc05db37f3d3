"""Load and soak benchmark: the chat path under concurrent customers, next to Rasa's own REST webhook, in one run.

    make bench-load     (or: .venv/bin/python -m benchmarks.load)              1, 10 and 50 customers, api vs bare Rasa,
                                                                                then customers arriving at random (open loop)
    make bench-soak     (or: .venv/bin/python -m benchmarks.load --soak 600)   10 customers for 10 minutes

It starts the real product (Rasa and the api, as `make run` does) on free loopback ports with a fresh database,
and drives it from this separate process. Every simulated customer has its own client address (X-Forwarded-For,
as a proxy sends it), so the per-IP rate limits apply as in production. "Bare Rasa" sends the same messages
straight to Rasa's REST webhook; Rasa still calls the api for custom actions, so the ratio shows what the api adds
around the dialogue engine (storage, language detection, the realtime hub), not the cost of the actions.

A conversation is a greeting, two questions and thanks. The questions are the retrieval evaluation set's, each asked
once per run in a fixed random order, as real customers' questions are new to the product: the api remembers the e5
vectors of recent questions, and a script of the same few questions would never pay for embedding them.

Closed loop: each customer sends, waits for the reply, sends again; throughput is what the product sustains.
Open loop (`--open-loop`): conversations start at random (Poisson) at a given message rate whatever the replies'
speed, and each customer waits 3 s after a reply before the next message, as the issue measured it; the latency at a
rate below capacity is what a customer sees at that traffic.
"""
from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import sqlite3
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil
import yaml

from api.settings import ROOT, Settings
from benchmarks.report import replace_section
from runner.processes import Stack, free_port, running_stack
from runner.training import ensure_model

# One short conversation per language: a greeting, two questions the FAQ answers, thanks.
SCRIPTS = {
    "cs": ["Dobrý den", "Kolik stojí doprava na výdejní místo?", "Jak dlouho mám na vrácení zboží?", "Děkuji, to je vše"],
    "pl": ["Dzień dobry", "Ile kosztuje wysyłka kurierem?", "Jak mogę zapłacić za zamówienie?", "Dziękuję bardzo"],
    "lv": ["Labdien", "Cik maksā piegāde uz pakomātu?", "Kā es varu atgriezt preci?", "Paldies, tas arī viss"],
    "en": ["Hi there", "How much is shipping to a pickup point?", "How long is the warranty on a kettle?", "Thanks, that's all"],
}
LANGUAGES = list(SCRIPTS)
EVAL_FILE = ROOT / "benchmarks" / "data" / "retrieval_eval.yml"
THINK_SECONDS = 3.0  # open loop: a customer reads the reply before writing again


def fresh_questions(language: str, seed: int = 23) -> Iterator[str]:
    """The retrieval evaluation set's questions in `language`, each once, in a fixed random order."""
    questions = [text for item in yaml.safe_load(EVAL_FILE.read_text(encoding="utf-8"))["questions"] for text in item.get(language) or []]
    random.Random(seed).shuffle(questions)
    return iter(questions)


class Scripts:
    """Conversations whose questions are new to the product: the evaluation set's, and once a long run has used them
    up, the same with a number after them (" #2"), so that the api has no vector of them yet."""

    def __init__(self) -> None:
        self._questions = {language: self._endless(language) for language in LANGUAGES}

    @staticmethod
    def _endless(language: str) -> Iterator[str]:
        questions = list(fresh_questions(language))
        for round_ in itertools.count(1):
            yield from (question if round_ == 1 else f"{question} #{round_}" for question in questions)

    def next(self, language: str) -> list[str]:
        greeting, _, _, thanks = SCRIPTS[language]
        return [greeting, next(self._questions[language]), next(self._questions[language]), thanks]


def address(n: int) -> str:
    """The n-th customer's own client address (the per-IP rate limits count per customer)."""
    return f"10.9.{n >> 8 & 255}.{n & 255}"


@dataclass
class Tally:
    """What one measured run saw: a latency per message, failures, and the busiest memory of each process."""

    latencies: list[float] = field(default_factory=list)
    answered_at: list[float] = field(default_factory=list)  # time.monotonic() of each reply
    failures: int = 0
    sent: int = 0
    seconds: float = 0.0
    peak_rss: dict[str, int] = field(default_factory=dict)
    cpu_seconds: dict[str, float] = field(default_factory=dict)  # CPU time each process spent in the run

    def cpu_ms_per_message(self, name: str) -> float:
        """CPU per answered message: unlike throughput, hardly moved by what else the machine runs."""
        return 1000 * self.cpu_seconds.get(name, 0.0) / max(len(self.latencies), 1)

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")


class MemoryWatch:
    """Samples the resident memory (RSS, children included) of the product's processes in a thread, and reads their CPU time."""

    def __init__(self, pids: dict[str, int], every: float = 0.25) -> None:
        self.processes = {name: psutil.Process(pid) for name, pid in pids.items()}
        self.every = every
        self.peak: dict[str, int] = {}
        self.series: list[tuple[float, dict[str, int]]] = []
        self._stop = threading.Event()

    def now(self) -> dict[str, int]:
        return {name: rss_of(process) for name, process in self.processes.items()}

    def cpu(self) -> dict[str, float]:
        return {name: cpu_of(process) for name, process in self.processes.items()}

    @contextmanager
    def watching(self) -> Iterator[None]:
        self.peak = {}
        thread = threading.Thread(target=self._run, daemon=True)
        self._stop.clear()
        thread.start()
        try:
            yield
        finally:
            self._stop.set()
            thread.join()

    def _run(self) -> None:
        started = time.monotonic()
        while not self._stop.wait(self.every):
            sample = self.now()
            self.series.append((time.monotonic() - started, sample))
            self.peak = {name: max(self.peak.get(name, 0), rss) for name, rss in sample.items()}


def cpu_of(process: psutil.Process) -> float:
    """User and system CPU seconds of a process and its children."""
    try:
        return sum(sum(p.cpu_times()[:2]) for p in (process, *process.children(recursive=True)))
    except psutil.Error:
        return 0.0


def rss_of(process: psutil.Process) -> int:
    try:
        return process.memory_info().rss + sum(child.memory_info().rss for child in process.children(recursive=True))
    except psutil.Error:
        return 0


Converse = Callable[[httpx.AsyncClient, list[str], str, str, Tally, float], Awaitable[None]]


async def through_the_api(client: httpx.AsyncClient, script: list[str], language: str, address: str, tally: Tally, think: float = 0.0) -> None:
    """What the widget does: open a conversation, send the script, each reply awaited (and read for `think` seconds)."""
    headers = {"X-Forwarded-For": address}
    created = await client.post("/api/conversations", json={"language": language}, headers=headers)
    if created.status_code != 201:
        tally.failures += 1
        return
    headers["Authorization"] = f"Bearer {created.json()['token']}"
    path = f"/api/conversations/{created.json()['id']}/messages"
    for number, text in enumerate(script):
        if number and think:
            await asyncio.sleep(think)
        started = time.perf_counter()
        response = await client.post(path, json={"text": text, "client_id": uuid.uuid4().hex}, headers=headers)
        tally.sent += 1
        if response.status_code == 200 and not response.json()["pending"] and response.json()["replies"]:
            tally.latencies.append(time.perf_counter() - started)
            tally.answered_at.append(time.monotonic())
        else:
            tally.failures += 1


def bare_rasa(rasa_url: str, token: str) -> Converse:
    async def converse(client: httpx.AsyncClient, script: list[str], language: str, address: str, tally: Tally, think: float = 0.0) -> None:
        """The same script straight to Rasa's channel (bot/channel.py, which answers the api's token only), with the metadata the api sends."""
        sender = uuid.uuid4().hex
        for text in script:
            started = time.perf_counter()
            response = await client.post(f"{rasa_url}/webhooks/shopbot/webhook", headers={"Authorization": f"Bearer {token}"},
                                         json={"sender": sender, "message": text, "metadata": {"language": language, "returning": False}})
            tally.sent += 1
            if response.status_code == 200 and response.json():
                tally.latencies.append(time.perf_counter() - started)
            else:
                tally.failures += 1
    return converse


async def drive(base_url: str, converse: Converse, customers: int, seconds: float, scripts: Scripts | None = None) -> Tally:
    """`customers` concurrent customers, each starting conversation after conversation until time is up."""
    tally = Tally()
    scripts = scripts or Scripts()
    addresses = itertools.count(1)
    deadline = time.monotonic() + seconds

    async def customer(number: int) -> None:
        async with httpx.AsyncClient(base_url=base_url, timeout=120.0) as client:
            while time.monotonic() < deadline:
                n = next(addresses)
                try:
                    language = LANGUAGES[(number + n) % len(LANGUAGES)]
                    await converse(client, scripts.next(language), language, address(n), tally, 0.0)
                except httpx.HTTPError:
                    tally.failures += 1

    started = time.monotonic()
    await asyncio.gather(*(customer(i) for i in range(customers)))
    tally.seconds = time.monotonic() - started
    return tally


async def arrive(base_url: str, rate: float, seconds: float, scripts: Scripts, seed: int = 7) -> Tally:
    """Open loop: conversations start at random times, `rate` messages a second on average, for `seconds`; each
    customer waits THINK_SECONDS after a reply before the next message. Latency counts from each message's send."""
    tally = Tally()
    rng = random.Random(seed)
    per_conversation = len(SCRIPTS[LANGUAGES[0]])
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=100)
    async with httpx.AsyncClient(base_url=base_url, timeout=120.0, limits=limits) as client:
        customers: list[asyncio.Task[None]] = []
        started = time.monotonic()
        n = 0
        while (elapsed := time.monotonic() - started) < seconds:
            n += 1
            language = LANGUAGES[n % len(LANGUAGES)]
            customers.append(asyncio.create_task(through_the_api(client, scripts.next(language), language, address(n), tally, THINK_SECONDS)))
            await asyncio.sleep(min(rng.expovariate(rate / per_conversation), seconds - elapsed))
        results = await asyncio.gather(*customers, return_exceptions=True)
        tally.failures += sum(isinstance(result, Exception) for result in results)
        tally.seconds = seconds
        tally.answered_at = [t - started for t in tally.answered_at]
    return tally


def start_product(var: Path) -> AbstractContextManager[Stack]:
    settings = Settings(var_dir=var, api_host="127.0.0.1", api_port=free_port(), rasa_port=free_port(), watch_content=False,
                        models_dir=ROOT / "var" / "models", cache_dir=ROOT / "var" / "cache" / "embeddings")
    model = ensure_model(settings.model_dir, log=ROOT / "var" / "logs" / "train.log")
    print("starting Rasa and the api (about a minute)...", flush=True)
    return running_stack(settings, model, api_log=var / "logs" / "api.log")


def mib(n: float) -> str:
    return f"{n / 2**20:.0f}"


def load(levels: list[int], seconds: float, rates: list[float]) -> str:
    scripts = Scripts()  # shared by every run: no run asks what an earlier one asked
    with tempfile.TemporaryDirectory(prefix="shopbot-load-") as tmp, start_product(Path(tmp)) as stack:
        memory = MemoryWatch({"api": stack.api.pid, "rasa": stack.rasa.pid})
        asyncio.run(drive(stack.api_url, through_the_api, 1, 5, scripts))  # warm-up: first replies load lazily
        at_rest = memory.now()
        rows = []
        for customers in levels:
            for target, base_url, converse in (("api", stack.api_url, through_the_api),
                                               ("bare Rasa", stack.settings.rasa_url, bare_rasa(stack.settings.rasa_url, stack.settings.rasa_token.get_secret_value()))):
                print(f"{customers} customers through {target} for {seconds:.0f} s...", flush=True)
                cpu_before = memory.cpu()
                with memory.watching():
                    tally = asyncio.run(drive(base_url, converse, customers, seconds, scripts))
                tally.peak_rss = memory.peak
                tally.cpu_seconds = {name: used - cpu_before[name] for name, used in memory.cpu().items()}
                rows.append((customers, target, tally))
        arrivals = []
        for rate in rates:
            print(f"customers arriving at {rate:g} messages a second for {seconds:.0f} s (open loop)...", flush=True)
            arrivals.append((rate, asyncio.run(arrive(stack.api_url, rate, seconds, scripts))))
    lines = [
        (f"Each customer sends a 4-message conversation (greeting, two questions from the retrieval evaluation set that no "
         f"earlier message of the run asked, thanks; cs/pl/lv/en in turn), waits for "
         f"each reply, and starts another until {seconds:.0f} s are up. Latency is per message, reply included."),
        "",
        ("| customers | path | messages | msg/s | p50 ms | p95 ms | p99 ms | failed | api CPU ms per message | Rasa CPU ms per message | "
         "api RSS peak MiB | Rasa RSS peak MiB |"),
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for customers, target, tally in rows:
        lines.append(f"| {customers} | {target} | {len(tally.latencies)} | {len(tally.latencies) / tally.seconds:.1f} | {tally.percentile(0.5):.0f} | "
                     f"{tally.percentile(0.95):.0f} | {tally.percentile(0.99):.0f} | {tally.failures} | {tally.cpu_ms_per_message('api'):.0f} | "
                     f"{tally.cpu_ms_per_message('rasa'):.0f} | {mib(tally.peak_rss.get('api', 0))} | "
                     f"{mib(tally.peak_rss.get('rasa', 0))} |")
    lines += ["", "Overhead of the api (its p50 over bare Rasa's p50, same run): " + ", ".join(
        f"{customers} customers ×{api.percentile(0.5) / rasa.percentile(0.5):.2f}"
        for (customers, _, api), (_, _, rasa) in zip(rows[::2], rows[1::2]))]
    lines += ["", f"RSS at rest after a warm-up: api {mib(at_rest['api'])} MiB, Rasa {mib(at_rest['rasa'])} MiB (children included)."]
    if arrivals:
        lines += ["", (f"Open loop, through the api: conversations start at random (Poisson) for {seconds:.0f} s at the offered message rate, "
                       f"each customer waits {THINK_SECONDS:.0f} s after a reply before writing again. Answered msg/s: replies within those {seconds:.0f} s, per second; "
                       "latency over every message, those of conversations still going after the window included."),
                  "", "| offered msg/s | messages | answered msg/s | p50 ms | p95 ms | p99 ms | failed |", "| --- | --- | --- | --- | --- | --- | --- |"]
        lines += [f"| {rate:g} | {tally.sent} | {sum(t <= tally.seconds for t in tally.answered_at) / tally.seconds:.1f} | {tally.percentile(0.5):.0f} | {tally.percentile(0.95):.0f} | "
                  f"{tally.percentile(0.99):.0f} | {tally.failures} |" for rate, tally in arrivals]
    return "\n".join(lines)


def soak(seconds: float, customers: int = 10) -> str:
    """Moderate load for a long time: memory must level off, and every message be stored once and answered."""
    with tempfile.TemporaryDirectory(prefix="shopbot-soak-") as tmp, start_product(Path(tmp)) as stack:
        memory = MemoryWatch({"api": stack.api.pid, "rasa": stack.rasa.pid}, every=5.0)
        scripts = Scripts()
        warm_up = asyncio.run(drive(stack.api_url, through_the_api, 1, 5, scripts))
        print(f"{customers} customers for {seconds:.0f} s...", flush=True)
        with memory.watching():
            tally = asyncio.run(drive(stack.api_url, through_the_api, customers, seconds, scripts))
        database = stack.settings.database.split("///", 1)[1]
        with sqlite3.connect(database) as db:
            stored = db.execute("select count(*) from messages where sender = 'customer'").fetchone()[0]
            duplicated = db.execute("select count(*) from (select 1 from messages where sender = 'customer' "
                                    "group by conversation_id, json_extract(payload, '$.client_id') having count(*) > 1)").fetchone()[0]
            unanswered = db.execute("select count(*) from messages m where m.sender = 'customer' and not exists "
                                    "(select 1 from messages r where r.conversation_id = m.conversation_id and r.id > m.id "
                                    "and r.sender = 'bot')").fetchone()[0]
    return "\n".join([
        (f"{customers} customers for {seconds / 60:.0f} min, the same conversations as above: {len(tally.latencies)} messages answered, "
         f"{tally.failures} failed; p50 {tally.percentile(0.5):.0f} ms, p95 {tally.percentile(0.95):.0f} ms, p99 {tally.percentile(0.99):.0f} ms."),
        "",
        (f"- Messages: {warm_up.sent + tally.sent} sent (warm-up included), {stored} stored, {duplicated} stored twice, "
         f"{unanswered} without a bot reply after them."),
        "- RSS in MiB (children included), mean of each fifth of the run: "
        + "; ".join(f"{name} " + " → ".join(mib(rss) for rss in fifths(memory.series, name)) for name in ("api", "rasa")) + ".",
    ])


def fifths(series: list[tuple[float, dict[str, int]]], name: str) -> list[float]:
    """The mean of each fifth of a memory series: growth shows as a rising sequence, a plateau as a flat one."""
    size = max(1, len(series) // 5)
    return [statistics.mean(sample[name] for _, sample in series[i:i + size]) for i in range(0, size * 5, size) if series[i:i + size]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="1,10,50", help="concurrent customers per run (comma-separated)")
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each run")
    parser.add_argument("--open-loop", default="5,10,15,20", help="offered message rates for the open-loop runs (comma-separated; empty: none)")
    parser.add_argument("--soak", type=float, metavar="SECONDS", help="instead: a soak run this long with 10 customers")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args()
    if args.soak:
        report, section, command = soak(args.soak), "soak", f"make bench-soak  (python -m benchmarks.load --soak {args.soak:.0f})"
    else:
        report, section, command = load([int(n) for n in args.levels.split(",") if n], args.seconds,
                                                  [float(r) for r in args.open_loop.split(",") if r]), "load", "make bench-load"
    print(report)
    if not args.no_write:
        replace_section(ROOT / "docs" / "benchmarks.md", section, report, command=command)


if __name__ == "__main__":
    main()

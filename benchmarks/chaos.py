"""Chaos benchmark: customers keep chatting while Rasa, and then the api, are killed with SIGKILL (kill -9).

    make bench-chaos     (or: .venv/bin/python -m benchmarks.chaos --customers 10)

It starts the real product as `make run` does (the runner's supervisor starts a part that exits again) on free
loopback ports with a fresh database, and drives it from this process: each customer, with a client address of its
own, sends the load benchmark's conversations as the widget does (one client_id per message, sent again while the
api is unreachable or answers 5xx, after waits of 1 s doubling up to 10 s; the next message once the bot's answer showed).
Rasa is killed first; once it is back and every message stored until then is answered, the api is killed in the
middle of customers' requests. At the end every message a customer sent is looked up in the api's database and
in Rasa's tracker store: stored once, answered, and handled by Rasa once.
"""
from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import signal
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from api.settings import ROOT
from benchmarks.load import LANGUAGES, SCRIPTS, start_product
from benchmarks.report import replace_section
from runner.processes import Stack, answers, rasa_token


@dataclass
class Customers:
    """What the simulated customers did: every message they began to send (client_id) and each attempt."""

    sent: set[str] = field(default_factory=set)
    attempts: int = 0
    acknowledged: int = 0
    taken: list[float] = field(default_factory=list)  # from a message's first attempt until the api took it
    answered: list[float] = field(default_factory=list)  # … until the customer saw the bot's answer
    stop: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class Outage:
    """One kill: requests in flight at the api then, and how long until the part answered and its backlog was answered."""

    part: str
    in_flight: int = 0
    back_after: float = float("nan")
    caught_up_after: float = float("nan")


async def post_like_the_widget(client: httpx.AsyncClient, path: str, body: dict[str, Any], headers: dict[str, str],
                               customers: Customers) -> httpx.Response:
    """Send until the api takes it (any answer below 500): unreachable or 5xx, wait 1 s, 2 s, 4 s … 10 s and send the same again."""
    wait = 1.0
    while True:
        customers.attempts += 1
        try:
            response = await client.post(path, json=body, headers=headers)
            if response.status_code < 500:
                return response
        except httpx.TransportError:
            pass
        await asyncio.sleep(wait)
        wait = min(wait * 2, 10.0)


async def customer(base_url: str, number: int, addresses: itertools.count, customers: Customers, think: float) -> None:
    """Conversation after conversation until told to stop; a message begun is sent until the api takes it, and the next
    one written once the bot's answer is there (a customer reads it first), `think` seconds later."""
    async with httpx.AsyncClient(base_url=base_url, timeout=60.0) as client:
        while not customers.stop.is_set():
            n = next(addresses)
            language = LANGUAGES[(number + n) % len(LANGUAGES)]
            headers = {"X-Forwarded-For": f"10.8.{n >> 8 & 255}.{n & 255}"}
            created = await post_like_the_widget(client, "/api/conversations", {"language": language}, headers, customers)
            if created.status_code != 201:
                raise RuntimeError(f"could not open a conversation: {created.status_code} {created.text}")
            headers["Authorization"] = f"Bearer {created.json()['token']}"
            for text in SCRIPTS[language]:
                if customers.stop.is_set():
                    return
                body = {"text": text, "client_id": uuid.uuid4().hex}
                customers.sent.add(body["client_id"])
                began = time.monotonic()
                response = await post_like_the_widget(client, f"/api/conversations/{created.json()['id']}/messages", body, headers, customers)
                if response.status_code != 200:
                    raise RuntimeError(f"a message was refused: {response.status_code} {response.text}")
                customers.acknowledged += 1
                customers.taken.append(time.monotonic() - began)
                if not any(reply["sender"] == "bot" for reply in response.json()["replies"]):  # "one moment", or a resend
                    await answer_seen(client, created.json()["id"], response.json()["message_id"], headers)
                customers.answered.append(time.monotonic() - began)
                await asyncio.sleep(think)


async def answer_seen(client: httpx.AsyncClient, conversation: str, message_id: int, headers: dict[str, str]) -> None:
    """Wait as a customer reads the chat: the widget catches up on the transcript until the bot's answer is there."""
    while True:
        try:
            later = await client.get(f"/api/conversations/{conversation}/messages", params={"after": message_id}, headers=headers)
            if later.status_code == 200 and any(m["sender"] == "bot" for m in later.json()["messages"]):
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(1.0)


def rows(url: str, sql: str, *params: Any) -> list[tuple]:
    """Read one of the product's SQLite databases (the api's or Rasa's tracker store) from outside, as an operator would."""
    with sqlite3.connect(url.split("///", 1)[1], timeout=30) as connection:
        return connection.execute(sql, params).fetchall()


async def until(check: Callable[[], bool]) -> None:
    """Poll `check` (blocking: run in a thread) until it holds; the caller bounds the wait with asyncio.timeout."""
    while True:  # the product's state is in its databases and health endpoints: nothing to await but the next look
        if await asyncio.to_thread(check):
            return
        await asyncio.sleep(0.5)


async def kill_and_recover(stack: Stack, part: str) -> Outage:
    """SIGKILL the part; wait until it answers again and every customer message stored until then is answered."""
    database = stack.settings.database
    outage = Outage(part)
    process = stack.rasa if part == "Rasa" else stack.api
    outage.in_flight = rows(database, "select count(*) from messages where sender = 'customer' and status = 'received' "
                                      "and handler is not null")[0][0]
    killed = time.monotonic()
    process.send_signal(signal.SIGKILL)
    print(f"killed {part} (pid {process.pid}) with {outage.in_flight} customer messages in flight at the api", flush=True)
    healthy = ((lambda: answers(f"{stack.settings.rasa_url}/status", rasa_token(stack.settings))) if part == "Rasa"
               else (lambda: answers(f"{stack.api_url}/api/health")))
    await until(healthy)
    outage.back_after = time.monotonic() - killed
    last = rows(database, "select coalesce(max(id), 0) from messages where sender = 'customer'")[0][0]
    await until(lambda: not unanswered(database, up_to=last))
    outage.caught_up_after = time.monotonic() - killed
    print(f"{part} back after {outage.back_after:.0f} s, its backlog answered after {outage.caught_up_after:.0f} s", flush=True)
    return outage


def unanswered(database: str, *, up_to: int | None = None) -> int:
    """Customer messages not answered (yet), among those up to the id `up_to`."""
    return rows(database, "select count(*) from messages where sender = 'customer' and status is not 'answered' and id <= ?",
                up_to if up_to is not None else 2**62)[0][0]


async def chaos(stack: Stack, customers_count: int, *, lead: float, between: float, tail: float, think: float,
                recovery_limit: float) -> tuple[Customers, list[Outage], float]:
    """Customers chat throughout; Rasa is killed after `lead` s, the api `between` s after Rasa's backlog was answered."""
    customers = Customers()
    addresses = itertools.count(1)
    crowd = [asyncio.create_task(customer(stack.api_url, i, addresses, customers, think)) for i in range(customers_count)]
    outages = []
    await asyncio.sleep(lead)
    async with asyncio.timeout(recovery_limit):
        outages.append(await kill_and_recover(stack, "Rasa"))
    await asyncio.sleep(between)
    async with asyncio.timeout(recovery_limit):
        outages.append(await kill_and_recover(stack, "the api"))
    await asyncio.sleep(tail)
    customers.stop.set()
    await asyncio.gather(*crowd)
    stopped = time.monotonic()
    async with asyncio.timeout(recovery_limit):
        await until(lambda: not unanswered(stack.settings.database))
    return customers, outages, time.monotonic() - stopped


def tally(stack: Stack, customers: Customers) -> dict[str, int]:
    """Every message a customer began to send, looked up in the api's database and Rasa's tracker store."""
    stored = rows(stack.settings.database, "select id, json_extract(payload, '$.client_id'), status from messages where sender = 'customer'")
    copies = Counter(client_id for _, client_id, _ in stored)
    handled = Counter(json.loads(data).get("message_id") for (data,) in rows(
        stack.settings.rasa_tracker_store, "select data from events where type_name = 'user'"))
    return {
        "sent": len(customers.sent),
        "attempts": customers.attempts,
        "stored": len(stored),
        "stored twice": sum(1 for n in copies.values() if n > 1),
        "lost": len(customers.sent - set(copies)),
        "answered": sum(1 for _, _, status in stored if status == "answered"),
        "handled by Rasa once": sum(1 for message_id, _, _ in stored if handled[str(message_id)] == 1),
        "handled by Rasa twice or more": sum(1 for message_id, _, _ in stored if handled[str(message_id)] > 1),
    }


def report(customers_count: int, think: float, customers: Customers, outages: list[Outage], drained: float, counts: dict[str, int]) -> str:
    taken, answered = sorted(customers.taken), sorted(customers.answered)
    return "\n".join([
        (f"{customers_count} customers, each sending the load benchmark's conversations as the widget does (a client_id per message, sent "
         f"again after 1 s, 2 s, 4 s … 10 s while the api is unreachable or answers 5xx; the next one {think:g} s after the bot's answer "
         f"showed), while Rasa and then the api were killed with SIGKILL; the runner's supervisor started each again."),
        "",
        "| killed | customer messages in flight at the api | answering again after | its backlog answered after |",
        "| --- | --- | --- | --- |",
        *(f"| {o.part} | {o.in_flight} | {o.back_after:.0f} s | {o.caught_up_after:.0f} s |" for o in outages),
        "",
        (f"- Messages: {counts['sent']} sent ({counts['attempts']} attempts with the resends and conversation openings), {counts['stored']} stored, "
         f"**{counts['stored twice']} stored twice**, **{counts['lost']} lost**, {counts['answered']} answered "
         f"(the last {drained:.0f} s after the customers stopped)."),
        (f"- Rasa handled {counts['handled by Rasa once']} of them once and **{counts['handled by Rasa twice or more']} twice or more** "
         f"(user events per api message id in its tracker store)."),
        (f"- From a message's first attempt until the api took it: median {statistics.median(taken):.1f} s, slowest {taken[-1]:.0f} s "
         f"(the api's outage; while only Rasa is down the api takes messages at once); until the customer saw the bot's answer: "
         f"median {statistics.median(answered):.1f} s, 95th percentile {answered[int(0.95 * len(answered))]:.0f} s, slowest {answered[-1]:.0f} s."),
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=10)
    parser.add_argument("--lead", type=float, default=20.0, help="seconds of chatting before Rasa is killed")
    parser.add_argument("--between", type=float, default=15.0, help="seconds after Rasa's recovery before the api is killed")
    parser.add_argument("--tail", type=float, default=20.0, help="seconds of chatting after the api's recovery")
    parser.add_argument("--think", type=float, default=1.0, help="seconds a customer waits after the api took a message")
    parser.add_argument("--timeout", type=float, default=600.0, help="longest wait for a recovery")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="shopbot-chaos-") as tmp, start_product(Path(tmp)) as stack:
        customers, outages, drained = asyncio.run(chaos(stack, args.customers, lead=args.lead, between=args.between, tail=args.tail,
                                                        think=args.think, recovery_limit=args.timeout))
        counts = tally(stack, customers)
    text = report(args.customers, args.think, customers, outages, drained, counts)
    print(text)
    if not args.no_write:
        replace_section(ROOT / "docs" / "benchmarks.md", "chaos", text, command=f"make bench-chaos  (python -m benchmarks.chaos --customers {args.customers})")


if __name__ == "__main__":
    main()

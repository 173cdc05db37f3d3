"""Runs inside .venv-rasa: parses held-out messages with a trained Rasa model and prints the rankings as JSON.

Usage: python -m benchmarks.nlu_parse MODEL.tar.gz PARSED.json < messages.json
(messages.json: a list of {"text", "language", "intent"}; the output adds "ranking" and "fallback").
The result goes to a file: Rasa's own logging writes to stdout.
"""
from __future__ import annotations

import asyncio
import json
import logging
import sys
import time


async def parse_all(model: str, messages: list[dict]) -> list[dict]:
    from rasa.core.agent import Agent

    agent = Agent.load(model)
    parsed = []
    for message in messages:
        started = time.perf_counter()
        result = await agent.parse_message(message["text"])
        elapsed = time.perf_counter() - started
        ranking = [(r["name"], r["confidence"]) for r in result.get("intent_ranking") or []]
        fallback = bool(ranking) and ranking[0][0] == "nlu_fallback"
        parsed.append({**message, "ranking": [r for r in ranking if r[0] != "nlu_fallback"], "fallback": fallback,
                       "seconds": elapsed})
    return parsed


def main() -> None:
    logging.disable(logging.WARNING)
    messages = json.load(sys.stdin)
    parsed = asyncio.run(parse_all(sys.argv[1], messages))
    with open(sys.argv[2], "w", encoding="utf-8") as out:
        json.dump(parsed, out, ensure_ascii=False)


if __name__ == "__main__":
    main()

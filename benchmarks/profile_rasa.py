"""Where Rasa's milliseconds go for one product question: its NLU pipeline, component by component.

    .venv-rasa/bin/python -m benchmarks.profile_rasa var/models/<fingerprint>.tar.gz [--questions 200]

Runs inside .venv-rasa (Python 3.10). Loads the trained model as `rasa run` does and parses the demo shop's
evaluation questions (`Agent.parse_message`): its time per question, then cProfile's split by component.
The api's side: `benchmarks.profile_search`.
"""
from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import os
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import yaml

from benchmarks.profiling import percentiles, profiler, stage_ms, stage_table

EVAL_FILE = Path(__file__).resolve().parent / "data" / "retrieval_eval.yml"
LANGUAGES = ("cs", "pl", "lv", "en")


def questions(limit: int) -> list[str]:
    """The demo shop's evaluation questions, the languages in turn."""
    data = yaml.safe_load(EVAL_FILE.read_text(encoding="utf-8"))
    per_lang = [[t for item in data["questions"] for t in item.get(lang, [])] for lang in LANGUAGES]
    mixed = [texts[i] for i in range(max(map(len, per_lang))) for texts in per_lang if i < len(texts)]
    return list(dict.fromkeys(mixed))[:limit]


async def profile(model: str, texts: list[str]) -> str:
    from rasa.core.agent import Agent
    from rasa.nlu.classifiers.diet_classifier import DIETClassifier
    from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier
    from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
    from rasa.nlu.featurizers.sparse_featurizer.lexical_syntactic_featurizer import LexicalSyntacticFeaturizer
    from rasa.nlu.featurizers.sparse_featurizer.regex_featurizer import RegexFeaturizer
    from rasa.nlu.tokenizers.tokenizer import Tokenizer

    # Imported by name: mypy checks bot/ against .venv-rasa's numpy, not the .venv one it checks benchmarks/ with.
    e5_intent_classifier = importlib.import_module("bot.components.e5_intent_classifier").E5IntentClassifier

    agent = Agent.load(model)
    await agent.parse_message("warm up")
    timed_texts, profiled = texts[: len(texts) // 2], texts[len(texts) // 2:]
    times = []
    for text in timed_texts:
        wall, cpu = time.perf_counter(), time.process_time()
        await agent.parse_message(text)
        times.append(((time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000))
    profile = profiler()
    cpu = time.process_time()
    profile.enable()
    for text in profiled:
        await agent.parse_message(text)
    profile.disable()
    total = (time.process_time() - cpu) * 1000 / len(profiled)
    stages = stage_ms(profile, {
        "tokenizer": Tokenizer.process,
        "regex featurizer": RegexFeaturizer.process,
        "lexical-syntactic featurizer": LexicalSyntacticFeaturizer.process,
        "count-vectors featurizers (2)": CountVectorsFeaturizer.process,
        "DIET classifier": DIETClassifier.process,
        "e5 intent classifier (embeds the question)": e5_intent_classifier.process,
        "fallback classifier": FallbackClassifier.process,
    }, len(profiled))
    return "\n".join([f"Rasa's NLU on one question (`Agent.parse_message`, model {Path(model).name}): {percentiles(times)}.", "",
                      f"Split by cProfile over {len(profiled)} other questions:", "", stage_table("one parse", total, stages).replace("ms per question", "ms CPU per question")])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", help="the trained model (var/models/<fingerprint>.tar.gz)")
    parser.add_argument("--questions", type=int, default=200)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    print(asyncio.run(profile(args.model, questions(args.questions))))


if __name__ == "__main__":
    main()

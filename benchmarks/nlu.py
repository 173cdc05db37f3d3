"""NLU benchmark: the intent pipelines side by side on the held-out split (never trained on).

Trains each variant with `rasa train nlu` (a few minutes each), parses benchmarks/data/nlu_heldout with it
(benchmarks/nlu_parse.py, inside .venv-rasa) and writes the `nlu` section of docs/benchmarks.md:
accuracy and macro-F1 per language, how often the FallbackClassifier fired, the confusions between
product_question, complain, request_human and out_of_scope, training time and parse latency.

Run: `make bench-nlu` (or `python -m benchmarks.nlu --no-write` to print only). With `--diet-epochs 10 20 30 60` it trains
config.yml's pipeline once per DIET epoch count instead and writes the `nlu epochs` section: how the epochs in config.yml
were chosen. With `--diet-layers 2 1 0` it does the same per number of DIET transformer layers (DIET's default is 2) and
writes the `nlu layers` section: what fewer layers cost in accuracy and save in parse time.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import time
from collections import Counter
from pathlib import Path
from statistics import median

import yaml
from sklearn.metrics import f1_score

from api.settings import ROOT, Settings
from benchmarks.report import replace_section
from contracts.languages import LANGUAGES
from runner.training import RASA_BIN, rasa_env

HELDOUT_DIR = ROOT / "benchmarks" / "data" / "nlu_heldout"
CONFUSABLE = ("product_question", "complain", "request_human", "out_of_scope")
OURS = "bot.components.e5_intent_classifier.E5IntentClassifier"


def variants() -> dict[str, dict]:
    """Our config.yml, and the same with one of the two classifiers taken out."""
    config = yaml.safe_load((ROOT / "config.yml").read_text())
    pipeline = config["pipeline"]
    diet_only = [c for c in pipeline if c["name"] != OURS]
    e5_only = [c for c in pipeline if c["name"] in ("WhitespaceTokenizer", OURS, "FallbackClassifier")]
    return {
        "DIET (word + char counts)": {**config, "pipeline": diet_only},
        "e5 + logistic regression": {**config, "pipeline": e5_only},
        "ours: DIET and e5 blended (config.yml)": config,
    }


def diet_variants(option: str, values: list[int], label: str) -> dict[str, dict]:
    """config.yml's pipeline once per value of one DIETClassifier option, named `ours, DIET {value} {label}`."""
    config = yaml.safe_load((ROOT / "config.yml").read_text())
    return {f"ours, DIET {n} {label}": {**config, "pipeline": [{**c, option: n} if c["name"] == "DIETClassifier" else c
                                                               for c in config["pipeline"]]}
            for n in values}


def epoch_variants(epochs: list[int]) -> dict[str, dict]:
    """config.yml's pipeline with DIET trained for each number of epochs: the held-out figures show where more stops helping."""
    return diet_variants("epochs", epochs, "epochs")


def layer_variants(layers: list[int]) -> dict[str, dict]:
    """config.yml's pipeline with each number of DIET transformer layers (0: no transformer): accuracy against parse time."""
    return diet_variants("number_of_transformer_layers", layers, "layers")


def load_heldout() -> list[dict]:
    messages = []
    for path in sorted(HELDOUT_DIR.glob("heldout_*.yml")):
        language = path.stem.split("_")[-1]
        for block in yaml.safe_load(path.read_text())["nlu"]:
            for line in block["examples"].splitlines():
                if line.strip().startswith("- "):
                    messages.append({"text": line.strip()[2:], "language": language, "intent": block["intent"]})
    return messages


def _inputs_digest(config: dict) -> str:
    """What a variant's model depends on: its config, the training data and our component's code."""
    digest = hashlib.sha256(json.dumps(config, sort_keys=True).encode())
    for path in sorted([*(ROOT / "bot" / "data" / "nlu").glob("*.yml"), *(ROOT / "bot" / "components").glob("*.py")]):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def train(name: str, config: dict, out_dir: Path) -> tuple[Path, float]:
    """Train a variant, or reuse its model when nothing it depends on changed (the time recorded then)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    slug = "".join(ch if ch.isalnum() else "-" for ch in name.lower())[:40]
    config_file, model, stamp = out_dir / f"{slug}.yml", out_dir / f"{slug}.tar.gz", out_dir / f"{slug}.stamp.json"
    digest = _inputs_digest(config)
    if model.exists() and stamp.exists() and json.loads(stamp.read_text())["digest"] == digest:
        print(f"{name}: model up to date", flush=True)
        return model, json.loads(stamp.read_text())["seconds"]
    config_file.write_text(yaml.safe_dump(config, sort_keys=False))
    print(f"Training {name}...", flush=True)
    started = time.perf_counter()
    subprocess.run([str(RASA_BIN), "train", "nlu", "--nlu", "bot/data/nlu", "--config", str(config_file), "--out", str(out_dir),
                    "--fixed-model-name", slug], cwd=ROOT, env=rasa_env(), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    seconds = time.perf_counter() - started
    stamp.write_text(json.dumps({"digest": digest, "seconds": seconds}))
    return model, seconds


def parse(model: Path, messages: list[dict]) -> list[dict]:
    """The model's parse of each message; the last result is kept beside the model and reused for the same messages."""
    out = model.parent / model.name.replace(".tar.gz", ".parsed.json")
    if out.exists():
        previous = json.loads(out.read_text(encoding="utf-8"))
        if [(p["text"], p["language"], p["intent"]) for p in previous] == [(m["text"], m["language"], m["intent"]) for m in messages]:
            return previous
    subprocess.run([str(RASA_BIN.parent / "python"), "-m", "benchmarks.nlu_parse", str(model), str(out)], input=json.dumps(messages),
                   cwd=ROOT, env=rasa_env(), check=True, capture_output=True, text=True)
    return json.loads(out.read_text(encoding="utf-8"))


def scores(parsed: list[dict]) -> dict[str, dict[str, float]]:
    """Per language: accuracy and macro-F1 of the top intent, and the share the FallbackClassifier took."""
    table = {}
    for language in LANGUAGES:
        rows = [p for p in parsed if p["language"] == language]
        truth = [p["intent"] for p in rows]
        predicted = [p["ranking"][0][0] if p["ranking"] else "none" for p in rows]
        table[language] = {
            "accuracy": sum(t == p for t, p in zip(truth, predicted)) / len(rows),
            # over the intents the language's held-out messages have: an intent predicted once but never held out
            # (back_to_bot) would otherwise add a zero to the average, on top of the miss already counted
            "macro_f1": f1_score(truth, predicted, labels=sorted(set(truth)), average="macro"),
            "fallback": sum(p["fallback"] for p in rows) / len(rows),
            "n": len(rows),
        }
    return table


def confusions(parsed: list[dict]) -> Counter:
    pairs: Counter[tuple[str, str]] = Counter()
    for p in parsed:
        top = p["ranking"][0][0] if p["ranking"] else "none"
        if p["intent"] in CONFUSABLE and top != p["intent"] and top in CONFUSABLE:
            pairs[(p["intent"], top)] += 1
    return pairs


def report(results: dict[str, dict]) -> str:
    header = "| pipeline | " + " | ".join(f"{lang} acc / F1" for lang in LANGUAGES) + " | fallback fired | train s | parse p50 ms |"
    lines = [header, "|" + "---|" * (len(LANGUAGES) + 4)]
    for name, result in results.items():
        table = result["scores"]
        cells = [f"{table[lang]['accuracy']:.3f} / **{table[lang]['macro_f1']:.3f}**" for lang in LANGUAGES]
        fallback = sum(table[lang]["fallback"] * table[lang]["n"] for lang in LANGUAGES) / sum(table[lang]["n"] for lang in LANGUAGES)
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {fallback:.1%} | {result['train_seconds']:.0f} | {result['parse_ms']:.1f} |")
    n = sum(t["n"] for t in next(iter(results.values()))["scores"].values())
    ours = list(results.values())[-1]
    confusion = ", ".join(f"{a} → {b}: {count}" for (a, b), count in ours["confusions"].most_common()) or "none"
    return "\n".join([
        (f"Held-out split: {n} messages written separately from the training data (benchmarks/data/nlu_heldout). Macro-F1 over the "
         "intents held out in a language; the top intent is scored even when the FallbackClassifier fired (its share is shown apart)."),
        "",
        *lines,
        "",
        f"Confusions among {', '.join(CONFUSABLE)} (ours, all languages, true → predicted): {confusion}.",
        "",
        ("Train s is the wall time of each `rasa train nlu` (Rasa's start-up included, about 30 s). Rasa caches trained components, "
         "so a variant that shares DIET with an earlier one reuses it: a full training of ours costs about the DIET row plus the e5 row. "
         "Limits: 2 CPU cores, one OpenMP thread per process, other jobs running; the held-out split has about 20 messages per intent "
         "and language, so ±0.01-0.02 is noise."),
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    sweep = parser.add_mutually_exclusive_group()
    sweep.add_argument("--diet-epochs", type=int, nargs="+", metavar="N",
                       help="train config.yml's pipeline with DIET at each of these epochs (the `nlu epochs` section)")
    sweep.add_argument("--diet-layers", type=int, nargs="+", metavar="N",
                       help="train config.yml's pipeline with each number of DIET transformer layers (the `nlu layers` section)")
    args = parser.parse_args()
    out_dir = Settings().var_dir / "bench" / "nlu"
    messages = load_heldout()
    results = {}
    # a sweep of one DIET option (its flag, its section, the values given) or, without one, the pipelines side by side
    sweeps = [("--diet-epochs", "nlu epochs", args.diet_epochs, epoch_variants),
              ("--diet-layers", "nlu layers", args.diet_layers, layer_variants)]
    swept = next(((flag, section, values, make) for flag, section, values, make in sweeps if values), None)
    chosen = swept[3](swept[2]) if swept else variants()
    for name, config in chosen.items():
        model, seconds = train(name, config, out_dir)
        parsed = parse(model, messages)
        results[name] = {"scores": scores(parsed), "confusions": confusions(parsed), "train_seconds": seconds,
                         "parse_ms": 1000 * median(p["seconds"] for p in parsed)}
        print(name, {lang: round(s["macro_f1"], 3) for lang, s in results[name]["scores"].items()}, flush=True)
    body = report(results)
    print(body)
    if args.no_write:
        return
    if swept:
        flag, section, values, _ = swept
        replace_section(ROOT / "docs" / "benchmarks.md", section, body,
                        command=f"python -m benchmarks.nlu {flag} " + " ".join(map(str, values)))
    else:
        replace_section(ROOT / "docs" / "benchmarks.md", "nlu", body, command="make bench-nlu")


if __name__ == "__main__":
    main()

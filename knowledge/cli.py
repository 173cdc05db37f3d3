"""`shopbot-kb`: the editors' command line (validate, build, search, stats)."""
from __future__ import annotations

import argparse
import sys

from tqdm import tqdm

from api.settings import Settings
from knowledge.content import LANGUAGES, load_content
from knowledge.embedder import make_embedder
from knowledge.errors import ContentError, KnowledgeError
from knowledge.search import KnowledgeBase


def knowledge_base(settings: Settings) -> KnowledgeBase:
    return KnowledgeBase(
        content_dir=settings.content_dir,
        index_dir=settings.index_dir,
        cache_dir=settings.embedding_cache_dir,
        embedder=make_embedder(settings.embedder),
        tuning=settings.search_tuning,
    )


def build_knowledge(settings: Settings) -> KnowledgeBase:
    """Build the index if the content changed, with a progress bar; say what happened."""
    kb = knowledge_base(settings)
    bar: tqdm | None = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, desc="Embedding passages", unit="passage")
        bar.update(done - bar.n)

    built = kb.ensure_built(progress=progress)
    if bar is not None:
        bar.close()
    manifest = kb.index.manifest
    verb = "built" if built else "up to date"
    print(f"Knowledge index {verb}: {manifest['entries']} entries, {manifest['passages']} passages ({kb.index.name})", flush=True)
    print(f"Bars measured on this content with off-topic reference questions: {kb.bars.describe()}", flush=True)
    return kb


def _validate(settings: Settings, _: argparse.Namespace) -> None:
    content = load_content(settings.content_dir)
    print(f"OK: {len(content.entries)} entries in {settings.content_dir}")


def _build(settings: Settings, _: argparse.Namespace) -> None:
    build_knowledge(settings)


def _search(settings: Settings, args: argparse.Namespace) -> None:
    kb = build_knowledge(settings)
    decision = kb.decide(args.question, lang=args.lang)
    print(f"decision: {decision.action} (evidence {decision.best.evidence if decision.best else 0:.3f}, answer bar {decision.bar:.3f}, lead {decision.margin:.3f})")
    print(f"{'':3} {'evid':>5} {'dense':>6} {'lexical':>7} {'fused':>6}  entry  [found by]  title")
    for rank, hit in enumerate(kb.search(args.question, lang=args.lang, k=args.k), start=1):
        flag = " (other language)" if hit.cross_lingual else ""
        print(f"{rank:>2}. {hit.evidence:5.2f} {hit.score:6.3f} {hit.lexical:7.3f} {hit.fused:6.3f}  {hit.entry_id}  [{'+'.join(hit.retrievers) or '-'}]  {hit.title}{flag}")


def _stats(settings: Settings, _: argparse.Namespace) -> None:
    content = load_content(settings.content_dir)
    print(f"{len(content.entries)} entries")
    for lang in LANGUAGES:
        missing = [e.id for e in content.entries if lang not in e.texts]
        alternatives = sum(len(e.texts[lang].alternatives) for e in content.entries if lang in e.texts)
        print(f"  {lang}: {len(content.entries) - len(missing)} entries, {alternatives} alternative phrasings" + (f", missing: {', '.join(missing)}" if missing else ""))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="shopbot-kb", description="Validate, build and query the shop's knowledge base.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("validate", help="check every content file; problems are listed with file and line")
    commands.add_parser("build", help="build the index if the content changed")
    search = commands.add_parser("search", help="show what the bot would find for a question")
    search.add_argument("question")
    search.add_argument("--lang", choices=LANGUAGES, default="en")
    search.add_argument("-k", type=int, default=5)
    commands.add_parser("stats", help="entries and phrasings per language, missing translations")
    args = parser.parse_args(argv)
    handlers = {"validate": _validate, "build": _build, "search": _search, "stats": _stats}
    try:
        handlers[args.command](Settings(), args)
    except ContentError as exc:
        print(f"{len(exc.problems)} problem(s) in the knowledge files:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        raise SystemExit(1) from None
    except KnowledgeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()

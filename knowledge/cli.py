"""`shopbot-kb`: the editors' command line (validate, build, search, stats, import, export)."""
from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path

from tqdm import tqdm

from contracts.languages import LANGUAGES
from knowledge.content import load_content
from knowledge.entries import is_language_code
from knowledge.errors import ContentError, KnowledgeError
from knowledge.exporting import export_csv
from knowledge.importing import ImportReport, import_faq
from knowledge.search import KnowledgeBase
from knowledge.settings import KnowledgeSettings, knowledge_base
from knowledge.shop import load_shop


def build_knowledge(settings: KnowledgeSettings) -> KnowledgeBase:
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


def _validate(settings: KnowledgeSettings, _: argparse.Namespace) -> None:
    shop = load_shop(settings)
    content = load_content(settings.content_dir)
    print(f"OK: {shop.name}, serving {', '.join(shop.languages)}; {len(content.entries)} entries in {settings.content_dir}")


def _build(settings: KnowledgeSettings, _: argparse.Namespace) -> None:
    build_knowledge(settings)


def _search(settings: KnowledgeSettings, args: argparse.Namespace) -> None:
    kb = build_knowledge(settings)
    decision = kb.decide(args.question, lang=args.lang)
    print(f"decision: {decision.action} (evidence {decision.best.evidence if decision.best else 0:.3f}, answer bar {decision.bar:.3f}, lead {decision.margin:.3f})")
    print(f"{'':3} {'evid':>5} {'dense':>6} {'lexical':>7} {'fused':>6}  entry  [found by]  title")
    for rank, hit in enumerate(kb.search(args.question, lang=args.lang, k=args.k), start=1):
        flag = " (other language)" if hit.cross_lingual else ""
        print(f"{rank:>2}. {hit.evidence:5.2f} {hit.score:6.3f} {hit.lexical:7.3f} {hit.fused:6.3f}  {hit.entry_id}  [{'+'.join(hit.retrievers) or '-'}]  {hit.title}{flag}")


def _stats(settings: KnowledgeSettings, _: argparse.Namespace) -> None:
    content = load_content(settings.content_dir)
    print(f"{len(content.entries)} entries")
    for lang in load_shop(settings).languages:  # a language the shop does not serve is no work to do
        missing = [e.id for e in content.entries if lang not in e.texts]
        alternatives = sum(len(e.texts[lang].alternatives) for e in content.entries if lang in e.texts)
        print(f"  {lang}: {len(content.entries) - len(missing)} entries, {alternatives} alternative phrasings" + (f", missing: {', '.join(missing)}" if missing else ""))


def _import(settings: KnowledgeSettings, args: argparse.Namespace) -> None:
    report = import_faq(settings.content_dir, args.sources, topic=args.topic, language=args.language, replace=args.replace,
                        write=not args.dry_run)
    _print_import(report, settings.content_dir, dry_run=args.dry_run)
    if not report.changed and (report.skipped or report.kept or not report.read):
        print("Nothing imported: see above what was left out and why; fix it in the file, or use --replace to overwrite "
              "the editors' texts.", file=sys.stderr)
        raise SystemExit(1)


def _print_import(report: ImportReport, content_dir: Path, *, dry_run: bool) -> None:
    """What was read, left out, kept and written, in the order a person reviews it."""
    print(f"Read {report.read} question(s) with answers.")
    for note in report.notes:
        print(f"  note: {note}")
    if report.skipped:
        print(f"Left out {len(report.skipped)}:")
        for skipped in report.skipped:
            print(f"  {skipped.where}: {skipped.reason}")
    for kept in report.kept:
        print(f"Kept the editor's text for {kept.entry_id} {kept.language} ({kept.where} differs): use --replace to overwrite it")
    for replaced in report.replaced:
        print(f"Replaced the text of {replaced.entry_id} {replaced.language} with {replaced.where}; it was: {replaced.before}")
    if report.added:
        print(f"New entries ({len(report.added)}): {', '.join(report.added)}")
    if report.filled:
        print(f"Languages added ({len(report.filled)}): {', '.join(f'{c.entry_id} {c.language}' for c in report.filled)}")
    for linked in report.linked:
        print(f"Link of {linked.entry_id} set from {linked.where}" + (f"; it was {linked.before}" if linked.before else ""))
    if report.unchanged:
        print(f"{report.unchanged} text(s) the content already has word for word")
    verb = "Would write" if dry_run else "Wrote"
    for path, text in report.files.items():
        shown = path.relative_to(content_dir.parent) if path.is_relative_to(content_dir.parent) else path
        print(f"{verb} {shown} ({'new file' if report.before.get(path) is None else 'changed'})")
        if dry_run:
            before = report.before.get(path) or ""
            sys.stdout.writelines(difflib.unified_diff(before.splitlines(keepends=True), text.splitlines(keepends=True),
                                                       fromfile=f"{shown} (now)", tofile=f"{shown} (after the import)"))
    if report.files and not dry_run:
        print("Review the changes with `git diff`; `shopbot-kb stats` lists the languages still missing.")
    elif not report.files and report.read:
        print("Nothing to write: the content already has every text that was read." if not report.kept else "Nothing to write.")


def _export(settings: KnowledgeSettings, args: argparse.Namespace) -> None:
    languages = args.languages or load_shop(settings).languages
    if args.out is None:
        rows, missing = export_csv(settings.content_dir, sys.stdout, languages=languages, missing_only=args.missing_only)
    else:
        with args.out.open("w", encoding="utf-8-sig", newline="") as out:  # the BOM tells Excel it is UTF-8
            rows, missing = export_csv(settings.content_dir, out, languages=languages, missing_only=args.missing_only)
    where = args.out or "standard output"
    print(f"Exported {rows} row(s) to {where}, {missing} to translate: fill in question and answer, then `shopbot-kb import` the file.",
          file=sys.stderr)


def _languages(value: str) -> list[str]:
    languages = [lang.strip() for lang in value.split(",") if lang.strip()]
    unknown = [lang for lang in languages if not is_language_code(lang)]
    if unknown or not languages:
        raise argparse.ArgumentTypeError(f"{', '.join(unknown) or value!r}: give ISO 639-1 codes such as {','.join(LANGUAGES)}, comma-separated")
    return languages


def _language(value: str) -> str:
    if not is_language_code(value):
        raise argparse.ArgumentTypeError(f"{value!r}: give an ISO 639-1 code such as {', '.join(LANGUAGES)}")
    return value


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="shopbot-kb", description="Validate, build and query the shop's knowledge base.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("validate", help="check every content file; problems are listed with file and line")
    commands.add_parser("build", help="build the index if the content changed")
    search = commands.add_parser("search", help="show what the bot would find for a question")
    search.add_argument("question")
    search.add_argument("--lang", type=_language, default="en")
    search.add_argument("-k", type=int, default=5)
    commands.add_parser("stats", help="entries and phrasings per language, missing translations")
    importing = commands.add_parser("import", help="add a shop's FAQ from CSV or XLSX exports and saved HTML or Markdown help pages",
                                    description="Read questions and answers and write them as FAQ entries for review in git. An entry "
                                    "that exists (same id, or the same question in the same language) only gets the languages it lacks.")
    importing.add_argument("sources", nargs="+", metavar="FILE_OR_URL", help=".csv, .xlsx, .html or .md file, or an http(s) address")
    importing.add_argument("--topic", help="the file (faq/<topic>.yml) for entries whose source names no topic (default: imported)")
    importing.add_argument("--language", choices=LANGUAGES, help="the language of rows that name none, and of pages")
    importing.add_argument("--replace", action="store_true", help="overwrite the editors' texts with the imported ones (each is reported)")
    importing.add_argument("--dry-run", action="store_true", help="only show what would be written")
    exporting = commands.add_parser("export", help="write a CSV for translators: one row per entry and language")
    exporting.add_argument("--out", type=Path, help="the CSV file to write (default: standard output)")
    exporting.add_argument("--missing-only", action="store_true", help="only the rows still to translate")
    exporting.add_argument("--languages", type=_languages, help="e.g. cs,en (default: the languages the shop serves)")
    args = parser.parse_args(argv)
    handlers = {"validate": _validate, "build": _build, "search": _search, "stats": _stats, "import": _import, "export": _export}
    try:
        handlers[args.command](KnowledgeSettings(), args)
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

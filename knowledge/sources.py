"""A shop's FAQ as it brings it, read into questions and answers: CSV and XLSX exports, saved HTML and Markdown help pages.

Each question keeps where it came from (file and row, or page and line or question) so that the import can say what
it left out and why. Nothing here decides ids, files or what the content already has: that is `knowledge.importing`.

Pages are parsed with selectolax (Lexbor, a real HTML5 parser), never with patterns: a FAQ page is accordions
(`<details><summary>`), definition lists, a question in bold heading its paragraph, or headings with their
text below (a heading ending in "?", or any heading under an FAQ heading). Markdown is rendered to HTML with
markdown-it-py and read the same way, each block marked with its line.
"""
from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from email.message import Message
from pathlib import Path
from typing import Any, Literal

import httpx
from markdown_it import MarkdownIt
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from selectolax.lexbor import LexborHTMLParser, LexborNode

from contracts.languages import LANGUAGES
from knowledge.errors import ImportSourceError
from knowledge.lexical import fold
from knowledge.spreadsheets import spreadsheet_text

Detect = Callable[[str], str | None]

# Header names, compared accent-folded and lower-case, with `_` and `-` read as spaces.
COLUMNS: dict[str, frozenset[str]] = {
    "question": frozenset({"question", "questions", "q", "otazka", "dotaz", "pytanie", "jautajums"}),
    "answer": frozenset({"answer", "answers", "a", "odpoved", "odpowiedz", "atbilde"}),
    "language": frozenset({"language", "lang", "locale", "jazyk", "jezyk", "valoda"}),
    "id": frozenset({"id", "entry", "entry id", "key"}),
    "topic": frozenset({"topic", "category", "kategorie", "kategoria", "kategorija", "tema", "temat", "section", "sekce"}),
    "link": frozenset({"link", "url", "odkaz", "odnosnik", "saite"}),
}
EXPORT_ONLY = frozenset({"source language", "source question", "source answer"})  # the translators' export: context, not data
LANGUAGE_NAMES = {"cz": "cs", "czech": "cs", "cestina": "cs", "cesky": "cs", "polish": "pl", "polski": "pl", "polski jezyk": "pl",
                  "latvian": "lv", "latviesu": "lv", "latviski": "lv", "english": "en", "anglicky": "en", "angielski": "en"}
FAQ_WORDS = ("casto kladene", "caste dotazy", "caste otazky", "nejcastejsi dotazy", "otazky a odpovedi", "czesto zadawane",
             "najczesciej zadawane", "pytania i odpowiedzi", "biezak uzdot", "jautajumi un atbildes", "frequently asked",
             "questions and answers")
MAX_DOWNLOAD = 20 * 1024 * 1024  # a help page or an export is far smaller; more is the wrong address


@dataclass(frozen=True)
class Found:
    """One question with its answer as the source has it; the fields the source leaves out are None."""

    where: str
    question: str
    answer: str
    language: str | None = None
    id: str | None = None
    topic: str | None = None
    link: str | None = None
    group: str | None = None  # one row of a table with a column pair per language: the languages of one entry


@dataclass(frozen=True)
class Skipped:
    where: str
    reason: str


@dataclass
class Read:
    """What one source gave: questions, what was left out with the reason, and remarks about the source itself."""

    found: list[Found] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def language_code(value: str) -> str | None:
    """`cs`, `CS`, `cs-CZ`, `cz`, `Czech`, `čeština` → `cs`; None for anything that is not one of ours."""
    name = " ".join(fold(value).replace("_", "-").split())
    code = LANGUAGE_NAMES.get(name, name.split("-")[0])
    return code if code in LANGUAGES else None


def read_source(source: str, *, language: str | None, detect: Detect) -> Read:
    """Read a file or an http(s) address; `language` is the one for texts that name none (and for pages, whatever they declare)."""
    if source.startswith(("http://", "https://")):
        data, kind, charset = _fetch(source)
        return _read(data, kind, source, url=source, charset=charset, language=language, detect=detect)
    path = Path(source)
    if not path.is_file():
        raise ImportSourceError(f"{source}: no such file (give a CSV, XLSX, HTML or Markdown file, or an http(s) address)")
    return _read(path.read_bytes(), _kind(path.suffix, source), path.name, url=None, charset=None, language=language, detect=detect)


Kind = Literal["csv", "xlsx", "html", "markdown"]
_SUFFIXES: dict[str, Kind] = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx", ".html": "html",
                              ".htm": "html", ".xhtml": "html", ".md": "markdown", ".markdown": "markdown"}


def _kind(suffix: str, source: str) -> Kind:
    if suffix.lower() == ".xls":
        raise ImportSourceError(f"{source}: the old Excel format (.xls) is not read: in Excel, save it as .xlsx or as 'CSV UTF-8'")
    if suffix.lower() not in _SUFFIXES:
        raise ImportSourceError(f"{source}: unknown kind of file `{suffix or 'without a suffix'}`: import .csv, .xlsx, .html or .md files")
    return _SUFFIXES[suffix.lower()]


def _fetch(url: str) -> tuple[bytes, Kind, str | None]:
    """Download once, when a person runs the import; the kind comes from the server's content type, else the address."""
    try:
        response = httpx.get(url, follow_redirects=True, timeout=30.0, headers={"User-Agent": "shopbot-kb-import"})
    except httpx.HTTPError as exc:
        raise ImportSourceError(f"{url}: could not fetch it ({exc}): check the address, or save the page and import the file") from None
    if response.status_code >= 400:
        raise ImportSourceError(f"{url}: the server answered {response.status_code}: check the address, or save the page and import the file")
    if len(response.content) > MAX_DOWNLOAD:
        raise ImportSourceError(f"{url}: more than {MAX_DOWNLOAD // 1024 // 1024} MB: is it the right address?")
    header = Message()
    header["content-type"] = response.headers.get("content-type", "")
    types: dict[str, Kind] = {"text/html": "html", "application/xhtml+xml": "html", "text/csv": "csv", "text/markdown": "markdown",
                              "text/x-markdown": "markdown",
                              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx"}
    kind = types.get(header.get_content_type()) or _SUFFIXES.get(Path(response.url.path).suffix.lower(), "html")
    return response.content, kind, header.get_content_charset()


def _read(data: bytes, kind: Kind, name: str, *, url: str | None, charset: str | None, language: str | None, detect: Detect) -> Read:
    if kind == "csv":
        return _table(_csv_rows(data, name), name, language=language)
    if kind == "xlsx":
        return _workbook(data, name, language=language)
    if kind == "markdown":
        return _page(_markdown_html(_utf8(data, name, "Markdown file")), name, url=url, language=language, detect=detect)
    return _page(_html_text(data, name, charset), name, url=url, language=language, detect=detect)


def _utf8(data: bytes, name: str, what: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ImportSourceError(f"{name} line {line}: the {what} is not UTF-8 text: save it as UTF-8 "
                                "(in Excel: Save as → 'CSV UTF-8 (comma delimited)')") from None


# Tables -------------------------------------------------------------------------------------------------------------


def _csv_rows(data: bytes, name: str) -> Iterator[tuple[int, list[str]]]:
    """Rows numbered as a spreadsheet shows them (the header is row 1); the delimiter is the one that finds the columns."""
    text = _utf8(data, name, "CSV file")
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    row, start = 0, 1
    try:
        for cells in reader:
            row += 1
            yield row, cells
            start = reader.line_num + 1
    except csv.Error as exc:
        hint = ("a quote (\") opens a text that never ends: close it, or double a quote inside a text (\"\")" if "end of data" in str(exc)
                else f"{exc}: is it a CSV file?")
        raise ImportSourceError(f"{name} row {row + 1} (line {start}): {hint}") from None


def _delimiter(text: str) -> str:
    """The first of the sniffed delimiter, `,` `;` tab `|` with which the first row names question and answer columns."""
    sample = "\n".join(text.splitlines()[:20])
    try:
        sniffed = [csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter]
    except csv.Error:
        sniffed = []
    candidates = [*sniffed, ",", ";", "\t", "|"]
    for delimiter in candidates:
        header = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
        if _pairs(_header(header)):
            return delimiter
    return candidates[0]


@dataclass(frozen=True)
class _Column:
    kind: str
    language: str | None
    index: int


def _header(cells: list[str]) -> list[_Column | str]:
    """Each header cell as a column we read (`Otázka`, `answer_en`, `pl answer`), or its own text when it is none of them."""
    columns: list[_Column | str] = []
    for index, cell in enumerate(cells):
        name = " ".join(fold(spreadsheet_text(cell.strip())).replace("_", " ").replace("-", " ").replace("(", " ").replace(")", " ").split())
        kind = next((k for k, names in COLUMNS.items() if name in names), None)
        if kind is not None:
            columns.append(_Column(kind, None, index))
            continue
        words = name.split()
        # a question or answer column per language: `question en`, `en answer`
        if len(words) == 2 and (lang := language_code(words[-1]) or language_code(words[0])) is not None:
            rest = words[0] if language_code(words[-1]) else words[-1]
            kind = next((k for k in ("question", "answer") if rest in COLUMNS[k]), None)
            if kind is not None:
                columns.append(_Column(kind, lang, index))
                continue
        columns.append(cell.strip())
    return columns


def _pairs(columns: list[_Column | str]) -> list[tuple[str | None, int, int]]:
    """(language or None, question column, answer column) for each language the table has both columns of."""
    questions = {c.language: c.index for c in columns if isinstance(c, _Column) and c.kind == "question"}
    answers = {c.language: c.index for c in columns if isinstance(c, _Column) and c.kind == "answer"}
    return [(lang, questions[lang], answers[lang]) for lang in questions if lang in answers]


_HEADER_HINT = ("name them in the first row, e.g. question, answer, language, id, topic, link "
                "(also otázka/odpověď, pytanie/odpowiedź, jautājums/atbilde, or question_en, answer_en …)")


def _table(rows: Iterable[tuple[int, list[str]]], name: str, *, language: str | None, sheet_language: str | None = None) -> Read:
    """Rows → questions: one per row, or one per language pair of columns (those of a row make one entry)."""
    read = Read()
    rows = iter(rows)
    header_row = next(((number, cells) for number, cells in rows if any(c.strip() for c in cells)), None)
    if header_row is None:
        raise ImportSourceError(f"{name}: the table is empty")
    columns = _header(header_row[1])
    pairs = _pairs(columns)
    if not pairs:
        found = ", ".join(repr(c if isinstance(c, str) else header_row[1][c.index]) for c in columns) or "nothing"
        raise ImportSourceError(f"{name} row {header_row[0]}: no question and answer columns (found {found}): {_HEADER_HINT}")
    single = {c.kind: c.index for c in columns if isinstance(c, _Column) and c.language is None and c.kind not in ("question", "answer")}
    paired = {i for _, q, a in pairs for i in (q, a)}
    ignored = [c if isinstance(c, str) else header_row[1][c.index] for c in columns
               if (isinstance(c, str) and c and fold(c).replace("_", " ") not in EXPORT_ONLY)
               or (isinstance(c, _Column) and c.kind in ("question", "answer") and c.index not in paired)]
    if ignored:
        read.notes.append(f"{name}: columns not read: {', '.join(ignored)}")
    untranslated = 0
    for number, raw in rows:
        cells = [spreadsheet_text(cell.strip()) for cell in raw]
        if not any(cells):
            continue
        where = f"{name} row {number}"
        if len(cells) > len(columns) and any(cells[len(columns):]):
            read.skipped.append(Skipped(where, f"{len(cells)} cells, but the header has {len(columns)} columns: "
                                               "is a delimiter inside a text that is not in quotes?"))
            continue
        cells += [""] * (len(columns) - len(cells))
        given = {kind: cells[index] or None for kind, index in single.items()}
        row_language = None
        if given.get("language"):
            row_language = language_code(given["language"] or "")
            if row_language is None:
                read.skipped.append(Skipped(where, f"unknown language {given['language']!r}: the bot serves cs, pl, lv and en"))
                continue
        for pair_language, question_index, answer_index in pairs:
            question, answer = cells[question_index], cells[answer_index]
            here = f"{where} ({pair_language})" if pair_language else where
            if not question and not answer:
                untranslated += pair_language is None
            elif not answer:
                read.skipped.append(Skipped(here, "the question has no answer"))
            elif not question:
                read.skipped.append(Skipped(here, "the answer has no question"))
            else:
                read.found.append(Found(here, question, answer, pair_language or row_language or sheet_language or language, given.get("id"),
                                        given.get("topic"), given.get("link"), group=where if pair_language else None))
    if untranslated:
        read.notes.append(f"{name}: {untranslated} row(s) without a question and an answer (not translated yet?) left out")
    return read


def _workbook(data: bytes, name: str, *, language: str | None) -> Read:
    """Every sheet of the workbook that has question and answer columns; a sheet named after a language gives its rows' language."""
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise ImportSourceError(f"{name}: not an Excel workbook (.xlsx) ({exc}): open it in Excel and save it as .xlsx or 'CSV UTF-8'") from None
    read = Read()
    try:
        sheets = workbook.worksheets
        for sheet in sheets:
            where = f"{name}, sheet {sheet.title!r}" if len(sheets) > 1 else name
            rows = ((number, [_cell_text(value) for value in values]) for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), 1))
            try:
                part = _table(rows, where, language=language, sheet_language=language_code(sheet.title))
            except ImportSourceError as exc:
                if len(sheets) == 1:
                    raise
                read.notes.append(f"{exc}: sheet left out")
                continue
            read.found += part.found
            read.skipped += part.skipped
            read.notes += part.notes
    finally:
        workbook.close()
    if not read.found and not read.skipped and len(workbook.worksheets) > 1:
        raise ImportSourceError(f"{name}: no sheet has question and answer columns: {_HEADER_HINT}")
    return read


def _cell_text(value: Any) -> str:
    """A cell as the text a person sees: 12, not 12.0; a date as a date."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


# Pages --------------------------------------------------------------------------------------------------------------


def _html_text(data: bytes, name: str, charset: str | None) -> str:
    """The page's text in the charset the server or the page itself declares (UTF-8 when none)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    declared = charset or _meta_charset(data) or "utf-8"
    try:
        return data.decode(declared)
    except (LookupError, UnicodeDecodeError):
        raise ImportSourceError(f"{name}: the page is not {declared} text as it declares: save it again as UTF-8") from None


def _meta_charset(data: bytes) -> str | None:
    head = LexborHTMLParser(data[:4096].decode("latin-1"))  # every byte is a character in latin-1: enough to read the <meta>
    if (meta := head.css_first("meta[charset]")) is not None:
        return meta.attributes.get("charset")
    for meta in head.css("meta[http-equiv]"):
        if (meta.attributes.get("http-equiv") or "").lower() == "content-type":
            header = Message()
            header["content-type"] = meta.attributes.get("content") or ""
            return header.get_content_charset()
    return None


def _markdown_html(text: str) -> str:
    """Markdown → HTML whose blocks carry `data-line`, so what is left out is reported by line."""
    parser = MarkdownIt("commonmark").enable("table")
    tokens = parser.parse(text)
    for token in tokens:
        if token.nesting == 1 and token.map is not None:
            token.attrSet("data-line", str(token.map[0] + 1))
    return parser.renderer.render(tokens, parser.options, {})


NEVER_TEXT = "script, style, template, noscript, svg, iframe, nav, aside, form, [role=navigation], [aria-hidden=true]"
SITE_PARTS = "header, footer, [role=banner], [role=contentinfo]"  # the shop's own header and footer: left out when the page has no <main>
BLOCKS = frozenset({"address", "article", "blockquote", "dd", "details", "div", "dl", "dt", "figcaption", "figure", "footer", "h1", "h2",
                    "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "ol", "p", "pre", "section", "summary", "table", "tbody", "td",
                    "th", "thead", "tr", "ul"})
HEADINGS = {f"h{level}": level for level in range(1, 7)}
SKIPPED_TAGS = frozenset({"button", "input", "select", "textarea", "label", "img", "picture", "video", "audio", "canvas"})


@dataclass(frozen=True)
class _Block:
    """A piece of the page in reading order: a heading, a question (alone, or with its answer: an accordion), or text."""

    kind: Literal["heading", "question", "pair", "text"]
    text: str
    node: LexborNode
    level: int = 0
    answer: str = ""


def _page(html: str, name: str, *, url: str | None, language: str | None, detect: Detect) -> Read:
    tree = LexborHTMLParser(html)
    html_node = tree.css_first("html")
    declared = language_code((html_node.attributes.get("lang") or "") if html_node is not None else "")
    page_url = _canonical(tree) or url  # a saved page keeps its public address; a fetched one may have been a mirror
    title = tree.css_first("title")
    declared_faq = _is_faq(title.text()) if title is not None else False
    json_ld = _json_ld_faq(tree)
    for node in tree.css(NEVER_TEXT):
        node.decompose()
    root = tree.css_first("main") or tree.css_first("[role=main]")
    if root is None:
        for node in tree.css(SITE_PARTS):
            node.decompose()
        root = tree.body
    read = Read()
    pairs = _questions(list(_blocks(root)) if root is not None else [], declared_faq, read, name)
    if not pairs and json_ld:
        pairs = [(question, answer, None, None, None) for question, answer in json_ld]
    if not pairs:
        if not read.skipped:
            raise ImportSourceError(f"{name}: found no questions with answers: a FAQ page has accordions (<details>), a question as a "
                                    "heading or in bold with the answer below, or a definition list (<dt>/<dd>)")
        return read
    page_language = language or declared or detect(" ".join(f"{q} {a}" for q, a, *_ in pairs))
    for question, answer, question_node, topic, anchor in pairs:
        where = _where(name, question_node, question)
        link = f"{page_url.split('#')[0]}#{anchor}" if page_url and anchor else page_url
        read.found.append(Found(where, question, answer, page_language, None, topic, link))
    return read


def _canonical(tree: LexborHTMLParser) -> str | None:
    """The page's own address, kept by a saved page: <link rel=canonical> or og:url."""
    link = tree.css_first("link[rel=canonical]")
    if link is not None and (href := link.attributes.get("href")) and href.startswith(("https://", "http://")):
        return href
    meta = tree.css_first('meta[property="og:url"]')
    if meta is not None and (content := meta.attributes.get("content")) and content.startswith(("https://", "http://")):
        return content
    return None


def _json_ld_faq(tree: LexborHTMLParser) -> list[tuple[str, str]]:
    """The questions a page declares for search engines (schema.org FAQPage in JSON-LD), read when its markup has none."""
    found = []
    for script in tree.css('script[type="application/ld+json"]'):
        try:
            data = json.loads(script.text())
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
            elif isinstance(item, dict):
                if item.get("@type") == "Question" and isinstance(item.get("acceptedAnswer"), dict):
                    answer = LexborHTMLParser(str(item["acceptedAnswer"].get("text") or ""))
                    found.append((_clean(str(item.get("name") or "")), _text(answer.body) if answer.body is not None else ""))
                else:
                    stack.extend(reversed([v for v in item.values() if isinstance(v, list | dict)]))
    return [(q, a) for q, a in found if q and a]


def _is_faq(text: str) -> bool:
    folded = " ".join(fold(text).split())
    return any(words in folded for words in FAQ_WORDS) or bool({"faq", "faqs", "buj", "q&a"} & set(folded.replace("|", " ").split()))


def _blocks(node: LexborNode) -> Iterator[_Block]:
    """The page's blocks in reading order; accordions and definition lists come whole, as questions with their answers."""
    for child in node.iter(include_text=True):
        tag = child.tag or ""
        if tag == "-text":
            if text := _clean(child.text_content or ""):
                yield _Block("text", text, node)
            continue
        if tag in SKIPPED_TAGS and not _is_trigger(child):
            continue
        if tag == "details":
            summary = child.css_first("summary")
            if summary is not None:
                answer = "\n".join(_text(part) for part in child.iter(include_text=True) if part.tag != "summary")
                yield _Block("pair", _clean(_text(summary)), child, answer=_clean_lines(answer))
        elif tag == "dl":
            yield from _definitions(child)
        elif tag in HEADINGS:
            yield _Block("heading", _clean(_text(child)), child, level=HEADINGS[tag])
        elif _is_trigger(child):
            yield _Block("question", _clean(_text(child)), child)
        elif tag in ("p", "div", "li") and (lead := _bold_question(child)) is not None:
            yield _Block("question", _clean(_text(lead)), child)
            rest = _text(child).strip()[len(_text(lead).strip()):]
            if rest.strip(" \n:–-"):
                yield _Block("text", _clean_lines(rest.strip(" \n:–-")), child)
        elif tag != "p" and not _has_blocks(child) and (text := _clean(_text(child))).endswith("?") and len(text) <= 200 \
                and tag not in ("li", "td", "th"):
            yield _Block("question", text, child)  # an accordion's title in a <div> or <span>: short, alone, ending in "?"
        elif _has_blocks(child):
            yield from _blocks(child)
        elif text := _clean_lines(_text(child)):
            yield _Block("text", f"• {text}" if tag == "li" else text, child)


def _is_trigger(node: LexborNode) -> bool:
    """An accordion's button (WAI-ARIA: it expands its answer) whose text is a question."""
    attributes = node.attributes
    return ("aria-expanded" in attributes or "aria-controls" in attributes) and _clean(_text(node)).endswith("?")


def _bold_question(node: LexborNode) -> LexborNode | None:
    """The <strong>/<b> a paragraph starts with, when it is a question: `<p><strong>Can I …?</strong> Yes, …</p>`."""
    first = next((c for c in node.iter(include_text=True) if c.tag != "-text" or (c.text_content or "").strip()), None)
    if first is not None and first.tag in ("strong", "b") and _clean(_text(first)).rstrip(":").endswith("?"):
        return first
    return None


def _definitions(node: LexborNode) -> Iterator[_Block]:
    term: LexborNode | None = None
    answers: list[str] = []
    for child in [*node.iter(include_text=False), None]:
        if child is None or child.tag == "dt":
            if term is not None:
                yield _Block("pair", _clean(_text(term)), term, answer=_clean_lines("\n".join(answers)))
            term, answers = child, []
        elif child.tag == "dd":
            answers.append(_text(child))
        elif child.tag == "div":  # HTML allows <div> around each dt/dd group
            yield from _definitions(child)


def _has_blocks(node: LexborNode) -> bool:
    return any((child.tag or "") in BLOCKS for child in node.iter(include_text=False))


Question = tuple[str, str, LexborNode | None, str | None, str | None]  # question, answer, node, topic, anchor


def _questions(blocks: list[_Block], declared_faq: bool, read: Read, name: str) -> list[Question]:
    """Blocks → questions with answers. A heading is a question when it ends in "?" or stands under an FAQ heading and has text
    below it before the next heading; one with only headings or accordions below is a section, whose title is its questions' topic."""
    found: list[Question] = []
    sections: list[_Block] = []  # the headings the current block stands under
    current: tuple[_Block, list[str]] | None = None  # a question being read, and its answer so far
    pending: _Block | None = None  # the last heading, until its next block says whether it is a question

    def topic(level: int) -> str | None:
        titles = [h.text for h in sections if 2 <= h.level < level and not _is_faq(h.text) and not h.text.endswith("?")]
        return titles[-1] if titles else None

    def finish() -> None:
        nonlocal current
        if current is not None:
            block, parts = current
            answer = _clean_lines("\n".join(parts))
            if answer:
                found.append((block.text, answer, block.node, topic(block.level or 7), _anchor(block.node)))
            else:
                read.skipped.append(Skipped(_where(name, block.node, block.text), "the question has no answer below it"))
        current = None

    for block in blocks:
        if block.kind == "heading":
            finish()
            if pending is not None and pending.text.endswith("?"):
                read.skipped.append(Skipped(_where(name, pending.node, pending.text), "the question has no answer below it"))
            sections = [h for h in sections if h.level < block.level] + [block]
            pending = block
        elif block.kind == "text":
            if current is not None:
                current[1].append(block.text)
            elif pending is not None and pending.text and not _is_faq(pending.text) \
                    and (pending.text.endswith("?") or declared_faq or any(_is_faq(h.text) for h in sections[:-1])):
                current = (pending, [block.text])
            pending = None
        else:  # a question of its own below a heading: that heading is a section, not a question
            if current is not None and current[0].kind == "heading" and not current[0].text.endswith("?"):
                current = None
            finish()
            pending = None
            if block.kind == "pair":
                if block.text and block.answer:
                    found.append((block.text, block.answer, block.node, topic(7), _anchor(block.node)))
                elif block.text:
                    read.skipped.append(Skipped(_where(name, block.node, block.text), "the question has no answer"))
            else:
                current = (block, [])
    finish()
    return found


def _anchor(node: LexborNode | None) -> str | None:
    """The id a link can jump to: the question's own, or its accordion's."""
    while node is not None and node.tag not in ("body", "main", "html"):
        if identifier := node.attributes.get("id"):
            return identifier
        if node.tag not in ("summary", "dt", "strong", "b", "button", "span"):
            return None
        node = node.parent
    return None


def _where(name: str, node: LexborNode | None, question: str) -> str:
    """`faq.md line 12` for Markdown; `page.html: "Kolik stojí…"` for HTML, where lines are not known."""
    while node is not None:
        if line := node.attributes.get("data-line"):
            return f"{name} line {line}"
        node = node.parent
    short = question if len(question) <= 60 else question[:57] + "…"
    return f'{name}: "{short}"'


def _text(node: LexborNode | None) -> str:
    """The text of a node with its blocks on lines of their own and list items as bullets."""
    if node is None:
        return ""
    parts: list[str] = []
    for part in node.traverse(include_text=True):
        tag = part.tag or ""
        if tag == "-text":
            parts.append(part.text_content or "")
        elif tag == "br" or (tag in BLOCKS and part.mem_id != node.mem_id):
            parts.append("\n• " if tag == "li" else "\n")
    return "".join(parts)


def _clean(text: str) -> str:
    return " ".join(text.split())


def _clean_lines(text: str) -> str:
    return "\n".join(line for line in (_clean(line) for line in text.split("\n")) if line and line != "•")

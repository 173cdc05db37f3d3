"""Keeps docs/benchmarks.md current: each benchmark rewrites only its own section."""
from __future__ import annotations

import platform
import time
from pathlib import Path


def replace_section(path: Path, name: str, body: str, *, command: str) -> None:
    """Replace the text between `<!-- name:start -->` and `<!-- name:end -->`, adding the section if new."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    stamp = f"Command: `{command}` — run {time.strftime('%Y-%m-%d')} on {platform.machine()}, Python {platform.python_version()}."
    block = f"{start}\n{stamp}\n\n{body}\n{end}"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip() + f"\n\n## {name.capitalize()}\n\n{block}\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")

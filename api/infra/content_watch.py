"""Follows editors' changes to the knowledge files while the api serves: no restart needed."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from watchfiles import awatch

from knowledge import KnowledgeBase

log = logging.getLogger(__name__)


async def watch_content(knowledge: KnowledgeBase, stop: asyncio.Event, *, also: Callable[[], None] = lambda: None, debounce_ms: int = 400) -> None:
    """Rebuild (re-embedding only what changed) after each burst of file changes, and run `also` (the shop file is in
    the same folder: its name and languages follow); runs until `stop` is set."""
    async for _changes in awatch(knowledge.content_dir, stop_event=stop, debounce=debounce_ms, recursive=True):
        also()
        await asyncio.to_thread(knowledge.reload)

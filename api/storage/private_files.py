"""Files that hold customers' words or secrets (the SQLite databases, the api's and Rasa's, and the logs): readable by the product's user only.

Created with their narrow mode from the start, never briefly world-readable, and narrowed when an earlier
version left them 0644/0755. The rest of var/ (models, index, embedding cache) holds nothing private, and the
scale-out profile's PostgreSQL and nginx, running as other users, need to reach their folders inside it.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
SQLITE_SIDECARS = ("-wal", "-shm", "-journal")  # SQLite gives them the database's mode; older ones are narrowed here


def private_dir(path: Path) -> Path:
    """`path` created if missing (parents as usual), itself readable by this user only."""
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(PRIVATE_DIR)
    return path


def private_file(path: Path) -> Path:
    """`path` created empty if missing, with mode 0600 from the first moment; an existing file is narrowed to it."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE))
    path.chmod(PRIVATE_FILE)
    return path


def open_private_log(path: Path) -> BinaryIO:
    """A log file in a private folder, opened for appending (a process's stdout and stderr go there)."""
    private_dir(path.parent)
    return private_file(path).open("ab")


def private_sqlite_file(url: str) -> None:
    """The database's folder, and the file itself readable by this user only: it holds transcripts, e-mails, password hashes.

    Takes any SQLAlchemy URL (the api's `sqlite+aiosqlite:///…`, Rasa's tracker store `sqlite:///…`); other databases are left alone.
    """
    path = url.split("///", 1)[-1] if url.startswith("sqlite") else ""
    if not path or path == ":memory:":
        return
    database = Path(path)
    database.parent.mkdir(parents=True, exist_ok=True)
    private_file(database)
    for sidecar in (database.with_name(database.name + suffix) for suffix in SQLITE_SIDECARS):
        if sidecar.exists():
            private_file(sidecar)

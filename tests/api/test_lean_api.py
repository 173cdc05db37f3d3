"""The api at rest holds what serving needs (issue #23: ≤ 500 MB): libraries of rare paths load where they are used.

Spreadsheet and web-page readers (`shopbot-kb import`), Alembic (migrations run in a child process), the Redis client
(only with `SHOPBOT_REDIS_URL`) and scikit-learn's clustering (the back office's unanswered questions) cost the api
about 30 MiB when imported at start-up (docs/benchmarks.md, Memory)."""
from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path

import pytest

from api.settings import ROOT
from api.storage.db import MigrationError, migrate_in_child
from runner.processes import API_PYTHON

RARE = ("openpyxl", "selectolax", "markdown_it", "knowledge.importing", "knowledge.sources", "alembic", "mako", "redis", "sklearn.cluster")


def test_building_the_api_imports_no_library_of_a_rare_path() -> None:
    probe = "import json, sys; from api.main import create_app; create_app(); print(json.dumps(sorted(sys.modules)))"
    loaded = set(json.loads(subprocess.run([str(API_PYTHON), "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True).stdout))
    assert [name for name in RARE if name in loaded] == []
    assert {"rasa_sdk", "sqlalchemy", "lingua"} <= loaded  # the probe did load what the api serves with


def test_the_child_process_migrates_a_fresh_database_to_the_newest_revision(tmp_path: Path) -> None:
    database = tmp_path / "fresh.db"
    migrate_in_child(f"sqlite+aiosqlite:///{database}")
    newest = max(path.name.split("_")[0] for path in (ROOT / "api" / "storage" / "migrations" / "versions").glob("[0-9]*.py"))
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [(newest,)]


def test_a_failed_migration_stops_the_start_with_the_childs_error() -> None:
    with pytest.raises(MigrationError, match="nosuchdialect"):
        migrate_in_child("nosuchdialect://nowhere/db")

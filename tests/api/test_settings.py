"""Settings derived from others follow them, also in a copy (a second api in the same process, a replica's settings)."""
from __future__ import annotations

from pathlib import Path

from api.settings import Settings


def test_a_copy_with_another_database_or_folder_uses_its_own_database(tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path / "first")
    assert settings.database.endswith("first/shopbot.db")  # read once, as the running product does
    other = settings.model_copy(update={"database_url": f"sqlite+aiosqlite:///{tmp_path / 'second.db'}"})
    assert other.database == f"sqlite+aiosqlite:///{tmp_path / 'second.db'}"
    moved = settings.model_copy(update={"var_dir": tmp_path / "third"})
    assert moved.database.endswith("third/shopbot.db")

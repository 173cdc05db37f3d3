"""The Rasa project as Rasa's own tools see it: data validation, our NLU component's tests, test stories."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from api.settings import ROOT
from runner.training import RASA_BIN, rasa_env

STORIES = ROOT / "tests" / "stories"

pytestmark = pytest.mark.slow  # each starts Rasa's own tools (tens of seconds to minutes): `make test-fast` leaves them out


def run_in_rasa_env(*args: str, timeout: int = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), cwd=ROOT, env=rasa_env(), capture_output=True, text=True, timeout=timeout, check=False)


def test_rasa_data_validate_passes() -> None:
    result = run_in_rasa_env(str(RASA_BIN), "data", "validate", "--data", "bot/data", "--domain", "domain.yml", "--config", "config.yml")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]


def test_custom_nlu_component_next_to_real_rasa_components() -> None:
    """bot/tests runs inside .venv-rasa (Python 3.10, Rasa 3.6), where the component runs in production."""
    result = run_in_rasa_env(str(RASA_BIN.parent / "python"), "-m", "pytest", "bot/tests", "-q", "-p", "no:cacheprovider")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]


def test_rasa_test_stories_pass(trained_model: Path, tmp_path: Path) -> None:
    """Every flow in at least two languages, NLU included (the stories carry the customers' own words)."""
    result = run_in_rasa_env(str(RASA_BIN), "test", "core", "--stories", str(STORIES), "--model", str(trained_model),
                             "--out", str(tmp_path), "--fail-on-prediction-errors", "--no-plot")
    failed = tmp_path / "failed_test_stories.yml"
    details = failed.read_text() if failed.exists() else ""
    assert result.returncode == 0, details[-6000:] + result.stdout[-3000:] + result.stderr[-3000:]

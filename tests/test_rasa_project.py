"""Rasa's own checks of the training data, domain and config, as `rasa data validate` runs them."""
from __future__ import annotations

import subprocess

from api.settings import ROOT
from runner.training import RASA_BIN, rasa_env


def test_rasa_data_validate_passes() -> None:
    result = subprocess.run(
        [str(RASA_BIN), "data", "validate", "--data", "bot/data", "--domain", "domain.yml", "--config", "config.yml"],
        cwd=ROOT, env=rasa_env(), capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]

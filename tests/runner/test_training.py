"""A training that fails says why: the tests and `make run` that wait for it show the end of its log."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from runner.training import Training, TrainingError


def test_a_failed_training_raises_with_the_end_of_its_log(tmp_path: Path) -> None:
    log = tmp_path / "train.log"
    with open(log, "wb") as output:
        process = subprocess.Popen([sys.executable, "-c", "print('InvalidConfigException: no pipeline'); raise SystemExit(3)"],
                                   stdout=output, stderr=subprocess.STDOUT)
    with pytest.raises(TrainingError, match=r"exit code 3(.|\n)*InvalidConfigException: no pipeline"):
        Training(tmp_path / "model.tar.gz", process, log).result()


def test_a_training_that_writes_no_model_fails(tmp_path: Path) -> None:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    with pytest.raises(TrainingError, match=r"wrote no model\.tar\.gz"):
        Training(tmp_path / "model.tar.gz", process, None).result()

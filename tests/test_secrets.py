"""No secret in the repository: every tracked file scanned by detect-secrets (Yelp's scanner).

Test fixtures' made-up passwords are marked on their line with `# pragma: allowlist secret`.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from api.settings import ROOT

DETECT_SECRETS = Path(sys.executable).parent / "detect-secrets"


@pytest.mark.slow
def test_no_secret_is_committed() -> None:
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    scan = subprocess.run([str(DETECT_SECRETS), "scan", *files], cwd=ROOT, capture_output=True, text=True, check=True)
    found = {path: [(hit["type"], hit["line_number"]) for hit in hits] for path, hits in json.loads(scan.stdout)["results"].items()}
    assert found == {}, f"secrets in the repository (move them to the environment): {found}"

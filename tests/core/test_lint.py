"""The code passes ruff (lint and format), as configured in pyproject.toml."""

import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.embedded  # ruff: no database


def test_ruff_lint_and_format():
    lint = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout[-4000:]
    fmt = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "."], cwd=ROOT, capture_output=True, text=True
    )
    assert fmt.returncode == 0, fmt.stdout[-4000:]

"""ruff is the project's linter (pyproject.toml); CI runs it through the test suite so a lint error fails the build."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_ruff_finds_nothing():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=Path(__file__).resolve().parent.parent,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr

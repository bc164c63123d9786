"""`pip install .` must ship every module and data file: pyproject lists packages by hand (the repo root is `luzhi`)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP = {"tests", "bench", "build", "docs"}


def test_every_python_package_is_listed():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    found = {"luzhi"} | {
        "luzhi." + ".".join(init.parent.relative_to(ROOT).parts)
        for init in ROOT.rglob("__init__.py")
        if init.parent != ROOT and init.parent.relative_to(ROOT).parts[0] not in SKIP
        and not any(part.startswith(".") for part in init.parent.relative_to(ROOT).parts)
        and "egg-info" not in str(init)
    }
    assert set(config["packages"]) == found

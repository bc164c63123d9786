"""What a township code given by hand (`--township-code FILE=CODE`, BuildOptions.township_codes) may name a
file by. One definition for the build (etl/stage.py) and the command line's checks (server/township_option.py),
in a module of its own so that the command line does not import the build to read its options."""

from __future__ import annotations

from pathlib import Path


def code_keys(path: Path) -> tuple[str, str, str]:
    """Its name, its path as given, its absolute path (a file found in a folder given by a relative path is then
    named as the shell completes it; cold review 29)."""
    return path.name, str(path), str(Path(path).resolve())

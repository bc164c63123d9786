"""What a township code given by hand (`--township-code FILE=CODE`, BuildOptions.township_codes) may name a
file by. One definition for the build (etl/stage.py) and the command line's checks (server/township_option.py),
in a module of its own so that the command line does not import the build to read its options."""

from __future__ import annotations

import os
from pathlib import Path


def code_keys(path: Path) -> frozenset[str]:
    """Its name; its path as given (normalised: `a/../a/x.txt` is `a/x.txt`); its absolute path as the shell
    spells it (under $PWD, through the links the user went through), as the system does (os.getcwd() follows
    them) and with every link resolved. A file found in a folder given by a relative path was "not among the
    files given" when named absolutely (cold reviews 29 and 31)."""
    given = os.path.normpath(path)
    keys = {Path(path).name, given, os.path.abspath(given), str(Path(path).resolve())}
    shell_cwd = os.environ.get("PWD")
    if shell_cwd and not os.path.isabs(given) and _same_directory(shell_cwd, os.getcwd()):
        keys.add(os.path.normpath(os.path.join(shell_cwd, given)))
    return frozenset(keys)


def normalised(key: str) -> str:
    """A FILE given to `--township-code` spelt as `code_keys` spells paths."""
    return os.path.normpath(key)


def _same_directory(first: str, second: str) -> bool:
    try:
        return os.path.samefile(first, second)
    except OSError:
        return False

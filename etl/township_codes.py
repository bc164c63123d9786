"""Which file a township code given by hand (`--township-code FILE=CODE`, BuildOptions.township_codes) names. One
definition for the build (etl/stage.py) and the command line's checks (server/township_option.py), in a module of
its own so that the command line does not import the build to read its options."""

from __future__ import annotations

import os
from pathlib import Path


def names_file(given: str, path: Path) -> bool:
    """Whether FILE `given` names `path`. A bare name (no folder in it) names every file of that name, which the
    command line refuses when that is more than one; a path names the file it leads to on disk, through any link
    and `..` as the system reads them (`./清单.txt` is the one beside you, `$PWD/a/x.txt` through the link the
    shell went through), or, when either is not on disk, the path spelt the same. Matching by text alone missed a
    folder's files named absolutely, and `l/../b` through a link named another file (cold reviews 29 and 31)."""
    if os.sep not in given and not (os.altsep and os.altsep in given):
        return Path(path).name == given
    try:
        return os.path.samefile(given, path)
    except OSError:  # one of them is not on disk: a FILE leading nowhere names no file that is
        return not os.path.exists(path) and os.path.normpath(given) == os.path.normpath(path)


def code_for(codes: dict[str, str], path: Path) -> str | None:
    """The code given for `path`, if a FILE of `codes` names it."""
    return next((code for given, code in codes.items() if names_file(given, path)), None)

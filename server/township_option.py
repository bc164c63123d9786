"""`--township-code FILE=CODE`, one option for `luzhi build` and `luzhi validate`.

A title that names no township, or one shared by several (西郊乡: 230302201 and 410505200), resolves only
with the code given by hand (etl/divisions.py). `validate` lacked the option, so such a document could be
built but not checked (cold review); both commands now take it from here.
"""

from __future__ import annotations

import re
from pathlib import Path

import click

from luzhi.etl.code_keys import code_keys

_CODE = re.compile(r"\d{9}")


def parse_codes(ctx, param, pairs: tuple[str, ...]) -> dict[str, str]:
    """`FILE=CODE` pairs → {file name or path: 9-digit code}; anything else is a usage error naming the pair."""
    codes = {}
    for pair in pairs:
        name, sep, code = pair.rpartition("=")
        if not sep or not name or not _CODE.fullmatch(code):
            raise click.BadParameter(f"须为「文件=9 位代码」，收到 {pair!r} / expected FILE=9-digit-code, got {pair!r}",
                                     param_hint="--township-code")
        name = str(Path(name))  # `./a.txt` as the file `./a.txt` is named once given (pathlib drops the `./`)
        if codes.get(name, code) != code:
            raise click.BadParameter(f"{name} 有两个代码（{codes[name]}、{code}）/ {name} is given two codes "
                                     f"({codes[name]}, {code})", param_hint="--township-code")
        codes[name] = code
    return codes


def code_for(codes: dict[str, str], path: Path) -> str | None:
    """The code given for `path`, by its name, its path as given or its absolute path (as etl.stage.BuildOptions)."""
    return next((codes[key] for key in code_keys(path) if key in codes), None)


def check_codes_name_files(codes: dict[str, str], paths) -> None:
    """Refuse a code given for a file that is not among `paths`: a misspelt name was silently ignored, and the
    document then resolved (or failed) by its title, exit 0 (cold review). Refuse a bare name that several of
    `paths` bear (one `清单.docx` in each township's folder): the code went to all of them (cold review 29)."""
    for name in codes:
        bearing = [str(path) for path in paths if path.name == name and name not in (str(path), str(path.resolve()))]
        if len(bearing) > 1:
            shown = ", ".join(bearing[:5]) + (" …" if len(bearing) > 5 else "")
            raise click.BadParameter(f"{name} 是 {len(bearing)} 个文件的文件名（{shown}）：请用路径指明是哪一个 / "
                                     f"{name} is the name of {len(bearing)} files ({shown}): name the one meant by "
                                     "its path", param_hint="--township-code")
    named = {key for path in paths for key in code_keys(path)}
    unknown = [name for name in codes if name not in named]
    if unknown:
        names = ", ".join(unknown)
        given = ", ".join(path.name for path in paths[:5]) + (" …" if len(paths) > 5 else "")
        raise click.BadParameter(f"{names} 不在所给的文件之中（{given}）：请按文件名或命令行上的路径给出代码 / "
                                 f"{names} is not among the files given ({given}): name a file as it is named, or "
                                 "by the path given on the command line", param_hint="--township-code")


township_code_option = click.option(
    "--township-code", "codes", multiple=True, metavar="FILE=CODE", callback=parse_codes,
    help="Give a document's 9-digit township code by hand when its title cannot be resolved (repeatable).")

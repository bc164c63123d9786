"""`--township-code FILE=CODE`, one option for `luzhi build` and `luzhi validate`.

A title that names no township, or one shared by several (西郊乡: 230302201 and 410505200), resolves only
with the code given by hand (etl/divisions.py). `validate` lacked the option, so such a document could be
built but not checked (cold review); both commands now take it from here.
"""

from __future__ import annotations

import re

import click

from luzhi.etl.township_codes import names_file

_CODE = re.compile(r"\d{9}")


def parse_codes(ctx, param, pairs: tuple[str, ...]) -> dict[str, str]:
    """`FILE=CODE` pairs → {file name or path: 9-digit code}; anything else is a usage error naming the pair."""
    codes = {}
    for pair in pairs:
        name, sep, code = pair.rpartition("=")
        if not sep or not name or not _CODE.fullmatch(code):
            raise click.BadParameter(f"须为「文件=9 位代码」，收到 {pair!r} / expected FILE=9-digit-code, got {pair!r}",
                                     param_hint="--township-code")
        if codes.get(name, code) != code:
            raise click.BadParameter(f"{name} 有两个代码（{codes[name]}、{code}）/ {name} is given two codes "
                                     f"({codes[name]}, {code})", param_hint="--township-code")
        codes[name] = code
    return codes


def check_codes_name_files(codes: dict[str, str], paths) -> None:
    """Refuse a code given for a file that is not among `paths`: a misspelt name was silently ignored, and the
    document then resolved (or failed) by its title, exit 0 (cold review). Refuse a FILE that names several of
    `paths` (a bare `清单.docx` of one in each township's folder): the code went to all of them; and a file
    named by two FILEs with two codes (cold reviews 29 and 31). Which FILE names which file: etl/township_codes.py."""
    for name in codes:
        named = [str(path) for path in paths if names_file(name, path)]
        if len(named) > 1:
            shown = ", ".join(named[:5]) + (" …" if len(named) > 5 else "")
            raise click.BadParameter(f"{name} 指的是 {len(named)} 个文件（{shown}）：请用路径指明是哪一个（当前文件夹"
                                     f"中的写作 ./{name}） / {name} names {len(named)} files ({shown}): name the one "
                                     f"meant by its path (./{name} for the one in this folder)",
                                     param_hint="--township-code")
    for path in paths:
        given = {code for name, code in codes.items() if names_file(name, path)}
        if len(given) > 1:
            raise click.BadParameter(f"{path} 有两个代码（{'、'.join(sorted(given))}）/ {path} is given two codes "
                                     f"({', '.join(sorted(given))})", param_hint="--township-code")
    unknown = [name for name in codes if not any(names_file(name, path) for path in paths)]
    if unknown:
        names = ", ".join(unknown)
        given = ", ".join(str(path) for path in paths[:5]) + (" …" if len(paths) > 5 else "")
        raise click.BadParameter(f"{names} 不在所给的文件之中（{given}）：请按文件名或路径给出 / {names} is not among "
                                 f"the files given ({given}): name a file by its name or by a path to it",
                                 param_hint="--township-code")


township_code_option = click.option(
    "--township-code", "codes", multiple=True, metavar="FILE=CODE", callback=parse_codes,
    help="Give a document's 9-digit township code by hand when its title cannot be resolved (repeatable).")

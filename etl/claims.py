"""Which township each document claims, checked against the batch and against the store (issue 10).

`luzhi build --township-code 003.txt=<000's code>` once replaced 000's graph without a word
(exit 0), and build.json then listed 003 under two townships. A township is held by one file,
and a file (its copy in sources/ is keyed by name) by one township: a document that would take
either from another is refused, naming both files, unless the user says `--replace`. Within one
batch there is no "new" and "old", so two claims on one township are always refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from luzhi.etl.stage import Refusal, Staged


@dataclass(frozen=True)
class Claims:
    refused: dict[str, Refusal]  # staged key → why
    displaced: frozenset[str]  # township codes whose graph and entry the build removes (--replace)


def _refuse(rule: str, message: str) -> Refusal:
    return Refusal("", ({"line": None, "rule": rule, "message": message},))


def check_claims(staged: list[Staged], held: list[dict], *, replace: bool) -> Claims:
    """`staged`: the documents that passed pass 1; `held`: build.json's documents of the current store."""
    refused: dict[str, Refusal] = {}
    by_code: dict[str, Staged] = {}
    by_name: dict[str, Staged] = {}
    for doc in staged:
        code, name = doc.township_code, doc.path.name
        if code in by_code:
            refused[doc.key] = _refuse("township-claimed-twice", f"{doc.path} 与 {by_code[code].path} 都声明乡镇 {code}"
                                       f" (both claim township {code})")
        elif name in by_name:
            refused[doc.key] = _refuse("file-name-twice", f"{doc.path} 与 {by_name[name].path} 同名"
                                       " (sources/ keeps one file per name)")
        else:
            by_code[code], by_name[name] = doc, doc
    held_code = {entry["township_code"]: entry for entry in held}
    held_name = {entry["file"]: entry for entry in held}
    displaced: set[str] = set()
    for doc in staged:
        if doc.key in refused:
            continue
        code, name = doc.township_code, doc.path.name
        other = held_code.get(code)
        moved = held_name.get(name)
        clashes = []
        if other and other["file"] != name:
            clashes.append((code, f"乡镇 {code} 已由 {other['file']} 提供，{doc.path} 也声明它"
                                  f" (township {code} is held by {other['file']})"))
        if moved and moved["township_code"] != code:
            clashes.append((moved["township_code"], f"{name} 已是乡镇 {moved['township_code']} 的文件，现在声明 {code}"
                                                    f" (the store holds {name} as township {moved['township_code']})"))
        if clashes and not replace:
            refused[doc.key] = _refuse("township-claimed", "; ".join(text for _, text in clashes)
                                       + "；用 --replace 以新文件取代 (use --replace to let the new file replace it)")
        elif clashes:
            displaced.update(c for c, _ in clashes if c != code)
    return Claims(refused, frozenset(displaced))

"""Which township, and which of its lists, each document claims, checked against the batch and the store.

`luzhi build --township-code 003.txt=<000's code>` once replaced 000's graph without a word (exit 0), and
build.json then listed 003 under two townships (issue 10). A township's lists are held by its files: most
townships publish one file holding the three lists, some one file a list, each under the township's title
(cold review 21). So a file claims the lists its body holds: two files of one township make one graph
together when their lists are disjoint. A file that claims a list another file of the store holds for its
township is refused, naming both, unless the user says `--replace`; a file of the same name replaces its
earlier version. Within one batch there is no "new" and "old": two claims on one list are always refused.

File names say nothing across townships: two townships' documents are often published under one name
(附件1.docx), each kept under its township's code (`/source/{code}/{file}`, ontology/iris.py). A name
shared with another township's file neither refuses a document nor, with `--replace`, displaces that
township (cold review 21: it deleted it).
"""

from __future__ import annotations

from dataclasses import dataclass

from luzhi.etl.items import LIST_NAMES
from luzhi.etl.stage import Refusal, Staged
from luzhi.ontology.iris import source_key
from luzhi.ontology.types import ListKind


@dataclass(frozen=True)
class Township:
    """What a build loads for one township: this batch's files for it and the files of the store that stay."""

    code: str
    files: tuple[Staged, ...]  # this build's (pass-1 records, in batch order)
    # build.json entries of the store's files for it whose lists no new file holds; the others are replaced (by a
    # file of the same name, or by one of their lists with --replace)
    kept: tuple[dict, ...]

    @property
    def single(self) -> Staged | None:
        """The file pass 1 built alone, as every one-file document: all its lists, no other file beside it."""
        if len(self.files) == 1 and not self.kept and not self.files[0].partial:
            return self.files[0]
        return None


@dataclass(frozen=True)
class Claims:
    refused: dict[str, Refusal]  # staged key → why
    townships: tuple[Township, ...]  # the townships the build loads, each with its files


def held_lists(entry: dict) -> frozenset[ListKind]:
    """The lists a file of the store holds; all three for an entry written before files held some."""
    return frozenset(ListKind(kind) for kind in entry["lists"]) if "lists" in entry else frozenset(ListKind)


def check_claims(staged: list[Staged], held: list[dict], *, replace: bool) -> Claims:
    """`staged`: the documents that passed pass 1, in batch order; `held`: build.json's documents of the current
    store (one entry a file)."""
    refused: dict[str, Refusal] = {}
    batch: dict[str, list[Staged]] = {}
    for doc in staged:
        mine = batch.setdefault(doc.township_code, [])
        twin = next((other for other in mine if other.path.name == doc.path.name), None)
        rival = next((other for other in mine if other.lists & doc.lists), None)
        if twin is not None:
            code = doc.township_code
            refused[doc.key] = _refuse("file-name-twice", f"{doc.path} 与 {twin.path} 同名，都属乡镇 {code}"
                                       f"（一个乡镇的文件须各有其名） / {doc.path} and {twin.path} have one name, "
                                       f"both of township {code} (sources/{code}/ keeps one file per name)")
        elif rival is not None:
            zh, en = _lists_named(doc.lists & rival.lists)
            refused[doc.key] = _refuse("township-claimed-twice", f"{doc.path} 与 {rival.path} 都声明乡镇 "
                                       f"{doc.township_code} 的{zh} / both claim township {doc.township_code}'s {en}")
        else:
            mine.append(doc)
    on_file: dict[str, list[dict]] = {}
    for entry in held:
        on_file.setdefault(entry["township_code"], []).append(entry)
    townships = []
    for code, files in batch.items():
        files = _without_clashes(code, files, on_file.get(code, []), refused, replace=replace)
        if not files:
            continue
        names = {doc.path.name for doc in files}
        lists = frozenset().union(*(doc.lists for doc in files))
        kept = tuple(entry for entry in on_file.get(code, [])
                     if entry["file"] not in names and not held_lists(entry) & lists)
        townships.append(Township(code, tuple(files), kept))
    return Claims(refused, tuple(townships))


def _without_clashes(code: str, files: list[Staged], held: list[dict], refused: dict[str, Refusal], *,
                     replace: bool) -> list[Staged]:
    """`files` less those claiming a list another file of the store holds for the township (refused, unless
    `replace`). A store's file of the same name as one of `files` is its earlier version: no clash. Repeated,
    as a refused file no longer replaces its namesake, which may then clash with another."""
    while not replace:
        names = {doc.path.name for doc in files}
        clashing = {}
        for doc in files:
            others = [entry for entry in held if entry["file"] not in names and held_lists(entry) & doc.lists]
            if others:
                clashing[doc.key] = others
        if not clashing:
            break
        for doc in files:
            if doc.key in clashing:
                refused[doc.key] = _held_elsewhere(code, doc, clashing[doc.key])
        files = [doc for doc in files if doc.key not in clashing]
    return files


def _held_elsewhere(code: str, doc: Staged, entries: list[dict]) -> Refusal:
    """Names each file of the store as `/source/{code}/{file}` serves it, under its township's code: two townships'
    files often share a name (附件1.docx), and the bare name said neither which nor where (helper claims23)."""
    zh, en = [], []
    for entry in entries:
        kinds = held_lists(entry) & doc.lists
        lists_zh, lists_en = _lists_named(kinds)
        held = source_key(entry["township_code"], entry["file"])
        them_zh, them, verb = ("它们", "them", "are") if len(kinds) > 1 else ("它", "it", "is")
        zh.append(f"乡镇 {code} 的{lists_zh}已由存储中的 {held} 提供，{doc.path} 也声明{them_zh}")
        en.append(f"township {code}'s {lists_en} {verb} held by the store's {held}, and {doc.path} claims {them} too")
    files = "them" if len(entries) > 1 else "it"
    return _refuse("township-claimed", f"{'；'.join(zh)}；用 --replace 以新文件取代 / {'; '.join(en)}: use --replace "
                   f"to let the new file replace {files}")


def _lists_named(kinds: frozenset[ListKind]) -> tuple[str, str]:
    """The lists in both languages: 基本履职事项清单、配合履职事项清单 / basic and cooperative lists."""
    ordered = [kind.value for kind in ListKind if kind in kinds]
    en = f"{ordered[0]} list" if len(ordered) == 1 else f"{', '.join(ordered[:-1])} and {ordered[-1]} lists"
    return "、".join(LIST_NAMES[ListKind(kind)] for kind in ordered), en


def _refuse(rule: str, message: str) -> Refusal:
    return Refusal("", ({"line": None, "rule": rule, "message": message},))

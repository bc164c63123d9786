"""Pass 1 and the claims, then the townships built from several files: what pass 2 loads.

Most townships publish one file holding their three lists; pass 1 (etl/stage.py) builds each such file
alone, as ever. Some publish one file a list, each under the township's title (cold review 21: every file
claimed the township, and all but one were refused). Pass 1 cannot tell such a file from a document cut
short, so it only reads a file lacking a list (`Staged.partial`); once the claims (etl/claims.py) have
matched each township's files, its files are built together here into one township graph: this build's,
and the store's files of lists no new file holds (read again from the store's copies), so a changed file
replaces its township's graph whole. A lone file lacking a list is built alone, and refused as cut short
(lzsh:DutyList-itemCount) unless `--force`, as before.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from luzhi.etl.claims import Township, check_claims, held_lists
from luzhi.etl.divisions import DivisionChain
from luzhi.etl.model import ListKind, ParsedDocument
from luzhi.etl.pool import run_calls
from luzhi.etl.report import document_report
from luzhi.etl.stage import (
    VERSION,
    BuildOptions,
    Refusal,
    Staged,
    StagedFile,
    add_build,
    file_key,
    listed,
    read_document,
    stage_all,
    staged_once,
    validate_and_write,
)
from luzhi.etl.to_rdf import SourcePart, township_graph
from luzhi.ontology.iris import Iris, source_key
from luzhi.ontology.triples import TripleSet
from luzhi.store.dump import LOADED_PART
from luzhi.store.state import held_source, save_source


@dataclass(frozen=True)
class Member:
    """One file of a township built from several: read with the township code given for it (by hand for this
    build's files, as pass 1 read them; the store's code for a file it holds)."""

    path: Path
    code: str | None
    held: bool = False


def stage_and_claim(paths: list[Path], options: BuildOptions, staging: Path, validate_graph: Callable | None,
                    progress, held: list[dict], state: Path | None) -> tuple[list[Staged], list[Refusal]]:
    """Pass 1, the claims and the townships of several files; returns (to load, refused). `held`, `state`:
    build.json's documents and the state holding their copies. A township loaded is loaded whole: each of its
    files the store keeps is one of the loaded `Staged.files`, every other one is replaced."""
    progress.phase("parse", len(paths))
    staged: list[Staged] = []
    for doc in stage_all(paths, options, staging, validate_graph):
        staged.append(doc)
        progress.advance(doc.triples)
    refused = [doc.refusal for doc in staged if doc.refusal]
    passing = [doc for doc in staged if not doc.refusal]
    claims = check_claims(passing, held, replace=options.replace)
    refused += [replace(claims.refused[doc.key], file=str(doc.path)) for doc in passing if doc.key in claims.refused]
    singles = [township for township in claims.townships if township.single]
    several = [township for township in claims.townships if not township.single]
    to_load = [township.single for township in singles]
    if several:
        progress.phase("townships from partial files", len(several))
        calls = [(_members(township, options, state), options, staging, validate_graph) for township in several]
        for township, built in zip(several, run_calls(stage_township, calls, options.jobs), strict=True):
            progress.advance(built.triples)
            if built.refusal:
                refused += [replace(built.refusal, file=str(doc.path)) for doc in township.files]
            else:
                to_load.append(built)
    return to_load, refused


def _members(township: Township, options: BuildOptions, state: Path | None) -> tuple[Member, ...]:
    """Its files in the order of their lists (then names), whatever the batch's order: the graph's department
    spellings are read in that order."""
    members = [Member(doc.path, options.code_for(doc.path)) for doc in township.files]
    members += [Member(held_source(state, entry), township.code, held=True) for entry in township.kept]
    lists = {doc.path: doc.lists for doc in township.files} | {held_source(state, entry): held_lists(entry)
                                                              for entry in township.kept}
    return tuple(sorted(members, key=lambda m: (min(list(ListKind).index(k) for k in lists[m.path] or ListKind),
                                                m.path.name)))


def township_key(members: tuple[Member, ...], options: BuildOptions) -> str:
    digest = hashlib.sha256(b"township")
    for key in sorted(file_key(m.path, m.code, options) for m in members):
        digest.update(key.encode())
    return digest.hexdigest()[:24]


def stage_township(members: tuple[Member, ...], options: BuildOptions, staging: Path,
                   validate_graph: Callable | None) -> Staged:
    """One township's files built into one graph, validated and written as pass 1 writes a document's."""
    key = township_key(members, options)
    return staged_once(staging, key, lambda: _stage_township(members, key, options, staging, validate_graph))


def _stage_township(members: tuple[Member, ...], key: str, options: BuildOptions, staging: Path,
                    validate_graph: Callable | None) -> Staged:
    first = members[0].path
    read = []
    for member in members:
        try:
            if not member.path.is_file():  # a store whose copy was removed by hand: said, not a traceback
                raise FileNotFoundError(f"乡镇 {member.code} 的文件 {member.path.name} 在存储中的副本 "
                                        f"{member.path} 不见了：请把该乡镇的文件一并构建 / the store's copy of "
                                        f"township {member.code}'s file {member.path.name} ({member.path}) is gone: "
                                        "build the township's files together")
            read.append((member, *read_document(member.path, member.code, options)))
        except Exception as error:  # noqa: BLE001 (a file of the store this luzhi no longer reads: refused, named)
            return Staged(first, key, staging / f"{key}.{LOADED_PART}", None, Refusal.of_error(member.path, error), 0)
    graph, chain, files = township_of(read, options)
    return validate_and_write(graph, files[0].report, chain.township.code, first, key, options, staging,
                              validate_graph, files)


def township_of(read: list[tuple[Member, ParsedDocument, DivisionChain]], options: BuildOptions,
                ) -> tuple[TripleSet, DivisionChain, tuple[StagedFile, ...]]:
    """One township's files, read (in `_members` order), as one graph; its chain; each file's report. The build
    validates and writes it; `luzhi validate` validates it (server/validation/several.py)."""
    chain = read[0][2]
    parts = tuple(SourcePart(doc, member.path.name) for member, doc, _ in read)
    iris = Iris(options.base)
    # One build activity per set of documents and software version: same input, same IRI (for one file, the
    # document's own: etl/stage.py `build_iri_for`).
    digests = ":".join(sorted(doc.sha256 for _, doc, _ in read))
    build_iri = iris.build(hashlib.sha256(f"{digests}:{VERSION}".encode()).hexdigest()[:16])
    built = township_graph(parts, chain, iris, build_iri=build_iri)
    add_build(built.graph, build_iri, chain, ", ".join(part.filename for part in parts))
    return built.graph, chain, _file_reports(read, chain, built)


def several_files(paths: list[Path], options: BuildOptions) -> tuple[list[tuple[Member, ...]], dict[Path, Refusal]]:
    """Which of `paths` a build would make one township of together, with no store: pass 1's reading (no graph)
    and the claims (etl/claims.py). Returns each township of two or more files, its members in the order it is
    built in, and the files the claims refuse (two of one township holding one list, or of one name). A file that
    cannot be read, or that holds its three lists, or a township's only file, is in neither: it stands alone."""
    staged = []
    for path in paths:
        try:
            doc, chain = read_document(path, options.code_for(path), options)
        except Exception:  # noqa: BLE001 (a file that cannot be read stands alone, where its error is said)
            continue
        staged.append(listed(path, f"{len(staged)}:{path}", path, doc, chain))  # a file given twice: two records
    claims = check_claims(staged, [], replace=False)
    groups = [_members(township, options, None) for township in claims.townships
              if len(township.files) > 1]
    return groups, {doc.path: claims.refused[doc.key] for doc in staged if doc.key in claims.refused}


def _file_reports(read, chain, built) -> tuple[StagedFile, ...]:
    """Each file's report of its own lists, its issues and the graph's issues of those lists; a list no file holds,
    the issues of no list and the department merges on the first file's (so one file reports as it always did)."""
    found = frozenset().union(*(doc.lists_found() for _, doc, _ in read))
    files = []
    for index, (member, doc, _) in enumerate(read):
        own = doc.lists_found() | (frozenset(ListKind) - found if index == 0 else frozenset())
        issues = tuple(issue for issue in doc.issues
                       if issue.code != "list-missing" or (index == 0 and issue.list_kind not in found))
        graph_issues = tuple(issue for issue in built.issues
                             if issue.list_kind in own or (index == 0 and issue.list_kind is None))
        part = replace(built, issues=graph_issues, department_merges=built.department_merges if index == 0 else ())
        report = document_report(replace(doc, issues=issues), chain, part, kinds=[k for k in ListKind if k in own])
        files.append(StagedFile(member.path, report, doc.lists_found(), held=member.held))
    return tuple(files)


def recorded_documents(held: list[dict], to_load: list[Staged]) -> list[dict]:
    """build.json's documents after the build: the store's for the townships it does not load, one entry a file
    for those it loads (a township is loaded whole, every file it keeps among its `Staged.files`)."""
    loaded = {doc.township_code for doc in to_load}
    return [entry for entry in held if entry["township_code"] not in loaded] + [
        _entry(doc.township_code, file) for doc in to_load for file in doc.staged_files()]


def loaded_reports(to_load: list[Staged]) -> tuple:
    """The reports of the documents given to this build (not of the store's files built again beside them)."""
    return tuple(file.report for doc in to_load for file in doc.staged_files() if not file.held)


def save_sources(state: Path, to_load: list[Staged]) -> None:
    for doc in to_load:
        for file in doc.staged_files():
            save_source(state, file.path, source_key(doc.township_code, file.path.name))


def _entry(code: str, file: StagedFile) -> dict:
    """A file's entry in build.json: which township, which of its lists, where its copy is (`sources/{source}`)."""
    return {"file": file.report.file, "sha256": file.report.sha256, "township_code": code,
            "source": source_key(code, file.path.name), "lists": [k.value for k in ListKind if k in file.lists]}

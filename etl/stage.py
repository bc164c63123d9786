"""Pass 1 of a build: one document → its N-Quads and its report, in a staging folder, on any core.

Each document is parsed, turned into RDF, validated and written as N-Quads by itself, with no
store and nothing shared, so a process pool can take them in any order (`--jobs`, issue 13) and
the build's memory does not grow with the number of documents: a worker returns only a small
`Staged` record; the triples wait on disk for pass 2, which bulk-loads them with pyoxigraph
(issue 13 measured the old pass 2, rdflib re-parsing the staged N-Triples, at 0.88 s a document).

A staged document is keyed by what decides its triples and its verdict (file content, township
code given by hand, base, software version, validation settings): a resumed build finds the key's
files already there and does not parse that document again.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from luzhi.etl.divisions import DivisionChain, DivisionError, resolve_document, resolve_township
from luzhi.etl.facts import document_facts, write_facts
from luzhi.etl.layout import Layout
from luzhi.etl.model import Issue, ListKind, ParsedDocument
from luzhi.etl.parse import ParseError, SourceError, key_bytes, parse_document
from luzhi.etl.pool import run_calls
from luzhi.etl.report import DocumentReport, document_report
from luzhi.etl.shared import split_shared
from luzhi.etl.to_rdf import document_graph
from luzhi.etl.township_codes import code_for
from luzhi.ontology.iris import Iris
from luzhi.ontology.namespaces import LZ
from luzhi.ontology.places import describe_place_bilingual
from luzhi.ontology.triples import TripleSet
from luzhi.shapes.validate import Severity, ValidationResult
from luzhi.store.dump import LOADED_PART, write_parts

VERSION = "0.1.0"
# What a staging folder holds; part of the stage key, so a folder an older luzhi staged is not reused
# (format 2: each document's facts, etl/facts.py; 3: its parts of the /dumps/ files, store/dump.py;
# 4: no plain .nq, pass 2 loads the N-Quads part; 5: `Staged.quad_count`; 6: each issue's `message_en`: a
# report pickled before it would lack the field a resumed build reads; 7: facts of FACTS_FORMAT 3, search
# rows with the extra columns' texts; 8: source IRIs under the township's code, `Staged.lists`, `.partial`, `.files`).
STAGE_FORMAT = 8


@dataclass(frozen=True)
class BuildOptions:
    base: str
    force: bool = False  # load documents with SHACL Violations anyway
    validate: bool = True
    township_codes: dict[str, str] = field(default_factory=dict)  # file name or path → 9-digit code
    replace: bool = False  # a document may take a township's list another file of that township holds
    keep_going: bool = False  # load what passes, quarantine what does not (issue 12)
    fresh: bool = False  # start from an empty store instead of the current one
    jobs: int = 1  # pass-1 worker processes (issue 13)
    layout: Layout | None = None  # a layout profile for documents the parser cannot read alone (etl.layout)
    # Where the township codes were given (zh, en), as `code-overrides-title` names it: POST /validate takes them
    # in its form field, and pointed its users at a command-line option they cannot use (cold review 21)
    code_field: tuple[str, str] = ("--township-code", "--township-code")

    def code_for(self, path: Path) -> str | None:
        return code_for(self.township_codes, path)


SHOWN_REASONS = 5  # a refused document's reasons printed in full (Refusal.text)


@dataclass(frozen=True)
class Refusal:
    """Why one document was not loaded: one line per reason, each with where and which rule."""

    file: str
    reasons: tuple[dict, ...]  # {"line": int | None, "rule": str, "message": str}

    @classmethod
    def of_error(cls, path: Path, error: Exception) -> Refusal:
        """A document refused for one error its reading raised (a ParseError names its line or place)."""
        return cls(str(path), (_reason(error),))

    def text(self) -> str:
        """The first `SHOWN_REASONS` reasons, then how many more of each rule: a document missing a column broke
        one rule on every item (144 reasons, one line of 20,795 characters on the console, cold review).
        `luzhi validate FILE` and the build's --report give every one."""
        shown = "; ".join(_where(r) + f"[{r['rule']}] {r['message']}" for r in self.reasons[:SHOWN_REASONS])
        rest = Counter(r["rule"] for r in self.reasons[SHOWN_REASONS:])
        if not rest:
            return shown
        more, rules = sum(rest.values()), ", ".join(f"{rule} ×{n}" for rule, n in rest.most_common())
        return (f"{shown}; 另有 {more} 条（{rules}），全部见 luzhi validate {self.file} / and {more} more ({rules}): "
                f"luzhi validate {self.file} lists them all")


@dataclass(frozen=True)
class StagedFile:
    """One file of a township staged from several (etl/townships.py): the store keeps an entry and a source copy
    of each."""

    path: Path
    report: DocumentReport
    lists: frozenset[ListKind]  # the lists its body holds
    held: bool = False  # a file the store holds, built again with this build's files of its township


@dataclass(frozen=True)
class Staged:
    """What pass 1 hands to pass 2 for one document, or for one township's several files (`files`); the triples
    stay on disk in `quads`."""

    path: Path
    key: str
    quads: Path  # its township graph as gzip N-Quads (its part of /dumps/luzhi.nq.gz), what pass 2 loads
    report: DocumentReport | None  # None when the document could not be read at all
    refusal: Refusal | None
    triples: int  # of the document (the parse line counts these)
    reused: bool = False  # staged by an earlier, interrupted build of the same input
    shared: Path | None = None  # its contribution to the shared graph, N-Triples (etl/shared.py)
    facts: Path | None = None  # its facts for the statistics, search index and kinds (etl/facts.py)
    dump_parts: dict[str, Path] = field(default_factory=dict)  # its part of each /dumps/ file (store/dump.py)
    quad_count: int = 0  # in `quads`: its township graph's, without the shared resources (the load counts these)
    lists: frozenset[ListKind] = frozenset(ListKind)  # the lists its body holds
    # Pass 1 left it unbuilt: it lacks a list, so it may be one of its township's files (etl/townships.py builds
    # it with the others, or alone: a document cut short).
    partial: bool = False
    files: tuple[StagedFile, ...] = ()  # a township staged from several files (or one partial): each of them

    @property
    def township_code(self) -> str | None:
        return self.report.township_code if self.report else None

    def staged_files(self) -> tuple[StagedFile, ...]:
        """The files whose graph this is: the store records an entry and keeps a source copy for each."""
        return self.files or ((StagedFile(self.path, self.report, self.lists),) if self.report else ())


def build_iri_for(iris: Iris, doc: ParsedDocument) -> URIRef:
    """One prov:Activity per document and software version: same input, same IRI."""
    return iris.build(hashlib.sha256(f"{doc.sha256}:{VERSION}".encode()).hexdigest()[:16])


def process_document(path: Path, options: BuildOptions) -> tuple[ParsedDocument, DivisionChain, Graph, DocumentReport]:
    """Pass 1 for one document, no store involved: what `luzhi validate` also runs on raw text."""
    doc, chain, triples, report = document_triples(path, options)
    return doc, chain, triples.graph(), report


def document_triples(path: Path, options: BuildOptions,
                     ) -> tuple[ParsedDocument, DivisionChain, TripleSet, DocumentReport]:
    """`process_document` with the triples as a `TripleSet`: what the build stages (no rdflib Graph)."""
    doc, chain = read_document(path, options.code_for(path), options)
    return (doc, chain, *_document_graph(path, doc, chain, options))


def _document_graph(path: Path, doc: ParsedDocument, chain: DivisionChain, options: BuildOptions,
                    ) -> tuple[TripleSet, DocumentReport]:
    iris = Iris(options.base)
    build_iri = build_iri_for(iris, doc)
    result = document_graph(doc, chain, iris, filename=path.name, build_iri=build_iri)
    add_build(result.graph, build_iri, chain, path.name)
    return result.graph, document_report(doc, chain, result)


def read_document(path: Path, code: str | None, options: BuildOptions) -> tuple[ParsedDocument, DivisionChain]:
    """A document parsed and its township resolved (by `code` when one is given)."""
    doc = parse_document(path, options.layout)
    chain = resolve_document(doc, code)
    if code is not None:
        doc = _code_against_title(doc, chain, options.code_field)
    return doc, chain


def add_build(graph: TripleSet, build_iri: URIRef, chain: DivisionChain, files: str) -> None:
    graph.add((build_iri, LZ.softwareVersion, Literal(VERSION)))
    graph.add((build_iri, RDFS.label, Literal(f"{chain.township.name}清单的构建（luzhi {VERSION}）", lang="zh")))
    graph.add((build_iri, RDFS.label, Literal(f"Build of {files} (luzhi {VERSION})", lang="en")))


def _code_against_title(doc: ParsedDocument, chain: DivisionChain, field: tuple[str, str]) -> ParsedDocument:
    """A code given by hand is trusted (it settles a title that names no township, or several), but a title
    that names one other township is said in the report: the document of 小京庄乡 loaded as 德胜街道's, its lists
    retitled, without a word (cold review)."""
    try:
        named = resolve_township(doc.title)
    except DivisionError:
        return doc
    if named.township.code == chain.township.code:
        return doc
    given, named = chain.township, named.township
    zh = (f"标题指的是{named.name}（{named.code}），却按给定的乡镇代码作为{given.name}（{given.code}）载入："
          f"请核对{' ' if field[0][:1].isascii() else ''}{field[0]}")
    en = (f"the title names {named.name} ({named.code}) but the township code given makes it {given.name} "
          f"({given.code}): check {field[1]}")
    issue = Issue("code-overrides-title", zh, doc.title_lines, message_en=en)
    return replace(doc, issues=(issue, *doc.issues))


def stage_key(path: Path, options: BuildOptions) -> str:
    """What decides a document's staged output; equal keys, equal files (so a resumed build reuses them)."""
    return file_key(path, options.code_for(path), options)


def file_key(path: Path, code: str | None, options: BuildOptions) -> str:
    """`stage_key` of a file read with the township code `code` (a file the store holds: its township's)."""
    digest = hashlib.sha256(key_bytes(Path(path)))
    digest.update(repr((path.name, code, Iris(options.base).base, VERSION, STAGE_FORMAT,
                        options.validate, options.force, options.layout)).encode())
    return digest.hexdigest()[:24]


def stage_all(paths: list[Path], options: BuildOptions, staging: Path, validate_graph: Callable | None,
              ) -> Iterator[Staged]:
    """Stage every document (reusing what a killed build of the same input staged), in `options.jobs`
    processes; yields as documents finish (for the progress bar), in no particular order."""
    staging.mkdir(parents=True, exist_ok=True)
    calls = [(path, stage_key(path, options), options, staging, validate_graph) for path in paths]
    yield from run_calls(_stage_in_worker, calls, options.jobs, in_process=stage_one)


def _stage_in_worker(path: Path, key: str, options: BuildOptions, staging: Path,
                     validate_graph: Callable | None) -> Staged:
    """`stage_one` in a pool worker, then what outlives the document is moved out of the garbage collector's way.

    A document allocates some 10^5 objects (terms, triples, rows), so Python's cyclic collector runs
    its full collection several times a document, and each one walks every live object: the imported
    rdflib, pyoxigraph and pySHACL modules, the compiled shapes, the caches. What is alive after a
    document is such long-lived state, so it is frozen (`gc.freeze`) after a `gc.collect` that frees the
    document's own cycles (nothing leaks). Measured on 30 synthetic townships, the settings alternated
    document by document in one process (load ~7.5 on 2 cores): 389 → 313 ms of CPU a document.
    Only in pool workers: a build with `--jobs 1` runs in the caller's process, whose objects are not ours.
    """
    staged = stage_one(path, key, options, staging, validate_graph)
    gc.collect()
    gc.freeze()
    return staged


def stage_one(path: Path, key: str, options: BuildOptions, staging: Path, validate_graph: Callable | None) -> Staged:
    """Parse, build, validate and write one document; a file already staged under `key` is reused."""
    return staged_once(staging, key, lambda: _stage(path, key, options, staging, validate_graph))


def staged_once(staging: Path, key: str, stage: Callable[[], Staged]) -> Staged:
    """The record staged under `key` (by a killed build of the same input), else `stage()`'s, kept under `key`."""
    record = staging / f"{key}.staged"
    if record.exists():
        try:
            return replace(pickle.loads(record.read_bytes()), reused=True)
        except (pickle.UnpicklingError, EOFError, ValueError):
            pass  # cut by a kill before its rename: stage again
    staged = stage()
    tmp = record.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(pickle.dumps(staged))
    os.replace(tmp, record)
    return staged


def _stage(path: Path, key: str, options: BuildOptions, staging: Path, validate_graph: Callable | None) -> Staged:
    quads = staging / f"{key}.{LOADED_PART}"  # where it would be: a refused document has none
    try:
        doc, chain = read_document(path, options.code_for(path), options)
        if doc.lists_found() != frozenset(ListKind):
            # Built with its township's other files (or alone, then refused as cut short: etl/townships.py).
            return listed(path, key, quads, doc, chain)
        graph, report = _document_graph(path, doc, chain, options)
    except Exception as error:  # noqa: BLE001 (any failure refuses this document, named, not the whole run)
        return Staged(path, key, quads, None, Refusal.of_error(path, error), 0)
    return validate_and_write(graph, report, chain.township.code, path, key, options, staging, validate_graph)


def listed(path: Path, key: str, quads: Path, doc: ParsedDocument, chain: DivisionChain) -> Staged:
    """A document read but not built: its township and the lists it holds, what the claims need (a file lacking a
    list is built later, with its township's other files: etl/townships.py)."""
    report = document_report(doc, chain, kinds=sorted(doc.lists_found(), key=list(ListKind).index))
    return Staged(path, key, quads, report, None, 0, lists=doc.lists_found(),
                  partial=doc.lists_found() != frozenset(ListKind))


def validate_and_write(graph: TripleSet, report: DocumentReport, code: str, path: Path, key: str,
                       options: BuildOptions, staging: Path, validate_graph: Callable | None,
                       files: tuple[StagedFile, ...] = ()) -> Staged:
    """Validate a township's graph and write what pass 2 loads: its N-Quads (and /dumps/ parts), its shared
    contribution, its facts. `files`: the township's files, when it is built from several (etl/townships.py)."""
    quads = staging / f"{key}.{LOADED_PART}"  # where it would be: a refused document has none
    lists = frozenset().union(*(f.lists for f in files)) if files else frozenset(ListKind)
    # Which file a reason's line is in, for a township of several (one file's reasons read as they always did).
    where = {str(Iris(options.base).source(code, f.path.name)): f.path.name for f in files} if len(files) > 1 else {}
    refusal = None
    if options.validate and validate_graph is not None:
        try:
            verdict = validate_graph(graph, options.base)
        except Exception as error:  # noqa: BLE001 (this document is refused, named; not the whole build)
            return Staged(path, key, quads, report, Refusal.of_error(path, error), 0, files=files)
        report = report.with_validation(verdict)
        files = tuple(replace(f, report=f.report.with_validation(verdict)) for f in files)
        if not verdict.conforms and not options.force:
            violations = [r for r in verdict.results if r.severity is Severity.VIOLATION]
            refusal = Refusal(str(path), tuple(_violation(r, where) for r in violations))
    iris = Iris(options.base)
    # Each triple with its pyoxigraph form, converted once for the validator and for these files
    # (`TripleSet.oxigraph`): a document repeats its IRIs in many triples.
    own_pairs, shared_pairs = split_shared(zip(graph, graph.oxigraph().triples, strict=True), iris,
                                           code, subject=lambda pair: pair[0][0])
    own = [triple for triple, _ in own_pairs]
    name = ox.NamedNode(str(iris.graph(code)))

    # N-Quads straight from the graph's triples through pyoxigraph's writer (issue 13: rdflib's
    # N-Triples writer and its re-parse in pass 2 were most of the load time), once: pass 2 loads the
    # township's part of /dumps/luzhi.nq.gz. A separate plain .nq cost a second serialisation and ~0.9 MB
    # of disk a document, written and read back (9 GB at 10,000 townships; the load was I/O-bound).
    # Sorted: an rdflib graph's order changes from process to process (hash seeds), and the /dumps/ parts
    # written from these must be the same bytes for the same input (their SHA-256 is published).
    own_quads = sorted((ox.Quad(s, p, o, name) for _, (s, p, o) in own_pairs), key=str)
    dump_parts = write_parts(own_quads, staging / key)
    contribution = staging / f"{key}.shared.nt"
    with open(contribution, "wb") as out:
        ox.serialize((ox.Triple(s, p, o) for _, (s, p, o) in shared_pairs), out, format=ox.RdfFormat.N_TRIPLES)
    facts = staging / f"{key}.facts"
    write_facts(facts, document_facts(graph, own, iris))
    return Staged(path, key, dump_parts[LOADED_PART], report, refusal, len(graph), shared=contribution,
                  facts=facts, dump_parts=dump_parts, quad_count=len(own_quads), lists=lists, files=files)


def _where(reason: dict) -> str:
    """A reason's line in a text, or its place in a Word, Excel, PDF or HTML file (no line means anything there);
    in which file, when the township was built from several."""
    file = f"{reason['file']} " if reason.get("file") else ""
    if reason.get("place"):
        words = describe_place_bilingual(reason["place"])
        return f"{file}{words} " if words else file
    return f"{file}line {reason['line']} " if reason.get("line") else file


def _reason(error: Exception) -> dict:
    line = getattr(error, "lineno", None)  # ParseError's (etl/rows.py)
    place = getattr(error, "place", None)  # in a Word, Excel, PDF or HTML file: the line is the reader's count
    message = error.message if isinstance(error, SourceError | ParseError) else str(error)  # the refusal names the file
    return {"line": line if isinstance(line, int) and not place else None, "place": place,
            "rule": type(error).__name__, "message": message}


def _violation(result: ValidationResult, files: dict[str, str]) -> dict:
    """`files`: a township's several files by their source IRIs, to say which file a line is in."""
    line = result.lines.first if result.lines else None
    rule = result.shape.rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    # Both of the shape's messages, Chinese then English after " / ", as the build's other refusals (it had zh only).
    reason = {"line": line, "place": result.place, "rule": rule,
              "message": f"{result.focus}: {result.message_zh} / {result.message_en}"}
    # Only a place in a file: a list no file holds is derived from one only as the place its absence is stated.
    file = files.get((result.source or "").partition("#")[0]) if result.lines or result.place else None
    return {**reason, "file": file} if file else reason

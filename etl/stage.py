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
import shutil
import signal
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from multiprocessing import get_context
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from luzhi.etl.divisions import DivisionChain, DivisionError, resolve_township
from luzhi.etl.facts import document_facts, write_facts
from luzhi.etl.layout import Layout
from luzhi.etl.model import Issue, ParsedDocument
from luzhi.etl.parse import parse_document
from luzhi.etl.report import DocumentReport, document_report
from luzhi.etl.shared import split_shared
from luzhi.etl.to_rdf import document_graph
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
# rows with the extra columns' texts).
STAGE_FORMAT = 7


@dataclass(frozen=True)
class BuildOptions:
    base: str
    force: bool = False  # load documents with SHACL Violations anyway
    validate: bool = True
    township_codes: dict[str, str] = field(default_factory=dict)  # file name or path → 9-digit code
    replace: bool = False  # a document may take a township (or file name) another document holds
    keep_going: bool = False  # load what passes, quarantine what does not (issue 12)
    fresh: bool = False  # start from an empty store instead of the current one
    jobs: int = 1  # pass-1 worker processes (issue 13)
    layout: Layout | None = None  # a layout profile for documents the parser cannot read alone (etl.layout)

    def code_for(self, path: Path) -> str | None:
        return self.township_codes.get(path.name) or self.township_codes.get(str(path))


SHOWN_REASONS = 5  # a refused document's reasons printed in full (Refusal.text)


@dataclass(frozen=True)
class Refusal:
    """Why one document was not loaded: one line per reason, each with where and which rule."""

    file: str
    reasons: tuple[dict, ...]  # {"line": int | None, "rule": str, "message": str}

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
class Staged:
    """What pass 1 hands to pass 2 for one document (the triples stay on disk in `quads`)."""

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

    @property
    def township_code(self) -> str | None:
        return self.report.township_code if self.report else None


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
    iris = Iris(options.base)
    doc = parse_document(path, options.layout)
    chain = resolve_township(doc.title, options.code_for(path))
    if options.code_for(path) is not None:
        doc = _code_against_title(doc, chain)
    build_iri = build_iri_for(iris, doc)
    result = document_graph(doc, chain, iris, filename=path.name, build_iri=build_iri)
    result.graph.add((build_iri, LZ.softwareVersion, Literal(VERSION)))
    result.graph.add((build_iri, RDFS.label, Literal(f"{chain.township.name}清单的构建（luzhi {VERSION}）", lang="zh")))
    result.graph.add((build_iri, RDFS.label, Literal(f"Build of {path.name} (luzhi {VERSION})", lang="en")))
    return doc, chain, result.graph, document_report(doc, chain, result)


def _code_against_title(doc: ParsedDocument, chain: DivisionChain) -> ParsedDocument:
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
          "请核对 --township-code")
    en = (f"the title names {named.name} ({named.code}) but the township code given makes it {given.name} "
          f"({given.code}): check --township-code")
    issue = Issue("code-overrides-title", zh, doc.title_lines, message_en=en)
    return replace(doc, issues=(issue, *doc.issues))


def stage_key(path: Path, options: BuildOptions) -> str:
    """What decides a document's staged output; equal keys, equal files (so a resumed build reuses them)."""
    digest = hashlib.sha256(Path(path).read_bytes())
    digest.update(repr((path.name, options.code_for(path), Iris(options.base).base, VERSION, STAGE_FORMAT,
                        options.validate, options.force, options.layout)).encode())
    return digest.hexdigest()[:24]


def stage_all(paths: list[Path], options: BuildOptions, staging: Path, validate_graph: Callable | None,
              ) -> Iterator[Staged]:
    """Stage every document (reusing what a killed build of the same input staged), in `options.jobs`
    processes; yields as documents finish (for the progress bar), in no particular order."""
    staging.mkdir(parents=True, exist_ok=True)
    work = [(path, stage_key(path, options)) for path in paths]
    if options.jobs <= 1 or len(work) <= 1:
        for path, key in work:
            yield stage_one(path, key, options, staging, validate_graph)
        return
    with build_pool(options.jobs) as pool:
        try:
            with _ctrl_c_deferred():  # a submit starts a worker: cut short, it left the pool's shutdown waiting
                futures = [pool.submit(_stage_in_worker, path, key, options, staging, validate_graph)
                           for path, key in work]
            for future in futures:
                yield future.result()
        except KeyboardInterrupt:
            stop_pool(pool)  # else leaving `with` waits for the documents in hand
            raise


class Terminated(KeyboardInterrupt):
    """SIGTERM (`kill`, systemd, `docker stop`) to a build: ended as Ctrl-C ends it, by the same `except
    KeyboardInterrupt` clean-ups (the pool stopped, nothing switched), and said apart (server/cli.py, exit 143).
    Python's default for SIGTERM ended the process at once: its workers' queues were left to multiprocessing's
    resource tracker, which warned of "leaked semaphore objects" (cold review)."""


def raise_terminated(_signum: int, _frame) -> None:
    raise Terminated


@contextmanager
def _ctrl_c_deferred() -> Iterator[None]:
    """Ctrl-C (or SIGTERM) during the block is raised as KeyboardInterrupt (Terminated) when it ends, not inside
    it (main thread only). A SIGINT this process ignores stays ignored: a build started in the background of a
    script (`nohup … &`: the shell sets SIGINT ignored) ran on through a Ctrl-C its process group got, except
    that its workers died of it (cold review), and a handler set here, if only for a moment, let one through.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pressed: list[int] = []
    watched = [signal.SIGTERM] if signal.getsignal(signal.SIGINT) is signal.SIG_IGN else [signal.SIGINT, signal.SIGTERM]
    previous = {signum: signal.signal(signum, lambda signum, _frame: pressed.append(signum)) for signum in watched}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if signal.SIGTERM in pressed and previous[signal.SIGTERM] is raise_terminated:
        raise Terminated
    if signal.SIGINT in pressed:
        raise KeyboardInterrupt
    if signal.SIGTERM in pressed:  # a SIGTERM this process had not chosen to handle: its old handler now
        handler = previous[signal.SIGTERM]
        if callable(handler):
            handler(signal.SIGTERM, None)
        elif handler is signal.SIG_DFL:
            os.kill(os.getpid(), signal.SIGTERM)


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """End a pool now, its workers killed and its queues closed (so multiprocessing's resource tracker finds no
    "leaked semaphore" at exit): what an interrupted build does before it says so (server/cli.py). What the
    workers staged is kept; the next build of the same input reuses it."""
    processes = getattr(pool, "_processes", None) or {}  # ProcessPoolExecutor has no public way to stop them
    for process in list(processes.values()):
        process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)


def build_pool(workers: int) -> ProcessPoolExecutor:
    """Worker processes for a build that end when the build does, however it ends.

    forkserver: children fork from a clean server process, not from this one (the CLI's progress bar runs
    a thread, and forking a threaded process can inherit a held lock). A build killed by a signal (or the
    OOM killer) left its workers and their server running for over an hour, using a core between them
    (found while measuring 10,000 townships): each worker now watches the build's process and exits with it.
    Ctrl-C ends them silently (etl/quiet_worker.py, preloaded by the fork server when this starts it).
    """
    context = get_context("forkserver")
    # By name: importing it installs the handler, which the build's own process must not have. `__main__`:
    # multiprocessing's default preload, kept. luzhi.etl.derive (with stage, facts, kinds, rdflib, pyoxigraph):
    # imported once by the server, not by every worker it forks; a pass-1 worker, the derive and the search-index
    # processes each spent ~2 CPU-s importing them, and a process building several times (the test suite) started
    # them anew each build (bundled documents, in pytest under load: 16 s a build, 6.5 s with this).
    context.set_forkserver_preload(["__main__", "luzhi.etl.quiet_worker", "luzhi.etl.derive"])
    return ProcessPoolExecutor(workers, mp_context=context, initializer=_exit_with, initargs=(os.getpid(),))


def _exit_with(build_pid: int) -> None:
    # In the worker only; where the fork server was started before build_pool set its preload, from here on.
    from luzhi.etl import quiet_worker

    quiet_worker.install()

    def watch() -> None:
        while _alive(build_pid):
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


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
    record = staging / f"{key}.staged"
    if record.exists():
        try:
            return replace(pickle.loads(record.read_bytes()), reused=True)
        except (pickle.UnpicklingError, EOFError, ValueError):
            pass  # cut by a kill before its rename: stage again
    staged = _stage(path, key, options, staging, validate_graph)
    tmp = record.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(pickle.dumps(staged))
    os.replace(tmp, record)
    return staged


def _stage(path: Path, key: str, options: BuildOptions, staging: Path, validate_graph: Callable | None) -> Staged:
    quads = staging / f"{key}.{LOADED_PART}"  # where it would be: a refused document has none
    try:
        _doc, chain, graph, report = document_triples(path, options)
    except Exception as error:  # noqa: BLE001 (any failure refuses this document, named, not the whole run)
        return Staged(path, key, quads, None, Refusal(str(path), (_reason(error),)), 0)
    refusal = None
    if options.validate and validate_graph is not None:
        try:
            verdict = validate_graph(graph, options.base)
        except Exception as error:  # noqa: BLE001 (this document is refused, named; not the whole build)
            return Staged(path, key, quads, report, Refusal(str(path), (_reason(error),)), 0)
        report = report.with_validation(verdict)
        if not verdict.conforms and not options.force:
            violations = [r for r in verdict.results if r.severity is Severity.VIOLATION]
            refusal = Refusal(str(path), tuple(_violation(r) for r in violations))
    iris = Iris(options.base)
    # Each triple with its pyoxigraph form, converted once for the validator and for these files
    # (`TripleSet.oxigraph`): a document repeats its IRIs in many triples.
    own_pairs, shared_pairs = split_shared(zip(graph, graph.oxigraph().triples, strict=True), iris,
                                           chain.township.code, subject=lambda pair: pair[0][0])
    own = [triple for triple, _ in own_pairs]
    name = ox.NamedNode(str(iris.graph(chain.township.code)))

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
                  facts=facts, dump_parts=dump_parts, quad_count=len(own_quads))


def _where(reason: dict) -> str:
    """A reason's line in a text, or its place in a Word, Excel, PDF or HTML file (no line means anything there)."""
    if reason.get("place"):
        words = describe_place_bilingual(reason["place"])
        return f"{words} " if words else ""
    return f"line {reason['line']} " if reason.get("line") else ""


def _reason(error: Exception) -> dict:
    line = getattr(error, "lineno", None)  # ParseError's (etl/rows.py)
    place = getattr(error, "place", None)  # in a Word, Excel, PDF or HTML file: the line is the reader's count
    return {"line": line if isinstance(line, int) and not place else None, "place": place,
            "rule": type(error).__name__, "message": str(error)}


def _violation(result: ValidationResult) -> dict:
    line = result.lines.first if result.lines else None
    rule = result.shape.rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    # Both of the shape's messages, Chinese then English after " / ", as the build's other refusals (it had zh only).
    return {"line": line, "place": result.place, "rule": rule,
            "message": f"{result.focus}: {result.message_zh} / {result.message_en}"}


def clean_stale_staging(older_than: float = 3600.0) -> list[Path]:
    """Remove `luzhi-build-<pid>-*` staging folders in the temp dir whose build is gone (issue 10: killed
    builds left them behind). A folder without a pid in its name (luzhi before issue 10) goes once it
    has not changed for `older_than` seconds."""
    removed = []
    for folder in Path(tempfile.gettempdir()).glob("luzhi-build-*"):
        pid = folder.name.removeprefix("luzhi-build-").split("-", 1)[0]
        if pid.isdigit():
            stale = not _alive(int(pid))
        else:
            stale = time.time() - folder.stat().st_mtime > older_than
        if stale and folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True

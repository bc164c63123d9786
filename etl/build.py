"""The whole ETL run: stage every document (pass 1), check claims, then load a new snapshot (pass 2).

Pass 1 (etl/stage.py) parses, builds, validates and writes each document's N-Quads, in parallel,
touching no store. Unless `--keep-going`, one refused document refuses the build and the store
is not changed. Pass 2 fills a NEW snapshot (store/snapshots.py): a checkpoint of the current one,
or an empty store with `--fresh`; each document's graph is dropped and bulk-loaded from its
N-Quads, then the ontology, then build.json and sources/; everything is fsynced and `current` is
switched in one rename. A kill anywhere leaves the old snapshot served and the new one resumable:
the next build of the same input finds it (its BUILDING marker and journal) and skips what is
done (docs/build.md). A remote store keeps per-graph replacement (docs/remote-store.md).

Over 400 lines: pass 2's steps (the base check, carrying each township's state into the snapshot,
loading, the dumps, the switch) act on one work-in-progress snapshot as one unit, and the remote build
reuses them; split into modules they would hand the snapshot's layout back and forth.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from importlib import resources
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph
from zlib_ng import gzip_ng

from luzhi.etl.derive import (
    Derived,
    derive,
    derived_graphs,
    load_over_marker,
    load_parts,
    remote_replace,
    start_derive,
    start_search_index,
    wait_for_search_index,
)
from luzhi.etl.facts import facts_path, missing_facts
from luzhi.etl.kinds_learn import LearntKinds
from luzhi.etl.pool import clean_stale_staging, start_fork_server
from luzhi.etl.progress import Progress, Quiet
from luzhi.etl.report import DocumentReport
from luzhi.etl.shared import contribution_path, missing_contributions
from luzhi.etl.stage import (  # re-exported: `luzhi validate`, the tests and the benchmarks import them from here
    VERSION,
    BuildOptions,
    Refusal,
    Staged,
    process_document,
    stage_key,
)
from luzhi.etl.townships import loaded_reports, recorded_documents, save_sources, stage_and_claim
from luzhi.ontology.iris import Iris, normalise_base
from luzhi.ontology.namespaces import ONTOLOGY_GRAPH
from luzhi.store.dump import DUMP_FILES, assemble_dumps, part_path
from luzhi.store.open import StoreTarget, open_store
from luzhi.store.oxigraph import OxigraphStore, to_rdflib
from luzhi.store.snapshots import (
    SNAPSHOTS,
    TRIPLES,
    BuildLock,
    StoreLayoutError,
    fsync_tree,
    is_flat,
    is_ours,
    new_snapshot_name,
    read_marker,
    read_pointer,
    remove_old_snapshots,
    switch_to,
    work_in_progress,
    write_marker,
)
from luzhi.store.state import (
    DUMPS_DIR,
    carry_sources,
    read_build_info,
    remove_sources,
    source_of,
    write_build_info,
)

__all__ = ["VERSION", "BuildError", "BuildOptions", "BuildResult", "build", "bundled_documents", "ontology_graph",
           "process_document"]

JOURNAL = "loaded"  # in a work-in-progress snapshot: the stage keys whose graphs are in it, one a line
# Quads per bulk load, flush and journal entry in pass 2 (`_load_batch`), about pyoxigraph's own bulk-load
# chunk. Loading 1,000 townships' parts (4.5 M quads, load 3.4): 64 documents (~0.29 M quads) a call
# took 111 s wall at 334 MB RSS, ~1 M quads 84 s at 765 MB, 500 documents (2.3 M) 72 s at 1.9 GB.
_LOAD_BATCH_QUADS = 1_000_000


def bundled_documents() -> list[Path]:
    """The five sample documents shipped with luzhi (data/samples)."""
    folder = resources.files("luzhi") / "data" / "samples"
    return sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith(".txt"))


def ontology_graph() -> Graph:
    """The vocabulary: ontology/*.ttl (luzhi.ttl plus the department-type scheme)."""
    graph = Graph()
    folder = resources.files("luzhi") / "ontology"
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if path.name.endswith(".ttl"):
            graph.parse(data=path.read_text(encoding="utf-8"), format="turtle")
    return graph


class BuildError(Exception):
    """A build refused to load anything; `failures` says which document and why."""

    def __init__(self, refusals: list[Refusal]):
        self.refusals = refusals
        self.failures = [(r.file, r.text()) for r in refusals]
        lines = "\n".join(f"  {path}: {why}" for path, why in self.failures)
        super().__init__(f"构建被拒绝，存储未改动 / build refused, the store was not changed:\n{lines}")


@dataclass(frozen=True)
class BuildResult:
    documents: tuple[DocumentReport, ...]  # the documents loaded by this build
    triples: int
    build_id: str
    quarantined: tuple[Refusal, ...] = ()  # --keep-going: the documents refused, with their reasons
    restaged: int = 0  # documents whose pass 1 an interrupted build of the same input had done
    resumed: int = 0  # documents an interrupted build had already loaded into the snapshot this one finished
    kinds: LearntKinds | None = None  # over every duty of the store (None: nothing was loaded)


def build(
    paths: Iterable[Path],
    store_path: str | Path | StoreTarget,
    options: BuildOptions,
    *,
    validate_graph: Callable | None = None,
    progress: Progress | None = None,
) -> BuildResult:
    """Build the store from documents; raises BuildError (store untouched) if any document fails,
    unless `options.keep_going` (then the refused ones are in `BuildResult.quarantined`).

    `store_path` is a store directory, or a `StoreTarget` (e.g. a remote store and its state directory).
    """
    destination = store_path if isinstance(store_path, StoreTarget) else StoreTarget.of(store_path)
    destination.state  # noqa: B018  (a remote store without a state directory fails before any parsing)
    paths = [Path(p) for p in paths]
    progress = progress or Quiet()
    start_fork_server()
    clean_stale_staging()
    if destination.remote:
        return _build_remote(destination, paths, options, validate_graph, progress)
    root = Path(destination.spec)
    if is_flat(root):
        raise StoreLayoutError(f"{root} is a store made by luzhi before snapshots (issue 10): move it aside and "
                               f"build again, e.g. `mv {root} {root}.old && luzhi build --store {root} FILES…`")
    if root.is_dir() and not is_ours(root):
        raise StoreLayoutError(f"{root} is not a luzhi store: give an empty or new directory")
    created = not root.exists()
    lock = BuildLock(root)
    try:
        return _build_snapshot(root, paths, options, validate_graph, progress)
    except BuildError:
        # A refused first build leaves no directory behind: a user who fixes the document and runs the same
        # command again should not find a half-made store (only its lock) that they did not ask for.
        if created:
            shutil.rmtree(root, ignore_errors=True)
        raise
    finally:
        lock.release()


def _build_snapshot(root: Path, paths, options: BuildOptions, validate_graph, progress) -> BuildResult:
    pointer = read_pointer(root)
    parent = None if options.fresh else pointer.snapshot
    parent_info = read_build_info(parent) if parent else {}
    held = parent_info.get("documents", [])
    if parent is not None:
        _check_same_base(parent_info, options, root)
    keys = sorted(stage_key(p, options) for p in paths)  # content, not names or times
    wip = work_snapshot(root, parent, (keys, replace(options, jobs=1)))
    try:
        to_load, refused = stage_and_claim(paths, options, wip / "staging", validate_graph, progress, held, parent)
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM (pool.Terminated): what was staged is kept, as a kill keeps it,
        raise  # for the same command to resume (it said so, then threw the parse away: cold review)
    except BaseException:
        shutil.rmtree(wip, ignore_errors=True)  # a crash in pass 1: nothing worth resuming was loaded
        raise
    if (refused and not options.keep_going) or not to_load:
        shutil.rmtree(wip, ignore_errors=True)
        if refused and not options.keep_going:
            raise BuildError(refused)
        info = read_build_info(pointer.snapshot) if pointer.snapshot else {}
        return BuildResult((), info.get("triples", 0), info.get("build_id", ""), tuple(refused))
    return finish_snapshot(root, pointer, parent, wip, to_load, held, Iris(options.base), progress, refused=refused)


def finish_snapshot(root: Path, pointer, parent: Path | None, wip: Path, to_load: list[Staged], held: list[dict],
                    iris: Iris, progress, *, refused: list[Refusal] = (),
                    removed: frozenset[str] = frozenset()) -> BuildResult:
    """Pass 2 into `wip` (started from `parent`, or empty) and the switch to it: `to_load` loaded (each township
    whole); the `removed` townships' graphs, source copies and per-township state left out (`luzhi remove`,
    etl/remove.py); the store-wide graphs, search index and dumps made again over the townships it then holds.
    `held`: the parent's documents."""
    parent_info = read_build_info(parent) if parent else {}
    gone = {source_of(entry) for entry in held if entry["township_code"] in removed}
    held = [entry for entry in held if entry["township_code"] not in removed]
    loaded_codes = {doc.township_code for doc in to_load}
    documents = recorded_documents(held, to_load)
    keep = {entry["township_code"] for entry in held} - loaded_codes
    unrebuilt = _unrebuilt(parent, keep) if parent else []
    if unrebuilt:
        shutil.rmtree(wip, ignore_errors=True)
        raise BuildError([_older_luzhi(code) for code in unrebuilt])
    codes = sorted({entry["township_code"] for entry in documents})
    _carry_contributions(parent, wip, to_load, keep=keep)
    dumps = root / DUMPS_DIR / _build_id(documents, iris)
    # Both read only the state (facts, contributions), never the store: they run beside the load.
    search_index = start_search_index(wip, codes)
    derived_folder = wip / "staging" / "derived"
    load_over_marker(derived_folder).unlink(missing_ok=True)  # a killed build's: this build's load is not over
    derived = start_derive(wip, derived_folder, iris, codes, ontology_graph())
    try:
        resumed, triples, kinds = _load_snapshot(wip, to_load, iris, progress, codes, dumps, (derived, search_index),
                                                 removed)
    finally:  # a failure before the load began must not leave the derive process waiting for it
        _end_of_load(derived_folder)
    # Each loaded township's copies are written again (its files the store keeps among them, under
    # `{code}/{file}` even when an older luzhi kept them under their bare names); the others are carried.
    rebuilt = {source_of(entry) for entry in held if entry["township_code"] in loaded_codes}
    carry_sources(parent, wip, rebuilt | gone) if parent else (wip / "sources").mkdir(exist_ok=True)
    save_sources(wip, to_load)
    info = _build_info(iris, documents, triples, snapshot=wip.name, parent=parent.name if parent else None)
    write_build_info(wip, info)
    shutil.rmtree(wip / "staging", ignore_errors=True)
    (wip / JOURNAL).unlink(missing_ok=True)
    fsync_tree(wip)
    switch_to(root, wip)
    remove_old_snapshots(root, keep={wip.name} | ({pointer.snapshot.name} if pointer.snapshot else set()))
    _remove_old_dumps(root, keep={info["build_id"], parent_info.get("build_id")})
    restaged = sum(doc.reused for doc in to_load)
    return BuildResult(loaded_reports(to_load), triples, info["build_id"], tuple(refused), restaged, resumed, kinds)


def _check_same_base(info: dict, options: BuildOptions, store: object) -> None:
    """Documents added to a store must use its base: two bases in one store mint two IRIs for each shared
    resource and leave the old store-wide graphs beside the new (cold review: `luzhi serve --port 5077`
    built under :5077, then `luzhi build` added a document under :5000, and both exited 0)."""
    held = info.get("base")
    if held and normalise_base(held) != normalise_base(options.base):
        raise StoreLayoutError(f"{store} was built with --base {held}; build with that base, or rebuild every "
                               f"document with --fresh --base {options.base}")


def work_snapshot(root: Path, parent: Path | None, task: tuple) -> Path:
    """The snapshot this build (or removal) fills: a killed one's, if it had the same parent and `task` (what
    decides its content, by `repr`), else a new one (other unfinished snapshots are removed: their input is not
    this one's, and a journal or staged record of theirs is never trusted after)."""
    what = (parent.name if parent else None, *task)
    digest = hashlib.sha256(repr(what).encode()).hexdigest()
    for candidate in work_in_progress(root):
        marker = read_marker(candidate)
        if marker.get("input") == digest and marker.get("ready"):
            return candidate
        shutil.rmtree(candidate, ignore_errors=True)
    wip = root / SNAPSHOTS / new_snapshot_name()
    wip.mkdir(parents=True)
    write_marker(wip, {"input": digest, "ready": False, "pid": os.getpid()})
    if parent is not None:
        # A RocksDB checkpoint: hard links to the parent's immutable files, so its cost does not grow with
        # the store; the parent is never opened for writing, so a reader (or a kill) never sees it change.
        ox.Store.read_only(str(parent / TRIPLES)).backup(str(wip / TRIPLES))
    else:
        ox.Store(str(wip / TRIPLES)).flush()
    write_marker(wip, {"input": digest, "ready": True, "pid": os.getpid()})
    return wip


def _unrebuilt(state: Path, codes: set[str]) -> list[str]:
    """Townships kept from `state` without the shared contribution or facts this build combines."""
    return sorted(set(missing_contributions(state, codes)) | set(missing_facts(state, codes)))


def _carry_contributions(parent: Path | None, state: Path, to_load: list[Staged], keep: set[str]) -> None:
    """The shared-graph contributions (etl/shared.py), facts (etl/facts.py) and dump parts (store/dump.py)
    of the new snapshot: the parent's for the townships it keeps (hard links), this build's for the ones it
    loads (replaced whole). A kept township without dump parts (built before them) has none: the build
    then leaves /dumps/ to the server (`_write_dumps`)."""
    per_township = {"shared": contribution_path, "facts": facts_path,
                    **{name: partial(part_path, dump_file=name) for name in DUMP_FILES}}
    for what, where in per_township.items():
        for code in keep if parent else ():
            target = where(state, code)
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists() and where(parent, code).exists():
                os.link(where(parent, code), target)
        for doc in to_load:
            staged = {"shared": doc.shared, "facts": doc.facts, **doc.dump_parts}[what]
            target = where(state, doc.township_code)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(staged, target.with_suffix(".tmp"))
            os.replace(target.with_suffix(".tmp"), target)


def _write_dumps(store: OxigraphStore, state: Path, folder: Path, iris: Iris, codes: list[str],
                 derived: Derived) -> None:
    """/dumps/ for the new snapshot, from the townships' parts and the store-wide graphs (store/dump.py);
    nothing when a township has no parts (the server writes them on first request). The derived graphs'
    members were written by their own process (etl/derive.py `start_derive`); the default and ontology
    graphs (and any other) are serialised from the store here.

    One file after the other, in this process. Writing the N-Quads file at the same time from a second
    process that opened the snapshot read-only failed at 10,000 townships: this process's RocksDB
    compacted away an SST file the reader still expected (`IO error: No such file … .sst`).
    """
    parts = {name: [part_path(state, code, name) for code in codes] for name in DUMP_FILES}
    if not all(path.exists() for paths in parts.values() for path in paths):
        return
    townships = {str(iris.graph(code)) for code in codes}
    store_wide = [None, *(g for g in store.graph_names() if g not in townships)]  # None: the default graph
    made = {graph.graph: graph.members for graph in derived.graphs}
    assemble_dumps(folder, parts, [made.get(graph) or partial(store.graph_quads, graph) for graph in store_wide])


def _older_luzhi(code: str) -> Refusal:
    # Their shared resources are only in their own graphs (luzhi 0.1): a shared graph without them would
    # lose their departments; rebuilding them with this build fixes it.
    message = ("该乡镇由旧版 luzhi 构建，共享图缺少它的部分；请与本次一并重新构建 / built by an older luzhi: "
               "build it again together with these documents")
    return Refusal(code, ({"line": None, "rule": "built-by-older-luzhi", "message": message},))


def _end_of_load(derived_folder: Path) -> None:
    """Tell the derive process the load has ended or failed: it may now load its own store (etl/derive.py
    `wait_for_load`). Idempotent."""
    marker = load_over_marker(derived_folder)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.touch()


def _load_snapshot(wip: Path, to_load: list[Staged], iris: Iris, progress, codes: list[str], dumps: Path,
                   beside: tuple[Future, Future], removed: frozenset[str] = frozenset()):
    """Pass 2 into the work-in-progress snapshot, and its /dumps/ files into `dumps`; returns (documents a
    killed build had loaded, quads, kinds). `beside`: the derive and search-index processes' futures
    (etl/derive.py), started before the load; their graphs are loaded only once they have succeeded, so
    a failed one leaves none of its graph in the store. The `removed` townships' graphs are dropped.

    Drop-then-load per document is idempotent, so a document the journal does not list is simply
    loaded again. The journal is appended only after a flush, so what it lists is on disk.
    """
    journal = wip / JOURNAL
    done = set(journal.read_text(encoding="utf-8").split()) if journal.exists() else set()
    store = OxigraphStore(wip / TRIPLES)
    try:
        for code in sorted(removed):  # idempotent too: a resumed removal finds them gone
            store.drop_graph(str(iris.graph(code)))
        progress.phase("load", len(to_load))
        batch: list[Staged] = []
        resumed = 0
        try:
            for doc in to_load:
                if doc.key in done:
                    resumed += 1
                    progress.advance(doc.quad_count)
                    continue
                store.drop_graph(str(iris.graph(doc.township_code)))
                batch.append(doc)
                if sum(staged.quad_count for staged in batch) >= _LOAD_BATCH_QUADS:
                    _load_batch(store, journal, batch, progress)
            _load_batch(store, journal, batch, progress)
        finally:
            _end_of_load(wip / "staging" / "derived")
        progress.phase("ontology", 1)
        store.replace_graph(str(ONTOLOGY_GRAPH), ontology_graph())
        progress.advance(0)
        progress.phase("derived graphs (their own process since the load)", 1)
        derived = derived_graphs(beside[0])
        progress.advance(0)
        for phase, graph in zip(("shared graph", "duty kinds", "statistics"), derived.graphs, strict=True):
            progress.phase(phase, 1)
            load_parts(store, graph.graph, graph.parts)
            progress.advance(0)
        wait_for_search_index(beside[1], progress)
        store.flush()
        progress.phase("dumps", 1)
        _write_dumps(store, wip, dumps, iris, codes, derived)
        progress.advance(0)
        return resumed, len(store), derived.kinds
    finally:
        store.close()


def _load_batch(store: OxigraphStore, journal: Path, batch: list[Staged], progress) -> None:
    """Bulk-load a batch of documents (their graphs already dropped) in one call, flush, then journal them.

    One call per document made 1,000 townships' load 16× 100's, not 10×: each call ingests its own
    RocksDB files, and compacting them grows with the store."""
    if not batch:
        return
    store.load_nquads(*(doc.quads for doc in batch))
    store.flush()
    with open(journal, "a", encoding="utf-8") as out:
        out.write("".join(f"{doc.key}\n" for doc in batch))
        out.flush()
        os.fsync(out.fileno())
    for doc in batch:
        progress.advance(doc.quad_count)
    batch.clear()


def _build_id(documents: list[dict], iris: Iris) -> str:
    """Changes exactly when the store's content can: the documents, the township each was given, the base
    and the software; the ETags and the /dumps/ folder are keyed by it (cold review: with the documents
    alone, a rebuild under another base kept its ETag, and clients got 304 for changed pages)."""
    parts = sorted(f"{d['sha256']}:{d['township_code']}" for d in documents)
    return hashlib.sha256(repr((parts, iris.base, VERSION)).encode()).hexdigest()[:16]


def _remove_old_dumps(root: Path, keep: set[str | None]) -> None:
    """The /dumps/ folders of builds no kept snapshot has (they grew by one whole-store dump per build)."""
    folder = root / DUMPS_DIR
    for build in folder.iterdir() if folder.is_dir() else ():
        if build.is_dir() and build.name not in keep:
            shutil.rmtree(build, ignore_errors=True)


def _build_info(iris: Iris, documents: list[dict], triples: int, **extra) -> dict:
    """build.json: describes the whole store (also after a build of some documents into an existing one)."""
    return {
        "build_id": _build_id(documents, iris),
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "base": iris.base,  # normalised (no trailing slash): the server takes it from here (issue 9)
        "software_version": VERSION,
        "documents": sorted(documents, key=lambda d: (d["township_code"], source_of(d))),
        "triples": triples,
        **{k: v for k, v in extra.items() if v is not None},
    }


def _build_remote(target: StoreTarget, paths, options: BuildOptions, validate_graph, progress) -> BuildResult:
    """A remote store keeps per-graph atomicity only: each graph is one Graph Store Protocol PUT
    (docs/remote-store.md says what Virtuoso guarantees); there are no snapshots to switch."""
    state = target.state
    info = read_build_info(state)
    held = info.get("documents", [])
    if held and not options.fresh:
        _check_same_base(info, options, target.spec)
    staging = Path(tempfile.mkdtemp(prefix=f"luzhi-build-{os.getpid()}-"))
    try:
        to_load, refused = stage_and_claim(paths, options, staging, validate_graph, progress, held, state)
        loaded_codes = {doc.township_code for doc in to_load}
        codes = {d["township_code"] for d in held} | loaded_codes
        refused += [_older_luzhi(code) for code in _unrebuilt(state, codes - loaded_codes)]
        if refused and not options.keep_going:
            raise BuildError(refused)
        iris = Iris(options.base)
        opened = open_store(target.spec, state_dir=state, user=target.user, password=target.password)
        store = opened.store
        try:
            store.replace_graph(str(ONTOLOGY_GRAPH), ontology_graph())
            _carry_contributions(None, state, to_load, set())
            search_index = start_search_index(state, sorted(codes))
            progress.phase("load", len(to_load))
            for doc in to_load:
                with gzip_ng.open(doc.quads, "rb") as stream:
                    quads = ox.parse(stream, format=ox.RdfFormat.N_QUADS)
                    triples = ((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)) for q in quads)
                    store.replace_graph(str(iris.graph(doc.township_code)), triples)
                save_sources(state, [doc])
                progress.advance(doc.quad_count)
            kinds = derive(lambda graph, triples: remote_replace(store, graph, triples), iris, state,
                           sorted(codes), ontology_graph(), progress, search_index)
            triples = len(store)
        finally:
            opened.close()
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    documents = recorded_documents(held, to_load)
    # The copies of the files the loaded townships no longer have (no snapshot to leave them behind in).
    remove_sources(state, {source_of(d) for d in held if d["township_code"] in loaded_codes}
                   - {source_of(d) for d in documents})
    info = _build_info(Iris(options.base), documents, triples, store=str(target.spec))  # never the credentials
    write_build_info(state, info)
    return BuildResult(loaded_reports(to_load), triples, info["build_id"], tuple(refused), kinds=kinds)

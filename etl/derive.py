"""The store-wide graphs a build writes after loading the documents, from the build state (issue 13).

Over every township of the store: the shared graph (the union of the townships' contributions,
etl/shared.py), the duty kinds (etl/kinds.py, from each document's duty records), the statistics graph
and the search index (store/derived.py, from each document's facts, etl/facts.py). Nothing is read
back from the store: counting it took 0.25–0.6 CPU-s a township and ~1.4 GB at 100 townships, and a
remote Virtuoso refused the reads past its 10,000-row cap.
"""

from __future__ import annotations

import itertools
import os
import shutil
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef
from rdflib.term import Node

from luzhi.etl.facts import facts_path, read_facts
from luzhi.etl.kinds import MAX_DUTIES
from luzhi.etl.kinds_learn import DutySpill, LearntKinds, learn_kinds
from luzhi.etl.kinds_rdf import kind_samples, kind_sizes, kinds_triples
from luzhi.etl.pool import build_pool
from luzhi.etl.progress import Progress, Quiet
from luzhi.etl.shared import shared_graph
from luzhi.ontology.iris import Iris
from luzhi.store.base import Store
from luzhi.store.derived import GraphWriter, write_search_index, write_statistics
from luzhi.store.dump import write_members
from luzhi.store.facts import VoidFacts, chunked_void_facts, tapped_void_facts
from luzhi.store.kind_samples import write_kind_samples
from luzhi.store.oxigraph import OxigraphStore, to_oxigraph


def start_search_index(state: Path, codes: list[str]) -> Future:
    """Build the search index of every township of the store (`codes`) in a process of its own, from the
    facts and contributions in `state`; `derive` waits for it.

    SQLite's FTS5 indexing was a third of the serial post-load time (42 of ~120 CPU-s at 1,000 townships)
    while the second core idled: started before pass 2, it runs beside the load, the kinds and the
    statistics, which happen in the main process.
    """
    pool = build_pool(1)
    try:
        return pool.submit(_search_index_job, state, codes)
    finally:
        pool.shutdown(wait=False)  # the submitted job still runs; the pool's process ends with it


def _search_index_job(state: Path, codes: list[str]) -> int:
    township_facts = (read_facts(facts_path(state, code)).graph for code in codes)
    return write_search_index(state, township_facts, shared_graph(state, codes))


class DerivedGraphsError(RuntimeError):
    """The process computing the shared, kinds and statistics graphs failed; nothing of them is in the store."""


@dataclass(frozen=True)
class DerivedGraph:
    """One store-wide graph the derive process wrote: its N-Quads to bulk-load, and its member of each
    /dumps/ file (store/dump.py), serialised in the order the store keeps its quads."""

    graph: str  # IRI
    parts: tuple[Path, ...]  # N-Quads files, each one bulk load (`write_nquad_parts`)
    members: dict[str, Path]  # dump file name → gzip member


@dataclass(frozen=True)
class Derived:
    graphs: tuple[DerivedGraph, ...]  # the shared, kinds and statistics graphs, in that order
    kinds: LearntKinds  # its duty records read from the derive process's named spill file, in `folder`


def load_over_marker(folder: Path) -> Path:
    """The file the build's process creates once its load has ended (or failed) (`wait_for_load`), beside the
    derive process's `folder`, which that process empties when it starts."""
    return folder.with_name(folder.name + ".load-over")


def wait_for_load(marker: Path, parent: int, poll: float = 0.2) -> None:
    """Wait until the build's process has ended its bulk load (`marker` exists; `load_over_marker`).

    The derive process's own store is bulk-loaded like the build's (1 M quads at a time, ~1.3-1.5 GB): at
    10,000 townships it overlapped the end of the build's load, and the process tree peaked at 3.9-4.1 GB,
    past the issue's 4 GB (bench/results/derive.md). Its graphs are computed beside the load; only this step
    waits. Gives up if the build's process is gone (a kill: the forkserver this process came from exits with
    it, so this process's parent is no longer `parent`), as nothing would then create the marker. `parent` is
    read when the job starts, not here: a build killed while the graphs were computed (minutes, nationally) had
    already left this process with a new parent, which it then took for its own and waited on for ever.
    """
    while not marker.exists():
        if os.getppid() != parent:
            raise DerivedGraphsError("the build's process is gone; its derived graphs are not needed")
        time.sleep(poll)


def start_derive(state: Path, folder: Path, iris: Iris, codes: list[str], ontology: Graph) -> Future:
    """Compute the shared, kinds and statistics graphs of every township of the store (`codes`) in a
    process of its own, from the contributions and facts in `state` (and write the kind samples there);
    its future gives a `Derived`, whose files are in `folder`. `derived_graphs` waits for it.

    Nothing here reads the store, so it runs beside pass 2's load: serial after it, these steps and
    serialising their graphs for /dumps/ were 820 s of a 10,000-township build, after a 660 s load
    (bench/results/derive.md). The process never opens the build's store (a reader of the snapshot being
    written lost files to its compaction, `_write_dumps` in etl/build.py): its dump members are serialised
    from a store of its own holding only these graphs, which keeps their quads in the same order.
    """
    pool = build_pool(1)
    try:
        return pool.submit(_derive_job, state, folder, iris.base, codes, ontology)
    finally:
        pool.shutdown(wait=False)


def derived_graphs(future: Future) -> Derived:
    """The derive process's result (`start_derive`); a clear error if it failed or died."""
    try:
        return future.result()
    except BrokenProcessPool as error:
        raise DerivedGraphsError("the process computing the shared, kinds and statistics graphs died (killed, or "
                                 "out of memory?); the new snapshot was not switched to") from error
    except Exception as error:
        raise DerivedGraphsError(f"computing the shared, kinds and statistics graphs failed: {error!r}; the new "
                                 "snapshot was not switched to") from error


def _derive_job(state: Path, folder: Path, base: str, codes: list[str], ontology: Graph) -> Derived:
    parent = os.getppid()  # the build's forkserver (`wait_for_load`)
    shutil.rmtree(folder, ignore_errors=True)  # a killed build's: this one redoes it
    folder.mkdir(parents=True)
    written: list[tuple[str, tuple[Path, ...]]] = []

    def write_graph(graph: str, triples) -> int:
        parts: list[Path] = []
        count = write_nquad_parts(folder / str(len(written)), graph, triples, parts.append)
        written.append((graph, tuple(parts)))
        return count

    # A named spill, so the kinds can be sent back for the build's report without their records (kinds_learn.py).
    kinds = derive(write_graph, Iris(base), state, codes, ontology, Quiet(), spill=DutySpill(folder, "duties.spill"))
    wait_for_load(load_over_marker(folder), parent)
    own = folder / "store"
    graphs = _with_members(own, written)
    shutil.rmtree(own)  # closed by `_with_members` (RocksDB removes files until then)
    return Derived(graphs, kinds)


def _with_members(own: Path, written: list[tuple[str, tuple[Path, ...]]]) -> tuple[DerivedGraph, ...]:
    """Each written graph with its /dumps/ members, serialised from a store of this process's own (`own`)
    holding just these graphs, loaded by `load_parts` as the build's store loads them: a store iterates a
    graph's quads in the order of its encoded terms, so these are the bytes the build's store would give."""
    store = OxigraphStore(own)
    graphs = []
    try:
        for index, (graph, parts) in enumerate(written):
            load_parts(store, graph, parts)
            graphs.append(DerivedGraph(graph, parts, write_members(partial(store.graph_quads, graph),
                                                                   own.parent / str(index))))
    finally:
        store.close()
    return tuple(graphs)


def derive(write_graph: GraphWriter, iris: Iris, state: Path, codes: list[str], ontology: Graph,
           progress: Progress, search_index: Future | None = None, spill: DutySpill | None = None) -> LearntKinds:
    """The shared graph, the kinds graph and the statistics graph over every township of the store
    (`codes`), from the contributions and facts in `state` (nothing is read back), and the duty pages'
    kind samples (store/kind_samples.py); then waits for the search index (`start_search_index`), if
    given, raising its error if it failed. `spill`: where the duty records go (`learn_store_kinds`)."""
    # The VoID facts of the ontology, shared and kinds graphs: counted as they are written (the writer
    # consumes every triple), not by iterating the kinds graph a second time (bench/results/derive.md).
    void: list[VoidFacts] = list(chunked_void_facts(ontology, iris))
    progress.phase("shared graph", 1)
    # Every township's contribution once (etl/shared.py), not kept past its writing: it was held through the
    # kinds and statistics phases (this phase ended at 1.5 GB peak RSS at 10,000 townships, bench/results/derive.md).
    write_graph(str(iris.shared_graph()), tapped_void_facts(shared_graph(state, codes), iris, void.append))
    progress.advance(0)
    # Store-wide derived graphs last, over every township of the new snapshot (issue 14's kinds).
    progress.phase("duty kinds", 1)
    kinds, township_labels = learn_store_kinds(state, codes, iris, spill=spill)
    write_graph(str(iris.kinds_graph()), tapped_void_facts(kinds_triples(kinds, iris), iris, void.append))
    write_kind_samples(state, kind_samples(kinds, iris, township_labels))
    progress.advance(0)
    progress.phase("statistics", 1)
    township_facts = (read_facts(facts_path(state, code)).graph for code in codes)
    write_statistics(write_graph, iris, township_facts, void, kind_sizes(kinds, iris))
    progress.advance(0)
    if search_index is not None:
        wait_for_search_index(search_index, progress)
    return kinds


def wait_for_search_index(search_index: Future, progress: Progress) -> None:
    progress.phase("search index (its own process since the load)", 1)
    search_index.result()
    progress.advance(0)


def learn_store_kinds(state: Path, codes: list[str], iris: Iris, max_duties: int = MAX_DUTIES,
                      spill: DutySpill | None = None) -> tuple[LearntKinds, dict[str, str | None]]:
    """The kinds of every duty of the townships `codes` (etl/kinds_learn.py), and each township's label.

    Each township's facts are read once, here: its duty records go to a spill file in `state`, which the
    kinds' rounds read a township at a time. Holding every record instead (with sorted copies) made this
    phase the build's peak, 3.4 GB of the phase alone at 10,000 townships (bench/results/kinds-memory.md).
    `spill`: an empty one to use (a named one, to send the kinds to another process), else an unnamed one.
    """
    spill, township_labels = spill or DutySpill(state), {}
    for code in sorted(codes):
        facts = read_facts(facts_path(state, code))
        spill.add(code, facts.duties)
        labels = facts.graph.divisions.get(str(iris.division(code)), ())
        # A township's rdfs:label is Chinese (the official division table): what every duty page shows.
        township_labels[code] = min((str(label) for label in labels if getattr(label, "language", None) == "zh"),
                                    default=None)
    return learn_kinds(spill, max_duties=max_duties), township_labels


# Quads a derived graph is bulk-loaded by at a time. pyoxigraph's loader (0.5 has no memory setting) was the
# kinds phase's peak once the records were spilled (bench/results/kinds-memory.md). 5.5 M kinds-like quads
# (session 13, load 2–3): whole, 2,086 MB peak RSS in 156 s; in parts of 3 M, 2,060 MB, 134 s; of 1 M,
# 1,217 MB, 260 s. The time is ~2 % of a 10,000-township build, the memory half the phase's peak.
DERIVED_PART_QUADS = 1_000_000


def load_parts(store: OxigraphStore, graph: str, parts: tuple[Path, ...]) -> None:
    """Replace one graph of the new snapshot by dropping it and bulk-loading its N-Quads parts
    (`write_nquad_parts`), one load each: a graph of millions of triples (the kinds, the statistics) as one
    SPARQL INSERT DATA is held whole in memory, and pyoxigraph's loader grows with its input
    (`DERIVED_PART_QUADS`). The snapshot has no reader yet, so it needs no transaction (a kill redoes this step)."""
    store.drop_graph(graph)
    for part in parts:
        store.load_nquads(part)


def write_nquad_parts(stem: Path, graph: str, triples, done: Callable[[Path], None], *,
                      part_quads: int = DERIVED_PART_QUADS) -> int:
    """`triples` as N-Quads lines of `graph` in the files `{stem}.0.nq`, `{stem}.1.nq`, … of `part_quads`
    lines each (`load_parts` loads them); `done` is given each file once it is written and closed. Returns
    how many triples.

    Once a blank node has been written, the rest goes in the same part: each load names the blank nodes of
    its own input afresh, so one cut between two of its triples would split it. The lines are written as
    text: an IRI is `<…>` as it is, a literal's N-Triples form is made once per distinct literal. Converting
    each term to pyoxigraph and serialising cost ~10 µs a triple, ~2/3 of pyoxigraph's own load
    (bench/results/derive.md); pyoxigraph's parser still checks every line, so a malformed IRI is refused,
    only at the load.
    """
    name = f"<{ox.NamedNode(graph).value}>"
    literals: dict[Node, str] = {}
    count = in_part = 0
    blank_written = False

    def term(node: Node) -> str:
        if isinstance(node, URIRef):
            return f"<{node}>"
        text = literals.get(node)
        if text is None:
            text = literals[node] = str(to_oxigraph(node))
        return text

    paths = (stem.with_name(f"{stem.name}.{part}.nq") for part in itertools.count())
    path = next(paths)
    out = open(path, "w", encoding="utf-8", newline="\n")  # closed, and the next part opened, at each cut
    try:
        for s, p, o in triples:
            out.write(f"{term(s)} {term(p)} {term(o)} {name} .\n")
            count += 1
            in_part += 1
            blank_written = blank_written or isinstance(s, BNode) or isinstance(o, BNode)
            if in_part >= part_quads and not blank_written:
                out.close()
                done(path)
                path = next(paths)
                out = open(path, "w", encoding="utf-8", newline="\n")
                in_part = 0
    finally:
        out.close()
    done(path)
    return count


def remote_replace(store: Store, graph: str, triples) -> int:
    """Replace one graph of a remote store (one Graph Store Protocol PUT, store/remote.py)."""
    written = list(triples)
    store.replace_graph(graph, written)
    return len(written)

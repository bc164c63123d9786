"""The store-wide graphs a build writes after loading the documents, from the build state (issue 13).

Over every township of the store: the shared graph (the union of the townships' contributions,
etl/shared.py), the duty kinds (etl/kinds.py, from each document's duty records), the statistics graph
and the search index (store/derived.py, from each document's facts, etl/facts.py). Nothing is read
back from the store: counting it took 0.25–0.6 CPU-s a township and ~1.4 GB at 100 townships, and a
remote Virtuoso refused the reads past its 10,000-row cap.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from luzhi.etl.facts import facts_path, read_facts
from luzhi.etl.kinds import KindsResult, compute_kinds
from luzhi.etl.kinds_rdf import kind_sizes, kinds_triples
from luzhi.etl.progress import Progress
from luzhi.etl.shared import shared_graph
from luzhi.ontology.iris import Iris
from luzhi.store.base import Store
from luzhi.store.derived import GraphWriter, refresh_derived
from luzhi.store.facts import chunked_void_facts
from luzhi.store.oxigraph import OxigraphStore, to_oxigraph


def derive(write_graph: GraphWriter, iris: Iris, state: Path, codes: list[str], ontology: Graph,
           progress: Progress) -> KindsResult:
    """The shared graph, the kinds graph, the statistics graph and the search index, over every township
    of the store (`codes`), from the contributions and facts in `state`: nothing is read back."""
    progress.phase("shared graph", 1)
    shared = shared_graph(state, codes)  # every township's contribution once (etl/shared.py)
    write_graph(str(iris.shared_graph()), shared)
    progress.advance(0)
    # Store-wide derived graphs last, over every township of the new snapshot (issue 14's kinds).
    progress.phase("duty kinds", 1)
    kinds = compute_kinds([duty for code in codes for duty in read_facts(facts_path(state, code)).duties])
    write_graph(str(iris.kinds_graph()), kinds_triples(kinds, iris))
    progress.advance(0)
    progress.phase("statistics and search index", 1)
    others = (facts for triples in (ontology, shared, kinds_triples(kinds, iris))
              for facts in chunked_void_facts(triples, iris))
    township_facts = (read_facts(facts_path(state, code)).graph for code in codes)
    refresh_derived(write_graph, iris, state, township_facts, others, shared, kind_sizes(kinds, iris))
    progress.advance(0)
    return kinds


def bulk_replace(store: OxigraphStore, wip: Path, graph: str, triples) -> int:
    """Replace one graph of the new snapshot by dropping it and bulk-loading its triples from a file: a
    graph of millions of triples (the kinds, the statistics) as one SPARQL INSERT DATA is held whole in
    memory, and the snapshot has no reader yet, so it needs no transaction (a kill redoes this step)."""
    name = ox.NamedNode(graph)
    path = wip / "derived.nq"
    count = 0

    def quads():
        nonlocal count
        for s, p, o in triples:
            count += 1
            yield ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), name)

    with open(path, "wb") as out:
        ox.serialize(quads(), out, format=ox.RdfFormat.N_QUADS)
    store.drop_graph(graph)
    store.load_nquads(path)
    path.unlink()
    return count


def remote_replace(store: Store, graph: str, triples) -> int:
    """Replace one graph of a remote store (one Graph Store Protocol PUT, store/remote.py)."""
    written = list(triples)
    store.replace_graph(graph, written)
    return len(written)

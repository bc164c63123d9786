"""The post-load step of a build: the statistics graph and the search index, from every graph's facts.

`refresh_derived` combines the facts of each township graph (store/facts.py, computed by the build's
workers and kept in the build state) with those of the shared, kinds and ontology graphs, in one pass
and in memory that does not grow with the townships beyond their small sums, so a build of some
documents into an existing store still gets counts and an index for all of them (issue 13). Nothing
is read back from the store: counting the whole store took 0.25–0.6 s a township and a remote
Virtuoso refused the reads past its 10,000-row cap.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.term import Node

from luzhi.ontology.iris import Iris
from luzhi.ontology.namespaces import CV, LZ
from luzhi.store.facts import GraphFacts, VoidFacts
from luzhi.store.search_index import build_search_index, named_rows
from luzhi.store.statistics import StatisticsTotals

# (graph IRI, its triples) → how many were written: a bulk load into a new snapshot, or a remote replacement.
GraphWriter = Callable[[str, Iterable[tuple[Node, Node, Node]]], int]


@dataclass(frozen=True)
class Derived:
    statistics_triples: int
    search_rows: int


def refresh_derived(write_graph: GraphWriter, iris: Iris, state_dir: Path, township_facts: Iterable[GraphFacts],
                    other_graphs: Iterable[VoidFacts], shared: list[tuple[Node, Node, Node]],
                    kind_sizes: dict[Node, int]) -> Derived:
    """Write the search index (state_dir) and the statistics graph.

    `township_facts`: every township graph's, in code order (the index keeps that order);
    `other_graphs`: the VoID facts of the shared, kinds and ontology graphs; `shared`: the shared graph's
    triples (its departments and divisions are search rows); `kind_sizes`: duties per kind.
    """
    totals = StatisticsTotals()
    divisions: dict[str, list[Node]] = {}

    def batches() -> Iterator[Iterable[tuple]]:
        for facts in township_facts:
            totals.add_graph(facts)
            for division, labels in facts.divisions.items():
                divisions.setdefault(division, []).extend(labels)
            yield facts.duty_rows
        typed = {(s, o) for s, p, o in shared if p == RDF.type}
        departments: dict[str, list[Node]] = {}
        for subject, predicate, value in shared:
            if predicate in (SKOS.prefLabel, SKOS.altLabel) and (subject, CV.PublicOrganisation) in typed:
                departments.setdefault(str(subject), []).append(value)
            elif predicate == RDFS.label and (subject, LZ.AdministrativeDivision) in typed:
                divisions.setdefault(str(subject), []).append(value)
        yield named_rows("department", departments)
        yield named_rows("division", divisions)

    rows = build_search_index(state_dir, batches())
    for facts in other_graphs:
        totals.add_void(facts)
    totals.add_kinds(kind_sizes)
    written = write_graph(str(iris.statistics_graph()), totals.triples(iris))
    return Derived(written, rows)

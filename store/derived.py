"""The post-load step of a build: the statistics graph and the search index, from every graph's facts.

`write_statistics` combines the facts of each township graph (store/facts.py, computed by the build's
workers and kept in the build state) with those of the shared, kinds and ontology graphs, and
`write_search_index` indexes the townships' rows, each in one pass and in memory that does not grow
with the townships beyond their small sums, so a build of some documents into an existing store still
gets counts and an index for all of them (issue 13). The build runs the two in different processes. Nothing
is read back from the store: counting the whole store took 0.25–0.6 s a township and a remote
Virtuoso refused the reads past its 10,000-row cap.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
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


def write_statistics(write_graph: GraphWriter, iris: Iris, township_facts: Iterable[GraphFacts],
                     other_graphs: Iterable[VoidFacts], kind_sizes: dict[Node, int]) -> int:
    """Write the statistics graph; returns its triples.

    `township_facts`: every township graph's; `other_graphs`: the VoID facts of the shared, kinds and
    ontology graphs; `kind_sizes`: duties per kind.
    """
    totals = StatisticsTotals()
    for facts in township_facts:
        totals.add_graph(facts)
    for facts in other_graphs:
        totals.add_void(facts)
    totals.add_kinds(kind_sizes)
    return write_graph(str(iris.statistics_graph()), totals.triples(iris))


def write_search_index(state_dir: Path, township_facts: Iterable[GraphFacts],
                       shared: list[tuple[Node, Node, Node]]) -> int:
    """Write the search index into `state_dir`; returns its rows.

    `township_facts`: every township graph's, in code order (the index keeps that order); `shared`: the
    shared graph's triples (its departments and divisions are search rows).
    """
    divisions: dict[str, list[Node]] = {}

    def batches() -> Iterator[Iterable[tuple]]:
        for facts in township_facts:
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

    return build_search_index(state_dir, batches())

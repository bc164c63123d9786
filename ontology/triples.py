"""A document's triples as the build makes and reads them: added, iterated, counted (issue 13).

An rdflib `Graph.add` cost ~30 µs a triple (its Memory store indexes each triple three ways and keeps
track of contexts) and iterating one cost about as much again: together about a fifth of pass 1's CPU
time, for some 4,500 triples a document (cProfile over 40 synthetic townships). The build only adds,
iterates and counts, and looks up a few resources' provenance for the validation report (`objects`,
`subjects`); the readers that need more (pySHACL, `luzhi validate`, the tests) get an rdflib Graph
from `graph()`, made once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Node

from luzhi.ontology.namespaces import bind_prefixes
from luzhi.ontology.terms import to_oxigraph_safe

Triple = tuple[Node, Node, Node]
OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal


@dataclass(frozen=True)
class OxigraphTriples:
    """A TripleSet's triples in pyoxigraph terms, and the way back to its own rdflib terms."""

    triples: list[tuple[OxTerm, OxTerm, OxTerm]]  # in the TripleSet's iteration order
    originals: dict[OxTerm, Node]  # pyoxigraph term → the rdflib term it was made from


class TripleSet:
    """A set of rdflib triples with the part of rdflib's Graph API the build uses: `add`, `len`, iteration,
    `in`, and `objects`/`subjects` with both other positions given."""

    def __init__(self, triples: Iterable[Triple] = ()) -> None:
        self._triples: set[Triple] = set(triples)
        self._graph: Graph | None = None
        self._by_predicate: dict[Node, list[Triple]] | None = None
        self._index: dict[Node, tuple[dict, dict]] = {}  # predicate → `_pairs`
        self._oxigraph: OxigraphTriples | None = None

    def add(self, triple: Triple) -> None:
        if self._graph is not None or self._by_predicate is not None or self._oxigraph is not None:
            raise RuntimeError("TripleSet changed after it was read")  # the graph or index would disagree
        self._triples.add(triple)

    def objects(self, subject: Node, predicate: Node) -> list[Node]:
        return self._pairs(predicate)[0].get(subject, [])

    def subjects(self, predicate: Node, obj: Node) -> list[Node]:
        return self._pairs(predicate)[1].get(obj, [])

    def _pairs(self, predicate: Node) -> tuple[dict[Node, list[Node]], dict[Node, list[Node]]]:
        """(subject → objects, object → subjects) of one predicate, made on first use: a report looks up
        one or two predicates, and indexing every triple both ways took 15 ms a document."""
        if self._by_predicate is None:
            self._by_predicate = {}
            for triple in self._triples:
                self._by_predicate.setdefault(triple[1], []).append(triple)
        if predicate not in self._index:
            forward: dict[Node, list[Node]] = {}
            backward: dict[Node, list[Node]] = {}
            for s, _p, o in self._by_predicate.get(predicate, ()):
                forward.setdefault(s, []).append(o)
                backward.setdefault(o, []).append(s)
            self._index[predicate] = (forward, backward)
        return self._index[predicate]

    def __iter__(self) -> Iterator[Triple]:
        return iter(self._triples)

    def __len__(self) -> int:
        return len(self._triples)

    def __contains__(self, triple: Triple) -> bool:
        return triple in self._triples

    def graph(self) -> Graph:
        """The same triples as an rdflib Graph (with luzhi's prefixes), for lookups and serialising."""
        if self._graph is None:
            self._graph = Graph()
            bind_prefixes(self._graph)
            for triple in self._triples:
                self._graph.add(triple)
        return self._graph

    def oxigraph(self) -> OxigraphTriples:
        """The triples in pyoxigraph terms, each distinct term converted once, made on first use.

        Pass 1 needs them twice, for the fast validator's store (shapes/fast.py) and for the staged
        N-Quads (etl/stage.py); each converted the document's ~4,700 triples (~2,100 distinct terms)
        on its own, ~18 ms a document, 7 % of pass 1 (40 synthetic townships, 2026-11-30).
        """
        if self._oxigraph is None:
            # The distinct terms in order of first use (a blank node's fresh id counts them), converted,
            # then each triple three dictionary lookups: a function call per term of each triple was
            # most of this conversion's time (339,159 calls for 24 townships; bench/results/pass1.md).
            order = dict.fromkeys(term for triple in self._triples for term in triple)
            forward: dict[Node, OxTerm] = {term: to_oxigraph_safe(term, serial) for serial, term in enumerate(order)}
            triples = [(forward[s], forward[p], forward[o]) for s, p, o in self._triples]
            # Inverted in conversion order: two rdflib terms that pyoxigraph holds as one ("x" and
            # "x"^^xsd:string) map back to the last, as the validator's own conversion did.
            self._oxigraph = OxigraphTriples(triples, {ox_term: term for term, ox_term in forward.items()})
        return self._oxigraph

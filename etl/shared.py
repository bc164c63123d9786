"""The shared graph: resources several townships name, stated once (DESIGN.md §2, Identifiers).

Divisions above the township, departments and categories are named by many documents. Written
into every township's graph, each of their triples sat in several named graphs, and pyoxigraph
0.5 counts such a triple once per graph in the union default graph (oxigraph issue 1919): the
natural `COUNT(?d) … GROUP BY ?label` said 96 where the list has 24 (issue 11, finding 2). So a
document's triples are split by subject: its own resources go to its township graph, the shared
ones to one graph, `B/graph/shared`.

Incremental builds (some documents into an existing store) must keep that graph right, so each
document's shared contribution is kept in the build state (`shared/{code}.nt`) and the shared graph
is rewritten on every build as the union of the contributions of every document in the store: a
resource no longer named by any document disappears with the last contribution naming it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from operator import itemgetter
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox
from rdflib.namespace import RDFS, SKOS
from rdflib.term import Node

from luzhi.ontology.iris import Iris
from luzhi.store.oxigraph import to_rdflib

SHARED_DIR = "shared"  # in the build state directory, beside build.json and sources/
# One value per language; two documents may prefer different spellings of one department or category.
_SINGLE_LABELS = (ox.NamedNode(str(SKOS.prefLabel)), ox.NamedNode(str(RDFS.label)))
_ALT_LABEL = ox.NamedNode(str(SKOS.altLabel))
T = TypeVar("T")


def shared_test(iris: Iris, township_code: str) -> Callable[[object], bool]:
    """A test for one township's subjects: true for a resource other townships may name too (a division
    above `township_code`, a department, a category or the category scheme). Its IRI prefixes are made
    once: made for each of a document's ~4,700 triples (two rdflib IRIs each), the split took 6.2–6.5 ms a
    document, now 2.2–2.5 (10 synthetic townships, load ~10)."""
    prefixes = (f"{iris.base}/id/org/", str(iris.category_scheme()))
    divisions, own = f"{iris.base}/id/division/", str(iris.division(township_code))

    def is_shared(subject: object) -> bool:
        text = str(subject)
        return text.startswith(prefixes) or (text.startswith(divisions) and text != own)

    return is_shared


def split_shared(graph: Iterable[T], iris: Iris, township_code: str,
                 subject: Callable[[T], Node] = itemgetter(0)) -> tuple[list[T], list[T]]:
    """(the township's own triples, its shared contribution), split by subject; lists, not rdflib graphs
    (each `Graph.add` cost ~20 µs, a tenth of a second a township, issue 13). `subject` finds an item's
    subject when the items are more than triples (pass 1 splits each triple with its pyoxigraph form)."""
    is_shared = shared_test(iris, township_code)
    own, shared = [], []
    for item in graph:
        (shared if is_shared(subject(item)) else own).append(item)
    return own, shared


def contribution_path(state: Path, township_code: str) -> Path:
    return Path(state) / SHARED_DIR / f"{township_code}.nt"


def missing_contributions(state: Path, township_codes: Iterable[str]) -> list[str]:
    """Documents in the store whose shared contribution is not in the state (built by luzhi < 0.2)."""
    return [code for code in township_codes if not contribution_path(state, code).exists()]


def union_shared(contributions: Iterable[Iterable[ox.Triple]]) -> list[tuple[Node, Node, Node]]:
    """The shared graph: every contribution's triples once, with one skos:prefLabel and one rdfs:label
    per resource and language.

    Two documents of one county may prefer different spellings of a department (each picks its most
    frequent one, docs/departments.md): the spelling most documents prefer wins, ties broken by code
    point, and the others become skos:altLabel, so the union never has two preferred labels.
    Kept in pyoxigraph terms until the end: rdflib parsed 11 k triples/s and held ~1 KB a triple
    (issue 13), and the contributions of 38,700 townships hold tens of millions of triples.
    """
    stated: Counter = Counter()
    for contribution in contributions:
        for triple in contribution:
            stated[(triple.subject, triple.predicate, triple.object)] += 1
    union = set(stated)
    for prop in _SINGLE_LABELS:
        by_lang: dict[tuple, list] = {}
        for subject, predicate, label in stated:
            if predicate == prop:
                by_lang.setdefault((subject, getattr(label, "language", None)), []).append(label)
        for (subject, _lang), labels in by_lang.items():
            if len(labels) < 2:
                continue
            winner = min(labels, key=lambda label: (-stated[(subject, prop, label)], label.value))
            for label in labels:
                if label != winner:
                    union.discard((subject, prop, label))
                    union.add((subject, _ALT_LABEL, label))
    preferred = [(s, _ALT_LABEL, o) for s, p, o in union if p == _SINGLE_LABELS[0]]
    union.difference_update(preferred)  # SKOS: prefLabel and altLabel are disjoint
    return [(to_rdflib(s), to_rdflib(p), to_rdflib(o)) for s, p, o in union]


def shared_graph(state: Path, township_codes: Iterable[str]) -> list[tuple[Node, Node, Node]]:
    """The union of the stored contributions of `township_codes` (every document in the store)."""
    return union_shared(
        ox.parse(path=str(contribution_path(state, code)), format=ox.RdfFormat.N_TRIPLES)
        for code in sorted(set(township_codes))
    )

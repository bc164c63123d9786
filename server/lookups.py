"""Index lookups the pages are built from: a resource's own values, read without a query (issue 13).

A dereference should cost a handful of index lookups. Each helper here is one `Store.triples`
call with a bound subject or object and a limit, so its work is bounded by the resource's own
triples whatever the store's size; the embedded store answers it in the web process (a query
worker round trip cost ~50 ms under load, the lookup microseconds). Anything that has to join
or sort many resources stays a SPARQL query under `page_timeout` (server/page_queries.py).
"""

from __future__ import annotations

from rdflib import Literal, URIRef
from rdflib.term import Node

from luzhi.ontology.iris import Iris
from luzhi.ontology.namespaces import LZ
from luzhi.store.base import Store
from luzhi.store.statistics import observation_iri

# Values of one property of one resource: a duty names a few departments, a county ~50 townships.
MANY = 10_000


def objects(store: Store, subject: Node, predicate: Node, limit: int = MANY) -> list[Node]:
    return [o for _s, _p, o in store.triples(subject, predicate, None, limit=limit)]


def value(store: Store, subject: Node, predicate: Node) -> Node | None:
    found = store.triples(subject, predicate, None, limit=1)
    return found[0][2] if found else None


def subjects(store: Store, predicate: Node, obj: Node, limit: int = MANY) -> list[Node]:
    return [s for s, _p, _o in store.triples(None, predicate, obj, limit=limit)]


def number(node: Node | None) -> int | None:
    try:
        return int(node) if isinstance(node, Literal) else None
    except ValueError:
        return None


def observed_count(store: Store, base: str, breakdown: str, **values: Node) -> int | None:
    """The build's count of duties for one cell of a breakdown (store/statistics.py), by its IRI: one
    lookup; None when the build stored no such observation (a store built before the statistics)."""
    observation = observation_iri(Iris(base), breakdown, values)
    return number(value(store, URIRef(observation), LZ.dutyCount))

"""The SPARQL behind the comparison parts of resource pages (issue 14): a duty kind's members, the
same duty in other townships, a township's counts per list and category, departments and source.

Like server/page_queries.py (kept separate so each stays short): checked IRIs in, plain rows out.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import URIRef
from rdflib.namespace import DCTERMS, SKOS
from rdflib.term import Node

from luzhi.ontology.namespaces import LZ, sparql_prologue
from luzhi.server import lookups as lk
from luzhi.server.describe import check_iri, sparql_iri
from luzhi.store.base import Store

Row = dict[str, Node]


def kind_members(store: Store, kind_iri: str) -> list[Row]:
    """Every duty of one kind: its township, list, wording, score and departments (all of them)."""
    return store.select(
        sparql_prologue()
        + f"""SELECT ?duty ?town ?code ?townName ?type ?seq ?title ?score ?cat
               (GROUP_CONCAT(DISTINCT STR(?dept); SEPARATOR=" ") AS ?depts) WHERE {{
            ?duty lz:dutyKind {sparql_iri(kind_iri)} ; lz:township ?town ; lz:listType ?type .
            OPTIONAL {{ ?town skos:notation ?code }} OPTIONAL {{ ?town rdfs:label ?townName }}
            OPTIONAL {{ ?duty lz:sequence ?seq }} OPTIONAL {{ ?duty dct:title ?title }}
            OPTIONAL {{ ?duty lz:matchScore ?score }} OPTIONAL {{ ?duty lz:category ?cat }}
            OPTIONAL {{ ?duty lz:upperDepartment|lz:participation/lz:department ?dept }}
        }} GROUP BY ?duty ?town ?code ?townName ?type ?seq ?title ?score ?cat
        ORDER BY ?code ?type ?seq"""
    )


@dataclass(frozen=True)
class Elsewhere:
    """A duty's kind and at most `MAX_ELSEWHERE` duties of that kind in other townships."""

    kind: Node | None
    label: Node | None
    score: Node | None
    others: list[Row]  # other, town, type, title, otherScore; ordered by township, list, duty
    total: int | None  # duties of the kind (the build's statistics), when known


MAX_ELSEWHERE = 50


def same_duty_elsewhere(store: Store, base: str, duty_iri: str) -> Elsewhere:
    """The other townships' duties of this duty's kind, a bounded sample read by lookups.

    A kind can hold a duty from every township (10,000 at the issue's target): the page shows the
    first `MAX_ELSEWHERE` in index order, sorted, and links the kind's own (paged) page for the rest.
    """
    duty = URIRef(check_iri(duty_iri))
    kind = lk.value(store, duty, LZ.dutyKind)
    if kind is None:
        return Elsewhere(None, None, None, [], None)
    here = set(lk.objects(store, duty, LZ.township))
    others = []
    for other in lk.subjects(store, LZ.dutyKind, kind, limit=MAX_ELSEWHERE * 4):
        town = lk.value(store, other, LZ.township)
        if other == duty or town in here or town is None:
            continue
        row: Row = {"other": other, "town": town}
        for name, prop in (("type", LZ.listType), ("title", DCTERMS.title), ("otherScore", LZ.matchScore)):
            found = lk.value(store, other, prop)
            if found is not None:
                row[name] = found
        others.append(row)
        if len(others) == MAX_ELSEWHERE:
            break
    others.sort(key=lambda r: (str(r["town"]), str(r.get("type", "")), str(r["other"])))
    return Elsewhere(kind, lk.value(store, kind, SKOS.prefLabel), lk.value(store, duty, LZ.matchScore), others,
                     lk.observed_count(store, base, "kind", kind=kind))


def township_departments(store: Store, township_iri: str) -> list[Row]:
    """Departments a township's duties name (cooperative: leads; reclaimed: receivers), most named first."""
    return store.select(
        sparql_prologue()
        + f"""SELECT ?o (COUNT(DISTINCT ?duty) AS ?n) WHERE {{
            ?duty lz:township {sparql_iri(township_iri)} ; lz:upperDepartment ?o .
        }} GROUP BY ?o ORDER BY DESC(?n) ?o"""
    )


def township_sources(store: Store, township_iri: str) -> list[Row]:
    """The source documents a township's duties were derived from (`prov:wasDerivedFrom <doc#line=…>`)."""
    return store.select(
        sparql_prologue()
        + f"""SELECT DISTINCT ?doc ?title WHERE {{
            {{ SELECT ?src WHERE {{ ?duty lz:township {sparql_iri(township_iri)} ; prov:wasDerivedFrom ?src }}
               LIMIT 1 }}
            BIND(IRI(STRBEFORE(STR(?src), "#")) AS ?doc)
            OPTIONAL {{ ?doc dct:title ?title }}
        }}"""
    )

"""The SPARQL behind the comparison parts of resource pages (issue 14): a duty kind's members, the
same duty in other townships, a township's counts per list and category, departments and source.

Like server/page_queries.py (kept separate so each stays short): checked IRIs in, plain rows out.
"""

from __future__ import annotations

from rdflib.term import Node

from luzhi.ontology.namespaces import sparql_prologue
from luzhi.server.describe import sparql_iri
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


def same_duty_elsewhere(store: Store, duty_iri: str) -> list[Row]:
    """The other townships' duties of this duty's kind (none when the duty has no kind)."""
    node = sparql_iri(duty_iri)
    return store.select(
        sparql_prologue()
        + f"""SELECT ?kind ?label ?score ?other ?town ?type ?title ?otherScore WHERE {{
            {node} lz:dutyKind ?kind ; lz:township ?here .
            OPTIONAL {{ {node} lz:matchScore ?score }}
            OPTIONAL {{ ?kind skos:prefLabel ?label }}
            OPTIONAL {{
                ?other lz:dutyKind ?kind ; lz:township ?town ; lz:listType ?type .
                FILTER(?town != ?here)
                OPTIONAL {{ ?other dct:title ?title }} OPTIONAL {{ ?other lz:matchScore ?otherScore }}
            }}
        }} ORDER BY ?town ?type ?other"""
    )


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

"""Duty kinds in and out of the store: read every duty of the store, compute kinds, write the kinds graph.

Kinds are cross-township, so they are computed over all duties of the store (not per document) after
the documents are loaded, and live in one named graph of their own, `B/graph/kinds`: the kind concepts,
their scheme and the `lz:dutyKind` links. No triple of it is stated in any township's graph
(DESIGN.md §2), and every build replaces it whole, so a kind never outlives the duties it grouped.
"""

from __future__ import annotations

from rdflib import XSD, Graph, Literal
from rdflib.namespace import RDF, RDFS, SKOS

from luzhi.etl.kinds import DutyRecord, KindsResult, compute_kinds
from luzhi.ontology.iris import Iris
from luzhi.ontology.namespaces import LZ, bind_prefixes, sparql_prologue
from luzhi.ontology.types import ListKind
from luzhi.store.base import Store

_LIST_KIND = {str(LZ.BasicList): ListKind.BASIC, str(LZ.CooperativeList): ListKind.COOPERATIVE,
              str(LZ.ReclaimedList): ListKind.RECLAIMED}
_DEPTYPE_PREFIX = str(LZ) + "deptype-"

# GROUP_CONCAT keeps one row per duty whatever the number of departments; the separator cannot
# occur in a department-type key (ontology/department-types.ttl: lowercase ASCII and hyphens).
_DUTIES = sparql_prologue() + """
SELECT ?code ?listType ?sequence ?title (SAMPLE(?categoryLabel) AS ?category)
       (GROUP_CONCAT(DISTINCT STR(?type); separator=" ") AS ?types)
WHERE {
  ?duty a lz:Duty ; lz:township/skos:notation ?code ; lz:listType ?listType ;
        lz:sequence ?sequence ; dct:title ?title .
  OPTIONAL { ?duty lz:category/skos:prefLabel ?categoryLabel }
  OPTIONAL { ?duty lz:upperDepartment/lz:departmentType ?type }
}
GROUP BY ?code ?listType ?sequence ?title
"""


def duty_records(store: Store) -> list[DutyRecord]:
    """Every duty of the store as a `DutyRecord` (any order: `compute_kinds` sorts)."""
    records = []
    for row in store.select(_DUTIES):
        types = str(row["types"]).split() if row.get("types") is not None else []
        records.append(
            DutyRecord(
                township=str(row["code"]),
                list_kind=_LIST_KIND[str(row["listType"])],
                sequence=int(row["sequence"]),
                title=str(row["title"]),
                category=str(row["category"]) if row.get("category") is not None else None,
                department_types=frozenset(t.removeprefix(_DEPTYPE_PREFIX) for t in types),
            )
        )
    return records


def kinds_graph(result: KindsResult, iris: Iris) -> Graph:
    """The kinds graph: the scheme, one `lz:DutyKind` per kind, and per member duty its `lz:dutyKind`
    and `lz:matchScore`. A duty has at most one kind, so the score can sit on the duty itself."""
    graph = Graph()
    bind_prefixes(graph)
    scheme = iris.kind_scheme()
    graph.add((scheme, RDF.type, SKOS.ConceptScheme))
    graph.add((scheme, SKOS.prefLabel, Literal("履职事项种类", lang="zh")))
    graph.add((scheme, SKOS.prefLabel, Literal("Duty kinds", lang="en")))
    graph.add((scheme, RDFS.label, Literal("履职事项种类", lang="zh")))  # every minted IRI has an rdfs:label (issue 11)
    graph.add((scheme, RDFS.label, Literal("Duty kinds", lang="en")))
    for kind in result.kinds:
        node = iris.kind(kind.slug)
        graph.add((node, RDF.type, LZ.DutyKind))
        graph.add((node, SKOS.inScheme, scheme))
        graph.add((node, SKOS.prefLabel, Literal(kind.label, lang="zh")))
        graph.add((node, RDFS.label, Literal(kind.label, lang="zh")))
        for member in kind.members:
            duty = iris.duty(member.duty.township, member.duty.list_kind, member.duty.sequence)
            graph.add((duty, LZ.dutyKind, node))
            graph.add((duty, LZ.matchScore, Literal(_canonical_decimal(member.score), datatype=XSD.decimal)))
    return graph


def _canonical_decimal(score: float) -> str:
    """xsd:decimal in the canonical form the store keeps (0.550 is stored as 0.55, 1.000 as 1), so the
    graph emitted here and the graph read back from the store are the same triples."""
    return f"{score:.3f}".rstrip("0").rstrip(".")


def refresh_kinds(store: Store, iris: Iris) -> KindsResult:
    """Recompute the kinds over every duty in `store` and replace its kinds graph (one transaction)."""
    result = compute_kinds(duty_records(store))
    store.replace_graph(str(iris.kinds_graph()), kinds_graph(result, iris))
    return result


def kinds_report(result: KindsResult, iris: Iris) -> dict:
    """The `kinds` section of the build report: counts, and every unmatched duty by IRI and title."""
    return {
        "sampled": result.sampled,
        "kinds": len(result.kinds),
        "matched_duties": sum(len(k.members) for k in result.kinds),
        "unmatched_duties": [
            {"duty": str(iris.duty(r.township, r.list_kind, r.sequence)), "township_code": r.township,
             "list": r.list_kind.value, "sequence": r.sequence, "title": r.title}
            for r in result.unmatched
        ],
    }

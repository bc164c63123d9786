"""Duty kinds in and out of the store: every duty of the store as records, the kinds graph's triples.

Kinds are cross-township, so they are computed over all duties of the store (not per document) after
the documents are loaded (the build takes the records from each document's facts, etl/facts.py; the
same records can be read from a store with `duty_records`), and live in one named graph of their own,
`B/graph/kinds`: the kind concepts,
their scheme and the `lz:dutyKind` links. No triple of it is stated in any township's graph
(DESIGN.md §2), and every build replaces it whole, so a kind never outlives the duties it grouped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from rdflib import XSD, Graph, Literal
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.term import Node

from luzhi.etl.facts import DEPTYPE_PREFIX, LIST_KINDS
from luzhi.etl.kinds import DutyRecord, KindsResult
from luzhi.ontology.iris import Iris
from luzhi.ontology.namespaces import LZ, bind_prefixes, sparql_prologue
from luzhi.store.base import Store
from luzhi.store.kind_samples import KindSampleRow, SampleMember, enough_for_every_township, sample_order

# GROUP_CONCAT keeps one row per duty whatever the number of departments; the separator cannot
# occur in a department-type key (ontology/department-types.ttl: lowercase ASCII and hyphens).
_DUTIES = sparql_prologue() + """
SELECT ?code ?listType ?sequence ?title (MIN(STR(?categoryIri)) AS ?category)
       (GROUP_CONCAT(DISTINCT STR(?type); separator=" ") AS ?types)
WHERE {
  ?duty a lz:Duty ; lz:township/skos:notation ?code ; lz:listType ?listType ;
        lz:sequence ?sequence ; dct:title ?title .
  OPTIONAL { ?duty lz:category ?categoryIri }
  OPTIONAL { ?duty lz:upperDepartment/lz:departmentType ?type }
}
GROUP BY ?code ?listType ?sequence ?title
"""


def duty_records(store: Store) -> list[DutyRecord]:
    """Every duty of the store as a `DutyRecord` (any order: `compute_kinds` sorts); the category is its IRI.

    Not in the build (it reads each document's facts): one unpaged query, for the tests and benchmarks."""
    records = []
    for row in store.select(_DUTIES):
        types = str(row["types"]).split() if row.get("types") is not None else []
        records.append(
            DutyRecord(
                township=str(row["code"]),
                list_kind=LIST_KINDS[str(row["listType"])],
                sequence=int(row["sequence"]),
                title=str(row["title"]),
                category=str(row["category"]) if row.get("category") is not None else None,
                department_types=frozenset(t.removeprefix(DEPTYPE_PREFIX) for t in types),
            )
        )
    return records


def kinds_triples(result: KindsResult, iris: Iris) -> Iterator[tuple[Node, Node, Node]]:
    """The kinds graph: the scheme, one `lz:DutyKind` per kind, and per member duty its `lz:dutyKind`
    and `lz:matchScore`. A duty has at most one kind, so the score can sit on the duty itself.
    A generator: nationally the graph holds ~2 triples a duty, too many for an rdflib graph."""
    scheme = iris.kind_scheme()
    scores: dict[float, Literal] = {}
    yield scheme, RDF.type, SKOS.ConceptScheme
    yield scheme, SKOS.prefLabel, Literal("履职事项种类", lang="zh")
    yield scheme, SKOS.prefLabel, Literal("Duty kinds", lang="en")
    yield scheme, RDFS.label, Literal("履职事项种类", lang="zh")  # every minted IRI has an rdfs:label (issue 11)
    yield scheme, RDFS.label, Literal("Duty kinds", lang="en")
    for kind in result.kinds:
        node = iris.kind(kind.slug)
        yield node, RDF.type, LZ.DutyKind
        yield node, SKOS.inScheme, scheme
        yield node, SKOS.prefLabel, Literal(kind.label, lang="zh")
        yield node, RDFS.label, Literal(kind.label, lang="zh")
        for member in kind.members:
            duty = iris.duty(member.duty.township, member.duty.list_kind, member.duty.sequence)
            yield duty, LZ.dutyKind, node
            score = scores.get(member.score)
            if score is None:  # ≤ 1,001 scores (3 decimals): an rdflib Literal each, not one per duty
                score = scores[member.score] = Literal(_canonical_decimal(member.score), datatype=XSD.decimal)
            yield duty, LZ.matchScore, score


def kinds_graph(result: KindsResult, iris: Iris) -> Graph:
    """`kinds_triples` as an rdflib graph (small stores: the tests)."""
    graph = Graph()
    bind_prefixes(graph)
    for triple in kinds_triples(result, iris):
        graph.add(triple)
    return graph


def kind_sizes(result: KindsResult, iris: Iris) -> dict[Node, int]:
    """Duties per kind IRI (the statistics graph's `kind` breakdown)."""
    return {iris.kind(kind.slug): len(kind.members) for kind in result.kinds}


def kind_samples(result: KindsResult, iris: Iris, township_labels: dict[str, str]) -> Iterator[KindSampleRow]:
    """Each kind's sample for the duty pages (store/kind_samples.py), with the township's label
    (`township_labels`: code → rdfs:label@zh) and the values the kinds graph states of each member."""
    list_types = {kind: iri for iri, kind in LIST_KINDS.items()}
    for kind in result.kinds:
        members: list[SampleMember] = []
        townships: Counter = Counter()
        for member in sorted(kind.members, key=lambda m: sample_order("/".join(map(str, m.duty.key)))):
            if enough_for_every_township(townships, len(members)):
                break
            duty = member.duty
            townships[duty.township] += 1
            members.append(SampleMember(
                str(iris.duty(duty.township, duty.list_kind, duty.sequence)), str(iris.division(duty.township)),
                township_labels.get(duty.township), list_types[duty.list_kind], duty.title,
                _canonical_decimal(member.score)))
        yield KindSampleRow(str(iris.kind(kind.slug)), kind.label, len(kind.members), tuple(members))


def _canonical_decimal(score: float) -> str:
    """xsd:decimal in the canonical form the store keeps (0.550 is stored as 0.55, 1.000 as 1), so the
    graph emitted here and the graph read back from the store are the same triples."""
    return f"{score:.3f}".rstrip("0").rstrip(".")


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

"""Duty kinds in and out of the store: every duty of the store as records, the kinds graph's triples.

Kinds are cross-township, so they are computed over all duties of the store (not per document) after
the documents are loaded (the build takes the records from each document's facts, etl/facts.py; the
same records can be read from a store with `duty_records`), and live in one named graph of their own,
`B/graph/kinds`: the kind concepts,
their scheme and the `lz:dutyKind` links. No triple of it is stated in any township's graph
(DESIGN.md §2), and every build replaces it whole, so a kind never outlives the duties it grouped.
"""

from __future__ import annotations

from collections.abc import Iterator

from rdflib import XSD, Graph, Literal
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.term import Node

from luzhi.etl.duty_record import DutyRecord
from luzhi.etl.facts import DEPTYPE_PREFIX, LIST_KINDS
from luzhi.etl.kinds_learn import LearntKinds
from luzhi.ontology.iris import Iris
from luzhi.ontology.namespaces import LZ, bind_prefixes, sparql_prologue
from luzhi.store.base import Store
from luzhi.store.kind_samples import KindSampleRow, SampleMember, SamplePrefix, sample_order

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


def kinds_triples(kinds: LearntKinds, iris: Iris) -> Iterator[tuple[Node, Node, Node]]:
    """The kinds graph: the scheme, one `lz:DutyKind` per kind, and per member duty its `lz:dutyKind`
    and `lz:matchScore`. A duty has at most one kind, so the score can sit on the duty itself.
    A generator over the duties one township at a time: nationally the graph holds ~2 triples a duty,
    too many for an rdflib graph or a list."""
    scheme = iris.kind_scheme()
    scores: dict[float, Literal] = {}
    yield scheme, RDF.type, SKOS.ConceptScheme
    yield scheme, SKOS.prefLabel, Literal("履职事项种类", lang="zh")
    yield scheme, SKOS.prefLabel, Literal("Duty kinds", lang="en")
    yield scheme, RDFS.label, Literal("履职事项种类", lang="zh")  # every minted IRI has an rdfs:label (issue 11)
    yield scheme, RDFS.label, Literal("Duty kinds", lang="en")
    nodes = [iris.kind(slug) for slug in kinds.slugs]
    for node, label in zip(nodes, kinds.labels, strict=True):
        yield node, RDF.type, LZ.DutyKind
        yield node, SKOS.inScheme, scheme
        yield node, SKOS.prefLabel, Literal(label, lang="zh")
        yield node, RDFS.label, Literal(label, lang="zh")
    for record, kind, member_score in kinds.duties():
        if kind < 0:
            continue
        duty = iris.duty(record.township, record.list_kind, record.sequence)
        yield duty, LZ.dutyKind, nodes[kind]
        score = scores.get(member_score)
        if score is None:  # ≤ 1,001 scores (3 decimals): an rdflib Literal each, not one per duty
            score = scores[member_score] = Literal(_canonical_decimal(member_score), datatype=XSD.decimal)
        yield duty, LZ.matchScore, score


def kinds_graph(kinds: LearntKinds, iris: Iris) -> Graph:
    """`kinds_triples` as an rdflib graph (small stores: the tests)."""
    graph = Graph()
    bind_prefixes(graph)
    for triple in kinds_triples(kinds, iris):
        graph.add(triple)
    return graph


def kind_sizes(kinds: LearntKinds, iris: Iris) -> dict[Node, int]:
    """Duties per kind IRI (the statistics graph's `kind` breakdown)."""
    return {iris.kind(slug): int(size) for slug, size in zip(kinds.slugs, kinds.sizes(), strict=True)}


def kind_samples(kinds: LearntKinds, iris: Iris, township_labels: dict[str, str]) -> Iterator[KindSampleRow]:
    """Each kind's sample for the duty pages (store/kind_samples.py), with the township's label
    (`township_labels`: code → rdfs:label@zh) and the values the kinds graph states of each member.
    One pass over the duties, keeping per kind only what its sample may still need (`SamplePrefix`)."""
    list_types = {kind: iri for iri, kind in LIST_KINDS.items()}
    samples = [SamplePrefix() for _ in kinds.slugs]
    for record, kind, score in kinds.duties():
        if kind >= 0:
            samples[kind].offer(sample_order("/".join(map(str, record.key))), record.township, (record, score))
    for slug, label, size, sample in zip(kinds.slugs, kinds.labels, kinds.sizes(), samples, strict=True):
        members = tuple(
            SampleMember(str(iris.duty(duty.township, duty.list_kind, duty.sequence)),
                         str(iris.division(duty.township)), township_labels.get(duty.township),
                         list_types[duty.list_kind], duty.title, _canonical_decimal(score))
            for duty, score in sample.items())
        yield KindSampleRow(str(iris.kind(slug)), label, int(size), members)


def _canonical_decimal(score: float) -> str:
    """xsd:decimal in the canonical form the store keeps (0.550 is stored as 0.55, 1.000 as 1), so the
    graph emitted here and the graph read back from the store are the same triples."""
    return f"{score:.3f}".rstrip("0").rstrip(".")


def kinds_report(kinds: LearntKinds, iris: Iris) -> dict:
    """The `kinds` section of the build report: counts, and every unmatched duty by IRI and title."""
    return {
        "sampled": kinds.sampled,
        "kinds": len(kinds.slugs),
        "matched_duties": kinds.matched_count,
        "unmatched_duties": [
            {"duty": str(iris.duty(r.township, r.list_kind, r.sequence)), "township_code": r.township,
             "list": r.list_kind.value, "sequence": r.sequence, "title": r.title}
            for r in kinds.unmatched()
        ],
    }

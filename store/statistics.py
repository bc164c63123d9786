"""Counts computed once per build and stored as RDF, so no page and no VoID request counts on the fly.

Issue 13 measured the home page at 3.8 s and category pages at 7.5 s on 1.55 M quads because
they aggregated the whole store per request. The build now ends with `write_statistics`: the
same aggregates, run once, written to one store-wide named graph (`Iris.statistics_graph`):

- the VoID figures of the dataset (`void:triples`, class and property partitions …) on
  `<{base}/id/dataset>`, counted over the data graphs (the statistics graph itself excluded);
- RDF Data Cube observations (`qb:Observation`), one data set per breakdown (`BREAKDOWNS`):
  duties per township × list × category, per category × township, per category, per
  department × township, per department and per duty kind. A dimension that does not apply is absent
  (a list without categories has no `lz:observedCategory`).

Each count is `COUNT(DISTINCT ?duty)` of the natural query (tests/test_statistics.py compares
them). Observation IRIs hash their dimensions (base removed), so a rebuild mints the same IRIs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, VOID, XSD
from rdflib.term import Node

from luzhi.ontology.iris import Iris
from luzhi.ontology.namespaces import CV, LZ, ONTOLOGY_GRAPH, QB, sparql_prologue
from luzhi.store.base import Store

# breakdown name → (the dimensions it keeps, the SPARQL that counts it: ?n plus those variables)
_DUTIES_OF_DEPARTMENT = "{ ?d lz:upperDepartment ?o } UNION { ?pa lz:department ?o . ?d lz:participation ?pa }"
BREAKDOWNS: dict[str, tuple[tuple[str, ...], str]] = {
    "township-list-category": (
        ("town", "list", "type", "cat"),
        "SELECT ?town ?list ?type ?cat (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a lz:Duty ; lz:inList ?list ; "
        "lz:township ?town . OPTIONAL { ?d lz:listType ?type } OPTIONAL { ?d lz:category ?cat } } "
        "GROUP BY ?town ?list ?type ?cat",
    ),
    "category-township": (
        ("cat", "town"),
        "SELECT ?cat ?town (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d lz:category ?cat ; lz:township ?town } "
        "GROUP BY ?cat ?town",
    ),
    # `a lz:Duty`: list sections carry a category too (the home page once counted them as duties).
    "category": (
        ("cat",),
        "SELECT ?cat (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a lz:Duty ; lz:category ?cat } GROUP BY ?cat",
    ),
    "department-township": (
        ("dept", "town"),
        f"SELECT ?dept ?town (COUNT(DISTINCT ?d) AS ?n) WHERE {{ {{ SELECT DISTINCT ?o ?d WHERE "
        f"{{ {_DUTIES_OF_DEPARTMENT} }} }} ?d lz:township ?town BIND(?o AS ?dept) }} GROUP BY ?dept ?town",
    ),
    "department": (
        ("dept",),
        f"SELECT ?dept (COUNT(DISTINCT ?d) AS ?n) WHERE {{ {_DUTIES_OF_DEPARTMENT} BIND(?o AS ?dept) }} "
        "GROUP BY ?dept",
    ),
    # Duty kinds (issue 14, graph/kinds): how many duties each kind groups; none when the build computed no kinds.
    "kind": (
        ("kind",),
        "SELECT ?kind (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a lz:Duty ; lz:dutyKind ?kind } GROUP BY ?kind",
    ),
}
DIMENSIONS = {
    "town": LZ.observedTownship,
    "list": LZ.observedList,
    "type": LZ.observedListType,
    "cat": LZ.observedCategory,
    "dept": LZ.observedDepartment,
    "kind": LZ.observedKind,
}

# Home-page headline figures, as VoID partitions of the dataset (class → entities, property → distinct objects).
CLASS_PARTITIONS = {"duties": LZ.Duty, "lists": LZ.DutyList, "departments": CV.PublicOrganisation}
PROPERTY_PARTITIONS = {"townships": LZ.township, "categories": LZ.category}


@dataclass(frozen=True)
class VoidFigures:
    """Whole-dataset VoID statistics over the data graphs (what /.well-known/void reports)."""

    triples: int
    entities: int
    properties: int
    distinct_subjects: int
    distinct_objects: int
    class_entities: tuple[tuple[URIRef, int], ...]


def breakdown_dataset(iris: Iris, name: str) -> URIRef:
    return URIRef(f"{iris.base}/id/statistics/{name}")


def dataset_iri(iris: Iris) -> URIRef:
    return URIRef(f"{iris.base}/id/dataset")


def _number(store: Store, query: str) -> int:
    rows = store.select(sparql_prologue() + query)
    return int(rows[0]["n"]) if rows else 0


def void_figures(store: Store, iris: Iris) -> VoidFigures:
    """Count distinct triples of luzhi's data graphs (a division appears in several township graphs).

    Only luzhi's own graphs: a remote store's union also holds its system graphs (Virtuoso's
    default graph counted 2,500 triples of its own; docs/remote-store.md); the statistics
    graph is left out because it describes the others.
    """
    base = _escape(iris.base)
    ours = (f'FILTER((STRSTARTS(STR(?g), "{base}/graph/") && ?g != <{iris.statistics_graph()}>) '
            f"|| ?g = <{ONTOLOGY_GRAPH}>)")

    def triples(pattern: str = "?s ?p ?o") -> str:
        return f"GRAPH ?g {{ {pattern} }} {ours}"

    entities = f'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{base}/id/"))'
    classes = store.select(
        f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {triples('?s a ?c')} }} GROUP BY ?c ORDER BY ?c"
    )
    return VoidFigures(
        triples=_number(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?p ?o WHERE {{ {triples()} }} }}"),
        entities=_number(store, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {triples()} {entities} }}"),
        properties=_number(store, f"SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {{ {triples()} }}"),
        distinct_subjects=_number(store, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {triples()} }}"),
        distinct_objects=_number(store, f"SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {{ {triples()} }}"),
        class_entities=tuple((row["c"], int(row["n"])) for row in classes if isinstance(row["c"], URIRef)),
    )


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def statistics_triples(store: Store, iris: Iris) -> Iterator[tuple[Node, Node, Node]]:
    """Every triple of the statistics graph, counted on `store` as it is now."""
    dataset = dataset_iri(iris)
    figures = void_figures(store, iris)
    for prop, value in (
        (VOID.triples, figures.triples),
        (VOID.entities, figures.entities),
        (VOID.classes, len(figures.class_entities)),
        (VOID.properties, figures.properties),
        (VOID.distinctSubjects, figures.distinct_subjects),
        (VOID.distinctObjects, figures.distinct_objects),
    ):
        yield dataset, prop, Literal(value, datatype=XSD.integer)
    # Every IRI luzhi mints has a label (issue 11), these included: their pages need a heading.
    yield dataset, RDFS.label, Literal("履职事项清单数据集", lang="zh")
    yield dataset, RDFS.label, Literal("luzhi duty lists dataset", lang="en")
    for cls, count in figures.class_entities:
        partition = URIRef(f"{dataset}/class/{_digest(str(cls))}")
        yield dataset, VOID.classPartition, partition
        yield from _labels(partition, f"类 {_local(cls)} 的实体", f"entities of class {_local(cls)}")
        yield partition, VOID["class"], cls
        yield partition, VOID.entities, Literal(count, datatype=XSD.integer)
    for prop in PROPERTY_PARTITIONS.values():
        distinct = _number(store, f"SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {{ ?s <{prop}> ?o }}")
        partition = URIRef(f"{dataset}/property/{_digest(str(prop))}")
        yield dataset, VOID.propertyPartition, partition
        yield from _labels(partition, f"属性 {_local(prop)} 的取值", f"values of property {_local(prop)}")
        yield partition, VOID.property, prop
        yield partition, VOID.distinctObjects, Literal(distinct, datatype=XSD.integer)
    for name, (dimensions, query) in BREAKDOWNS.items():
        breakdown = breakdown_dataset(iris, name)
        yield breakdown, RDF.type, QB.DataSet
        yield from _labels(breakdown, f"职责数量统计（{name}）", f"duty counts by {name}")
        for row in store.select(sparql_prologue() + query):
            present = [(DIMENSIONS[d], row[d]) for d in dimensions if d in row]
            observation = observation_iri(iris, name, {d: row[d] for d in dimensions if d in row})
            yield observation, RDF.type, QB.Observation
            yield observation, QB.dataSet, breakdown
            yield from _labels(observation, f"职责数量观测（{name}）", f"duty count observation ({name})")
            for prop, value in present:
                yield observation, prop, value
            yield observation, LZ.dutyCount, Literal(int(row["n"]), datatype=XSD.integer)


def observation_iri(iris: Iris, breakdown: str, values: dict[str, Node]) -> URIRef:
    """The observation of `breakdown` for these dimension values (keys of `DIMENSIONS`; absent = not applicable).

    Hashed without the base, so the same store built under two bases mints the same paths; and a
    page computes the IRI of the one count it shows and reads it by one lookup (issue 13).
    """
    dimensions = BREAKDOWNS[breakdown][0]
    key = " ".join(str(values[d]).removeprefix(iris.base) for d in dimensions if d in values)
    return URIRef(f"{breakdown_dataset(iris, breakdown)}/{_digest(key)}")


def _labels(node: URIRef, zh: str, en: str) -> Iterator[tuple[Node, Node, Node]]:
    yield node, RDFS.label, Literal(zh, lang="zh")
    yield node, RDFS.label, Literal(en, lang="en")


def _local(iri: URIRef) -> str:
    return str(iri).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def write_statistics(store: Store, iris: Iris) -> int:
    """Recount and replace the statistics graph in one transaction; returns its triple count."""
    triples = list(statistics_triples(store, iris))
    store.replace_graph(str(iris.statistics_graph()), triples)
    return len(triples)

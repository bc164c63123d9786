"""Counts computed once per build and stored as RDF, so no page and no VoID request counts on the fly.

Issue 13 measured the home page at 3.8 s and category pages at 7.5 s on 1.55 M quads because
they aggregated the whole store per request. The build now ends with the statistics graph: the
same aggregates, counted once, written to one store-wide named graph (`Iris.statistics_graph`):

- the VoID figures of the dataset (`void:triples`, class and property partitions …) on
  `<{base}/id/dataset>`, counted over the data graphs (the statistics graph itself excluded);
- RDF Data Cube observations (`qb:Observation`), one data set per breakdown (`BREAKDOWNS`):
  duties per township × list × category, per category × township, per category, per
  department × township, per department and per duty kind. A dimension that does not apply is absent
  (a list without categories has no `lz:observedCategory`).

Each count is `COUNT(DISTINCT ?duty)` of the natural query (tests/test_statistics_search.py compares
them), summed from each township graph's facts (store/facts.py) rather than counted over the whole
store: that took 0.25–0.6 s a township and ~1.4 GB at 100 (issue 13). Observation IRIs hash their
dimensions (base removed), so a rebuild mints the same IRIs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, VOID, XSD
from rdflib.term import Node

from luzhi.ontology.iris import Iris
from luzhi.ontology.namespaces import CV, LZ, QB
from luzhi.store.facts import PROPERTY_PARTITIONS, GraphFacts, VoidFacts, VoidTotals

# breakdown name → the dimensions it keeps. Each count is the natural query's COUNT(DISTINCT ?duty), computed per
# township graph by store/facts.py (`graph_facts`) and summed (tests/test_statistics_search.py holds the queries):
# - township-list-category: `?d a lz:Duty ; lz:inList ?list ; lz:township ?town`, OPTIONAL listType, category;
# - category-township: `?d lz:category ?cat ; lz:township ?town`;
# - category: `?d a lz:Duty ; lz:category ?cat` (`a lz:Duty`: list sections carry a category too);
# - department-township, department: `?d lz:upperDepartment ?dept` or `?d lz:participation/lz:department ?dept`;
# - kind: `?d lz:dutyKind ?kind` (issue 14, graph/kinds), from the build's kinds; none when it computed none.
BREAKDOWNS: dict[str, tuple[str, ...]] = {
    "township-list-category": ("town", "list", "type", "cat"),
    "category-township": ("cat", "town"),
    "category": ("cat",),
    "department-township": ("dept", "town"),
    "department": ("dept",),
    "kind": ("kind",),
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


def breakdown_dataset(iris: Iris, name: str) -> URIRef:
    return URIRef(f"{iris.base}/id/statistics/{name}")


def dataset_iri(iris: Iris) -> URIRef:
    return URIRef(f"{iris.base}/id/dataset")


class StatisticsTotals:
    """The statistics of a whole store, summed from each graph's facts (store/facts.py) as they come.

    VoID figures cover luzhi's data graphs: every township graph, the shared, kinds and ontology
    graphs (`add_void`), not the statistics graph, which describes them. A remote store's system
    graphs are never counted (Virtuoso's default graph held 2,500 triples of its own).
    """

    def __init__(self) -> None:
        self.void = VoidTotals()
        self.counts: dict[str, dict[tuple, int]] = {name: {} for name in BREAKDOWNS}

    def add_void(self, facts: VoidFacts) -> None:
        self.void.add(facts)

    def add_graph(self, facts: GraphFacts) -> None:
        self.void.add(facts.void)
        for name, by_key in facts.counts.items():
            totals = self.counts[name]
            for key, n in by_key.items():
                totals[key] = totals.get(key, 0) + n

    def add_kinds(self, members: dict[Node, int]) -> None:
        """Duties per kind (each duty has at most one kind)."""
        for kind, n in members.items():
            self.counts["kind"][(kind,)] = n

    def triples(self, iris: Iris) -> Iterator[tuple[Node, Node, Node]]:
        """Every triple of the statistics graph."""
        dataset = dataset_iri(iris)
        distinct = self.void.distinct()
        classes = sorted(self.void.classes.items())
        for prop, value in (
            (VOID.triples, distinct["triples"]),
            (VOID.entities, distinct["entities"]),
            (VOID.classes, len(classes)),
            (VOID.properties, len(self.void.properties)),
            (VOID.distinctSubjects, distinct["subjects"]),
            (VOID.distinctObjects, distinct["objects"]),
        ):
            yield dataset, prop, Literal(value, datatype=XSD.integer)
        # Every IRI luzhi mints has a label (issue 11), these included: their pages need a heading.
        yield dataset, RDFS.label, Literal("履职事项清单数据集", lang="zh")
        yield dataset, RDFS.label, Literal("luzhi duty lists dataset", lang="en")
        for cls, count in classes:
            partition = URIRef(f"{dataset}/class/{_digest(cls)}")
            yield dataset, VOID.classPartition, partition
            yield from _labels(partition, f"类 {_local(cls)} 的实体", f"entities of class {_local(cls)}")
            yield partition, VOID["class"], URIRef(cls)
            yield partition, VOID.entities, Literal(count, datatype=XSD.integer)
        for prop in PROPERTY_PARTITIONS.values():
            partition = URIRef(f"{dataset}/property/{_digest(str(prop))}")
            yield dataset, VOID.propertyPartition, partition
            yield from _labels(partition, f"属性 {_local(prop)} 的取值", f"values of property {_local(prop)}")
            yield partition, VOID.property, prop
            distinct_objects = len(self.void.partition_objects[str(prop)])
            yield partition, VOID.distinctObjects, Literal(distinct_objects, datatype=XSD.integer)
        # Per observation (~1 M at 1,000 townships, bench/results/derive.md) nothing is looked up twice: the
        # terms are named once (rdflib's `RDF.type` costs ~1 µs a read) and each dimension value's text in
        # the observation's hash is kept.
        rdf_type, observation_class, data_set, duty_count = RDF.type, QB.Observation, QB.dataSet, LZ.dutyCount
        counts: dict[int, Literal] = {}  # one Literal per distinct count, not per observation
        texts: dict[Node, str] = {}  # a dimension value's text in the observation's hash (`observation_iri`)
        for name, dimensions in BREAKDOWNS.items():
            breakdown = breakdown_dataset(iris, name)
            yield breakdown, RDF.type, QB.DataSet
            yield from _labels(breakdown, f"职责数量统计（{name}）", f"duty counts by {name}")
            # One Literal per distinct label, not per observation.
            labels = [(p, o) for _s, p, o in _labels(breakdown, f"职责数量观测（{name}）",
                                                      f"duty count observation ({name})")]
            properties = [DIMENSIONS[d] for d in dimensions]
            for values, n in self.counts[name].items():
                present = [(prop, v) for prop, v in zip(properties, values, strict=True) if v is not None]
                key = []
                for _prop, v in present:
                    text = texts.get(v)
                    if text is None:
                        text = texts[v] = str(v).removeprefix(iris.base)
                    key.append(text)
                observation = _observation(breakdown, key)
                yield observation, rdf_type, observation_class
                yield observation, data_set, breakdown
                for prop, label in labels:
                    yield observation, prop, label
                for prop, value in present:
                    yield observation, prop, value
                count = counts.get(n)
                if count is None:
                    count = counts[n] = Literal(n, datatype=XSD.integer)
                yield observation, duty_count, count


def observation_iri(iris: Iris, breakdown: str, values: dict[str, Node]) -> URIRef:
    """The observation of `breakdown` for these dimension values (keys of `DIMENSIONS`; absent = not applicable).

    Hashed without the base, so the same store built under two bases mints the same paths; and a
    page computes the IRI of the one count it shows and reads it by one lookup (issue 13).
    """
    texts = [str(values[d]).removeprefix(iris.base) for d in BREAKDOWNS[breakdown] if d in values]
    return _observation(breakdown_dataset(iris, breakdown), texts)


def _observation(breakdown: URIRef, texts: list[str]) -> URIRef:
    """`observation_iri` from the texts of the dimensions present, in `BREAKDOWNS` order."""
    return URIRef(f"{breakdown}/{_digest(' '.join(texts))}")


def _labels(node: URIRef, zh: str, en: str) -> Iterator[tuple[Node, Node, Node]]:
    yield node, RDFS.label, Literal(zh, lang="zh")
    yield node, RDFS.label, Literal(en, lang="en")


def _local(iri: str) -> str:
    return str(iri).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

"""What the post-load steps need of each township graph, computed where its triples already are (issue 13).

The statistics graph, the VoID figures and the search index used to be read back from the whole store
after loading: `COUNT(DISTINCT …)` over every quad took 0.25–0.6 s a township and ~1.4 GB at 100
townships (bench/results/build.md), and a Virtuoso store refused the reads past its 10,000-row cap. Now
each pass-1 worker computes a township's `GraphFacts` from its own graph (in memory anyway) and the
build combines them:

- counts of duties per breakdown (store/statistics.py's `BREAKDOWNS`): a duty is stated in one township
  graph only, so per-township counts of distinct duties add up to the store's;
- VoID: class entities add up too (a typing triple lives in one graph since issue 11); distinct
  triples, subjects, objects and entities do not (one literal or department is named by many
  townships), so each graph gives the 64-bit hashes of its distinct terms and `DistinctCounter` counts
  the distinct hashes of all graphs in bounded memory;
- search rows (store/search_index.py): one per duty and per township division, with their texts (the
  duty's title, responsibility texts, department mentions and the extra columns' texts, ontology/duty_texts.py).
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD
from rdflib.term import Node

from luzhi.ontology.duty_texts import DUTY_TEXTS, joined
from luzhi.ontology.iris import Iris
from luzhi.ontology.namespaces import LZ
from luzhi.store.search_index import search_row

# The figures counted by hashing (store/statistics.py's VoidFigures names them the same).
DISTINCT = ("triples", "subjects", "objects", "entities")
# Distinct objects of these properties are VoID property partitions (the home page's township and category counts).
PROPERTY_PARTITIONS = {"townships": LZ.township, "categories": LZ.category}
_CHUNK = 200_000  # triples hashed at once outside the workers (the shared and kinds graphs)
_BUCKET_BITS = 4  # 16 bucket files: nationally ~10^8 hashes a figure, ~50 MB a bucket when counted
_TEXT_PROPERTIES = (LZ.upperResponsibility, LZ.townshipResponsibility, LZ.wayOfWorking)


@dataclass(frozen=True)
class VoidFacts:
    """One graph's (or one chunk's) share of the VoID figures."""

    triples: int
    classes: dict[str, int]  # class IRI → subjects typed with it here
    properties: frozenset[str]
    partition_objects: dict[str, frozenset[str]]  # PROPERTY_PARTITIONS' properties → their distinct objects here
    hashes: dict[str, np.ndarray] = field(repr=False)  # DISTINCT name → sorted unique uint64 hashes


@dataclass(frozen=True)
class GraphFacts:
    """One township graph's share of the statistics and the search index."""

    void: VoidFacts
    counts: dict[str, dict[tuple, int]]  # breakdown name → (its dimensions' values, None if absent) → duties
    duty_rows: tuple[tuple, ...]  # search rows, in the order the index keeps (search_index.py)
    divisions: dict[str, tuple[Node, ...]]  # division IRI → its rdfs:labels (search rows of kind division)


# rdflib's DefinedNamespaces make a new URIRef on every attribute read: read once (issue 13: per term, per duty).
_XSD_STRING, _TITLE, _LABEL = XSD.string, DCTERMS.title, RDFS.label


def _key(term: Node) -> str:
    if isinstance(term, Literal) and term.datatype == _XSD_STRING:
        term = Literal(str(term))  # the store does not tell "x" from "x"^^xsd:string; rdflib does
    return term.n3()


def _digest(data: bytes, blake2b=hashlib.blake2b) -> bytes:
    """The 64-bit hash of a term's or a triple's key, as 8 little-endian bytes (`_hashes` reads them)."""
    return blake2b(data, digest_size=8).digest()


def _hashes(digests: Iterable[bytes]) -> np.ndarray:
    """Sorted unique uint64 hashes of `_digest`s: joined and read by numpy at once, not one int each."""
    return np.unique(np.frombuffer(b"".join(digests), dtype="<u8").astype(np.uint64))


def void_facts(triples: Iterable[tuple[Node, Node, Node]], iris: Iris) -> VoidFacts:
    """The VoID share of `triples` (distinct ones: an rdflib graph, or one chunk of a stored graph).

    Each distinct term is looked at once (its key, hash, text and whether it is an entity) and each triple
    then only compares strings: rdflib's `==` and `str()` per triple were most of the 27 CPU-s this took
    over the kinds graph of 3,000 townships (bench/results/derive.md). The hashes stay bytes until numpy
    reads them all at once, and a triple's key is its terms' UTF-8 keys joined: an `int` and a str
    `encode` per hash were a third of this function, itself 12 % of pass 1 (bench/results/pass1.md)."""
    entity_space = f"{iris.base}/id/"
    seen: dict[Node, tuple[bytes, bytes, str, bool]] = {}

    def look(term: Node) -> tuple[bytes, bytes, str, bool]:
        key = _key(term).encode("utf-8")
        known = seen[term] = (key, _digest(key), str(term),
                              isinstance(term, URIRef) and term.startswith(entity_space))
        return known

    triple_hashes: list[bytes] = []
    subjects: list[bytes] = []
    objects: list[bytes] = []
    entities: list[bytes] = []
    classes: dict[str, int] = {}
    properties: set[str] = set()
    partitions: dict[str, set[str]] = {str(p): set() for p in PROPERTY_PARTITIONS.values()}
    rdf_type = str(RDF.type)
    for s, p, o in triples:
        s_key, s_hash, _s_text, s_entity = seen.get(s) or look(s)
        p_key, _p_hash, p_text, _ = seen.get(p) or look(p)
        o_key, o_hash, o_text, _ = seen.get(o) or look(o)
        triple_hashes.append(_digest(b" ".join((s_key, p_key, o_key))))
        subjects.append(s_hash)
        objects.append(o_hash)
        if s_entity:
            entities.append(s_hash)
        properties.add(p_text)
        if p_text == rdf_type:
            classes[o_text] = classes.get(o_text, 0) + 1
        elif p_text in partitions:
            partitions[p_text].add(o_text)
    found = {"triples": triple_hashes, "subjects": subjects, "objects": objects, "entities": entities}
    return VoidFacts(len(triple_hashes), classes, frozenset(properties),
                     {p: frozenset(v) for p, v in partitions.items()},
                     {name: _hashes(found[name]) for name in DISTINCT})


def chunked_void_facts(triples: Iterable[tuple[Node, Node, Node]], iris: Iris) -> Iterator[VoidFacts]:
    """`void_facts` over a large graph, `_CHUNK` triples at a time (memory stays bounded)."""
    chunk: list = []
    for triple in triples:
        chunk.append(triple)
        if len(chunk) >= _CHUNK:
            yield void_facts(chunk, iris)
            chunk = []
    if chunk:
        yield void_facts(chunk, iris)


def tapped_void_facts(triples: Iterable[tuple[Node, Node, Node]], iris: Iris,
                      add: Callable[[VoidFacts], None]) -> Iterator[tuple[Node, Node, Node]]:
    """`triples` as they come, passing `chunked_void_facts` of them to `add` on the way: the build writes a
    derived graph and counts it in one pass (iterating the kinds graph twice, once to write it and once
    to count it, cost a generation of ~2 triples a duty; bench/results/derive.md)."""
    chunk: list = []
    for triple in triples:
        chunk.append(triple)
        yield triple
        if len(chunk) >= _CHUNK:
            add(void_facts(chunk, iris))
            chunk = []
    if chunk:
        add(void_facts(chunk, iris))


Index = dict[Node, dict[Node, list[Node]]]  # subject → property → objects


def describe(triples: Iterable[tuple[Node, Node, Node]]) -> Index:
    """Each subject's properties and values: one pass, then dictionary lookups (rdflib's indexed
    `Graph.objects` cost ~15 µs a call, most of these facts' time; issue 13)."""
    index: Index = {}
    for s, p, o in triples:
        index.setdefault(s, {}).setdefault(p, []).append(o)
    return index


def subjects_of_type(index: Index, cls: Node) -> list[Node]:
    rdf_type = RDF.type  # read once: rdflib makes a new URIRef on each read of RDF.type
    return [s for s, props in index.items() if cls in props.get(rdf_type, ())]


def _values(index: Index, subject: Node, prop: Node) -> list[Node]:
    return sorted(index.get(subject, {}).get(prop, ()))


def _sequence_order(value: Node | None) -> tuple:
    # SPARQL ORDER BY puts unbound first, then numbers by value (search_index's former query order).
    return (0, 0) if value is None else (1, int(value))


def graph_facts(index: Index, own: list[tuple[Node, Node, Node]], iris: Iris) -> GraphFacts:
    """Statistics and search facts of one township's own graph `own`, a part of the document whose triples
    `index` describes (the rest are shared resources: departments, categories, divisions above the township).
    Duties and their parts are own resources, so their triples are looked up in `index`."""
    counts: dict[str, dict[tuple, set[Node]]] = {name: {} for name in (
        "township-list-category", "category-township", "category", "department-township", "department")}

    def count(name: str, key: tuple, duty: Node) -> None:
        counts[name].setdefault(key, set()).add(duty)

    def objects(subject: Node, prop: Node) -> list[Node]:
        return index.get(subject, {}).get(prop, [])

    duties = subjects_of_type(index, LZ.Duty)
    # `?d lz:category ?cat ; lz:township ?town` has no `a lz:Duty` in BREAKDOWNS: kept as it is counted there.
    for subject, props in index.items():
        for cat in set(props.get(LZ.category, ())):
            for town in set(props.get(LZ.township, ())):
                count("category-township", (cat, town), subject)
    rows = []
    for duty in duties:
        towns, lists = _values(index, duty, LZ.township), _values(index, duty, LZ.inList)
        types = _values(index, duty, LZ.listType) or [None]
        cats = _values(index, duty, LZ.category)
        for town in towns:
            for duty_list in lists:
                for list_type in types:
                    for cat in cats or [None]:
                        count("township-list-category", (town, duty_list, list_type, cat), duty)
        for cat in cats:
            count("category", (cat,), duty)
        departments = set(objects(duty, LZ.upperDepartment))
        for part in objects(duty, LZ.participation):
            departments.update(objects(part, LZ.department))
        for dept in departments:
            count("department", (dept,), duty)
            for town in towns:
                count("department-township", (dept, town), duty)
        texts = {str(t) for prop in _TEXT_PROPERTIES for t in objects(duty, prop)}
        texts.update(str(t) for part in objects(duty, LZ.participation)
                     for t in objects(part, LZ.responsibility))
        names = sorted({str(n) for n in objects(duty, LZ.departmentMention)})
        sequence = next(iter(sorted(objects(duty, LZ.sequence))), None)
        title = str(next(iter(sorted(objects(duty, _TITLE))), ""))
        searched = {"title": title, "responsibility": "\n".join(sorted(texts)), "names": "\n".join(names)}
        props = index.get(duty, {})
        for text in DUTY_TEXTS:  # most duties have none: a lookup each (joining the empty ones cost ~8 µs a duty)
            if values := props.get(text.predicate):
                searched[text.key] = joined(values)
        row = search_row(str(duty), "duty", _text(towns), _text(types), _text(cats), title, searched)
        rows.append(((_text(types), _sequence_order(sequence), str(duty)), row))
    own_subjects = {s for s, _p, _o in own}
    divisions = {str(d): tuple(objects(d, _LABEL))
                 for d in subjects_of_type(index, LZ.AdministrativeDivision) if d in own_subjects}
    return GraphFacts(
        void_facts(own, iris),
        {name: {key: len(members) for key, members in by_key.items()} for name, by_key in counts.items()},
        tuple(row for _order, row in sorted(rows)),
        divisions,
    )


def _text(values: list[Node | None]) -> str:
    """The first bound value as text, or "" (the index's "no facet")."""
    return str(values[0]) if values and values[0] is not None else ""


class DistinctCounter:
    """The number of distinct 64-bit hashes among many sorted arrays, in memory bounded by one bucket.

    Each array is split by the hashes' top bits into bucket files; `count` reads one bucket at a
    time and counts its distinct values. Two different terms share a hash with probability about
    n²/2⁶⁵ over n distinct terms (~3·10⁻⁴ for the ~10⁸ objects of the whole country), the only way a
    figure could be off (by one).
    """

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="luzhi-distinct-")
        self._files = [open(Path(self._folder.name) / f"{i}.u64", "ab") for i in range(1 << _BUCKET_BITS)]
        self._bounds = np.array([i << (64 - _BUCKET_BITS) for i in range(1, 1 << _BUCKET_BITS)], dtype=np.uint64)

    def add(self, hashes: np.ndarray) -> None:
        cuts = np.searchsorted(hashes, self._bounds)
        for out, part in zip(self._files, np.split(hashes, cuts), strict=True):
            if part.size:
                out.write(part.tobytes())

    def count(self) -> int:
        total = 0
        for out in self._files:
            out.close()
            total += np.unique(np.fromfile(out.name, dtype=np.uint64)).size
        self._folder.cleanup()
        return total


@dataclass
class VoidTotals:
    """The VoID figures of many graphs' `VoidFacts` (store/statistics.py turns them into triples)."""

    classes: dict[str, int] = field(default_factory=dict)
    properties: set[str] = field(default_factory=set)
    partition_objects: dict[str, set[str]] = field(default_factory=lambda: {str(p): set() for p in
                                                                             PROPERTY_PARTITIONS.values()})
    counters: dict[str, DistinctCounter] = field(default_factory=lambda: {n: DistinctCounter() for n in DISTINCT})

    def add(self, facts: VoidFacts) -> None:
        for cls, n in facts.classes.items():
            self.classes[cls] = self.classes.get(cls, 0) + n
        self.properties |= facts.properties
        for prop, objects in facts.partition_objects.items():
            self.partition_objects[prop] |= objects
        for name, hashes in facts.hashes.items():
            self.counters[name].add(hashes)

    def distinct(self) -> dict[str, int]:
        return {name: counter.count() for name, counter in self.counters.items()}

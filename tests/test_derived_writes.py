"""The build's derived graphs are written and counted in one pass, as text (issue 13, bench/results/derive.md):
`write_nquad_parts` writes N-Quads lines itself instead of converting each term to pyoxigraph, `load_parts`
loads them as the build does, and `tapped_void_facts` counts a graph's VoID share while it is written. Each
must keep every triple as it was."""

from __future__ import annotations

import numpy as np
import pyoxigraph as ox
import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, XSD

from luzhi.etl.derive import DERIVED_PART_QUADS, load_parts, write_nquad_parts
from luzhi.ontology.iris import Iris
from luzhi.ontology.namespaces import LZ
from luzhi.ontology.terms import to_oxigraph
from luzhi.store import facts
from luzhi.store.facts import chunked_void_facts, tapped_void_facts, void_facts
from luzhi.store.oxigraph import OxigraphStore

BASE = "http://127.0.0.1:5000"
GRAPH = f"{BASE}/graph/kinds"
DUTY = URIRef(f"{BASE}/id/duty/110101001/basic/1")
OTHER = URIRef(f"{BASE}/id/duty/110101001/basic/2")
# Literals whose N-Triples form needs escapes, or whose rdflib and store forms differ (xsd:string).
AWKWARD = [
    Literal('引号"与\\反斜杠', lang="zh"),
    Literal("两行\n文字\r\t制表"),
    Literal("x", datatype=XSD.string),
    Literal("0.55", datatype=XSD.decimal),
    Literal(7, datatype=XSD.integer),
    Literal("ä ü", lang="de-ch"),
]


def _triples() -> list:
    triples = [(DUTY, RDF.type, LZ.Duty), (OTHER, RDF.type, LZ.Duty), (DUTY, LZ.township, URIRef(f"{BASE}/id/x"))]
    triples += [(DUTY, LZ.title, value) for value in AWKWARD]
    triples += [(BNode("b1"), LZ.matchScore, AWKWARD[3]), (URIRef(f"{BASE}/id/分类"), LZ.category, OTHER)]
    return triples


def _stored(store: OxigraphStore, graph: str) -> set:
    return {(q.subject, q.predicate, q.object) for q in store._store.quads_for_pattern(None, None, None, to_oxigraph(
        URIRef(graph)))}


def _replace(store: OxigraphStore, folder, graph: str, triples, part_quads: int = DERIVED_PART_QUADS) -> int:
    """What the build does with a derived graph: its parts written (the derive process), then loaded (pass 2)."""
    parts = []
    written = write_nquad_parts(folder / "derived", graph, triples, parts.append, part_quads=part_quads)
    load_parts(store, graph, tuple(parts))
    return written


def test_derived_graph_stores_every_triple_as_given(tmp_path):
    store = OxigraphStore(tmp_path / "store")
    _replace(store, tmp_path, GRAPH, [(DUTY, LZ.title, Literal("旧"))])  # replaced, not added to
    written = _replace(store, tmp_path, GRAPH, iter(_triples()))
    expected = {tuple(to_oxigraph(t) for t in triple) for triple in _triples()}
    stored = _stored(store, GRAPH)
    blank = [t for t in stored if t[1] == to_oxigraph(LZ.matchScore)]
    assert written == len(_triples())
    # A blank node is renamed by the load: compare it apart.
    assert stored - set(blank) == {t for t in expected if t[1] != to_oxigraph(LZ.matchScore)}
    assert [t[2] for t in blank] == [to_oxigraph(AWKWARD[3])]


def test_derived_graph_in_parts_stores_every_triple(tmp_path):
    """Loaded 3 quads at a time (the build: a million, bounding pyoxigraph's loader memory): every triple,
    and the graph's old content gone."""
    store = OxigraphStore(tmp_path / "store")
    _replace(store, tmp_path, GRAPH, [(DUTY, LZ.title, Literal("旧"))])
    triples = [(URIRef(f"{BASE}/id/duty/110101001/basic/{n}"), LZ.matchScore, Literal(n)) for n in range(10)]
    assert _replace(store, tmp_path, GRAPH, iter(triples), part_quads=3) == 10
    assert _stored(store, GRAPH) == {tuple(to_oxigraph(t) for t in triple) for triple in triples}


def test_derived_graph_never_splits_a_blank_node_between_parts(tmp_path):
    """Each load names its input's blank nodes afresh: a blank node's triples in two parts would become two."""
    store = OxigraphStore(tmp_path / "store")
    plain = [(URIRef(f"{BASE}/id/x/{n}"), LZ.title, Literal(str(n))) for n in range(4)]
    node = BNode("shared")
    with_blank = [(DUTY, LZ.dutyKind, node)] + [(node, LZ.title, Literal(f"t{n}")) for n in range(5)]
    _replace(store, tmp_path, GRAPH, iter(plain + with_blank), part_quads=2)
    stored = _stored(store, GRAPH)
    assert len(stored) == len(plain) + len(with_blank)
    blanks = {t[0] for t in stored if isinstance(t[0], ox.BlankNode)} | {t[2] for t in stored
                                                                      if isinstance(t[2], ox.BlankNode)}
    assert len(blanks) == 1


def test_derived_graph_refuses_a_malformed_iri(tmp_path):
    store = OxigraphStore(tmp_path / "store")
    with pytest.raises(SyntaxError, match="Invalid IRI"):
        _replace(store, tmp_path, GRAPH, [(URIRef(f"{BASE}/id/with space"), LZ.title, Literal("x"))])


def test_void_facts_count_what_the_triples_hold():
    iris = Iris(BASE)
    triples = _triples()
    facts = void_facts(triples, iris)
    # "x"^^xsd:string is the store's "x": one object with the plain literal, if there were one; here it is alone.
    objects = {o for _s, _p, o in triples}
    assert facts.triples == len(triples)
    assert facts.hashes["triples"].size == len(set(triples))
    assert facts.hashes["subjects"].size == len({s for s, _p, _o in triples})
    assert facts.hashes["objects"].size == len(objects)
    assert facts.hashes["entities"].size == 3  # the two duties and the category; not the blank node
    assert facts.classes == {str(LZ.Duty): 2}
    assert facts.properties == frozenset(str(p) for _s, p, _o in triples)
    assert facts.partition_objects == {str(LZ.township): frozenset({f"{BASE}/id/x"}),
                                       str(LZ.category): frozenset({str(OTHER)})}
    same = void_facts(triples + [(DUTY, LZ.title, Literal("x"))], iris)  # "x" and "x"^^xsd:string: one term
    assert same.hashes["objects"].size == len(objects) and same.hashes["triples"].size == len(set(triples))


def test_tapped_void_facts_pass_every_triple_and_equal_the_chunked_ones(monkeypatch):
    monkeypatch.setattr(facts, "_CHUNK", 1000)  # the chunk size, small enough for a test
    iris = Iris(BASE)
    triples = [(URIRef(f"{BASE}/id/duty/110101001/basic/{n}"), LZ.sequence, Literal(n)) for n in range(2_001)]
    added = []
    passed = list(tapped_void_facts(iter(triples), iris, added.append))
    chunked = list(chunked_void_facts(triples, iris))
    assert passed == triples
    assert len(added) == len(chunked) == 3
    for mine, theirs in zip(added, chunked, strict=True):
        assert (mine.triples, mine.classes, mine.properties, mine.partition_objects) == (
            theirs.triples, theirs.classes, theirs.properties, theirs.partition_objects)
        assert all(np.array_equal(mine.hashes[n], theirs.hashes[n]) for n in mine.hashes)

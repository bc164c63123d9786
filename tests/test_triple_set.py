"""ontology/triples.py: the build's TripleSet answers as the rdflib Graph of the same triples (issue 13)."""

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph
from rdflib.namespace import PROV, RDF

from luzhi.etl.build import BuildOptions, bundled_documents
from luzhi.etl.stage import document_triples
from luzhi.ontology.namespaces import LZ
from luzhi.ontology.terms import to_oxigraph
from luzhi.ontology.triples import TripleSet

BASE = "http://127.0.0.1:5000"


@pytest.fixture(scope="module")
def triples() -> TripleSet:
    return document_triples(bundled_documents()[0], BuildOptions(base=BASE))[2]


def test_lookups_agree_with_rdflib(triples):
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    assert len(triples) == len(graph) > 1000
    duties = sorted(graph.subjects(RDF.type, LZ.Duty))
    assert sorted(triples.subjects(RDF.type, LZ.Duty)) == duties
    for duty in duties[:50]:
        assert sorted(triples.objects(duty, PROV.wasDerivedFrom)) == sorted(graph.objects(duty, PROV.wasDerivedFrom))
        assert (duty, RDF.type, LZ.Duty) in triples
        for part in graph.objects(duty, LZ.participation):
            assert triples.subjects(LZ.participation, part) == [duty]
    assert triples.objects(duties[0], LZ.noSuchProperty) == []


def test_graph_is_the_same_triples_with_prefixes(triples):
    graph = triples.graph()
    assert set(graph) == set(triples)
    assert graph is triples.graph()  # made once
    assert "lz:" in graph.serialize(format="turtle")


def test_no_change_after_a_read():
    triple = (LZ.a, LZ.b, LZ.c)
    looked_up = TripleSet([triple])
    assert looked_up.objects(LZ.a, LZ.b) == [LZ.c]
    with pytest.raises(RuntimeError):
        looked_up.add((LZ.a, LZ.b, LZ.d))  # the index would miss it
    made = TripleSet([triple])
    made.graph()
    with pytest.raises(RuntimeError):
        made.add((LZ.a, LZ.b, LZ.d))


def test_oxigraph_form_is_each_triple_converted_once(triples):
    """Pass 1 zips a TripleSet with its pyoxigraph form (etl/stage.py): they must stay aligned, and map back."""
    converted = triples.oxigraph()
    assert converted is triples.oxigraph()  # made once, for the validator and the staged files alike
    assert len(converted.triples) == len(triples)
    for triple, ox_triple in zip(triples, converted.triples, strict=True):
        assert ox_triple == tuple(to_oxigraph(term) for term in triple)
        assert tuple(converted.originals[term] for term in ox_triple) == triple
    with pytest.raises(RuntimeError):
        triples.add((LZ.a, LZ.b, LZ.c))


def test_oxigraph_form_renames_blank_nodes_ntriples_refuses():
    odd = BNode("not an N-Triples id")
    converted = TripleSet([(odd, LZ.p, LZ.o), (BNode("ok_1"), LZ.p, LZ.o)]).oxigraph()
    renamed = {term for triple in converted.triples for term in triple if isinstance(term, ox.BlankNode)}
    assert ox.BlankNode("ok_1") in renamed and len(renamed) == 2
    assert {converted.originals[term] for term in renamed} == {odd, BNode("ok_1")}

"""The embedded store: atomic graph replacement, union default graph, faithful terms."""

from __future__ import annotations

import pytest
from rdflib import XSD, Literal, URIRef

from luzhi.store.oxigraph import OxigraphStore

A, P, G1, G2 = URIRef("http://x.test/a"), URIRef("http://x.test/p"), "http://x.test/g1", "http://x.test/g2"


@pytest.fixture
def store(tmp_path):
    s = OxigraphStore(tmp_path / "store")
    yield s
    s.close()


def test_terms_round_trip_with_language_and_datatype(store):
    values = [Literal("森林防火", lang="zh"), Literal(42, datatype=XSD.integer), Literal(True),
              Literal('quote " and\nnewline'), Literal("x", datatype=URIRef("http://x.test/dt"))]
    store.replace_graph(G1, [(A, P, v) for v in values])
    got = {row["o"] for row in store.select("SELECT ?o WHERE { ?s ?p ?o }")}
    assert got == set(values)


def test_replace_graph_replaces_only_that_graph(store):
    store.replace_graph(G1, [(A, P, Literal("old"))])
    store.replace_graph(G2, [(A, P, Literal("other"))])
    store.replace_graph(G1, [(A, P, Literal("new"))])
    rows = store.select("SELECT ?g ?o WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?o")
    assert [(str(r["g"]), str(r["o"])) for r in rows] == [(G1, "new"), (G2, "other")]
    assert store.graph_names() == [G1, G2]


def test_failed_replace_leaves_previous_graph(store):
    store.replace_graph(G1, [(A, P, Literal("kept"))])
    with pytest.raises(ValueError):
        # an IRI with a space is rejected while converting, before anything is written
        store.replace_graph(G1, [(A, P, Literal("half")), (URIRef("http://x.test/bad iri"), P, Literal("x"))])
    assert [str(r["o"]) for r in store.select("SELECT ?o WHERE { ?s ?p ?o }")] == ["kept"]


def test_default_graph_is_union_of_named_graphs(store):
    store.replace_graph(G1, [(A, P, Literal("1"))])
    store.replace_graph(G2, [(A, P, Literal("2"))])
    assert len(store.select("SELECT ?o WHERE { ?s ?p ?o }")) == 2


def test_read_only_open_of_missing_store_names_the_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="no luzhi store"):
        OxigraphStore(tmp_path / "nothing", read_only=True)

"""The ontology parses, is bilingual, and covers exactly what the ETL emits (both ways)."""

from __future__ import annotations

from rdflib import OWL, RDF, RDFS, Literal
from rdflib.namespace import SKOS

from luzhi.etl.build import ontology_graph
from luzhi.etl.to_rdf import emitted_terms
from luzhi.ontology.namespaces import LZ
from luzhi.store.oxigraph import OxigraphStore

DECLARING = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)


def declared_terms(graph):
    return {s for kind in DECLARING for s in graph.subjects(RDF.type, kind) if str(s).startswith(str(LZ))}


def test_every_term_has_zh_and_en_label_and_definition():
    graph = ontology_graph()
    terms = declared_terms(graph)
    assert len(terms) >= 25
    for term in terms:
        for prop in (RDFS.label, SKOS.definition):
            langs = {o.language for o in graph.objects(term, prop) if isinstance(o, Literal)}
            assert {"zh", "en"} <= langs, (term, prop)


def test_every_declared_term_is_emitted_and_every_emitted_term_declared(built_store):
    store = OxigraphStore(built_store.path, read_only=True)
    data = store.construct(
        "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } FILTER(?g != <https://w3id.org/luzhi/def>) }"
    )
    emitted = emitted_terms([data])
    graph = ontology_graph()
    assert emitted <= declared_terms(graph), emitted - declared_terms(graph)
    assert declared_terms(graph) <= emitted, declared_terms(graph) - emitted


def test_emitted_concepts_exist_in_ontology(built_store):
    store = OxigraphStore(built_store.path, read_only=True)
    rows = store.select(
        "PREFIX lz: <https://w3id.org/luzhi/def#> SELECT DISTINCT ?c WHERE {"
        " { ?x lz:listType ?c } UNION { ?x lz:departmentType ?c } }"
    )
    graph = ontology_graph()
    for row in rows:
        assert (row["c"], RDF.type, SKOS.Concept) in graph, row["c"]

"""The fast validator (shapes compiled to SPARQL, issue 13) against pySHACL, the reference.

Both engines run on every fixture, on the bundled documents and on shapes that use SHACL
constructs luzhi's own shapes do not (yet); results are compared as sets of everything a report
shows: shape, focus, path, severity, component, value, both messages and the source lines.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from luzhi.ontology.namespaces import LZ
from luzhi.shapes import fast
from luzhi.shapes import validate as reference
from luzhi.shapes.compile import UnsupportedShape, compile_shapes
from luzhi.shapes.engines import DEFAULT_ENGINE, validator

FIXTURES = Path(__file__).parent / "shapes"
ALL_FIXTURES = sorted(FIXTURES.glob("*.ttl"))
BASE = "http://127.0.0.1:5000"
SHAPES_DIR = Path(__file__).resolve().parent.parent / "shapes"


def _seen(report) -> set[tuple]:
    return {(r.shape, r.focus, r.path, r.severity, r.component, r.value_n3, r.message_zh, r.message_en, r.source,
             r.lines) for r in report.results}


def test_every_fixture_is_compared():
    assert len(ALL_FIXTURES) == 62  # 31 rules × (fail, pass): tests/test_shapes.py counts the rules


@pytest.mark.parametrize("fixture", ALL_FIXTURES, ids=lambda p: p.name)
def test_same_results_as_pyshacl_on_fixture(fixture: Path):
    graph = Graph().parse(fixture, format="turtle")
    expected = reference.validate_graph(graph, BASE)
    report = fast.validate_graph(graph, BASE)
    assert _seen(report) == _seen(expected)
    assert report.conforms is expected.conforms
    assert (len(report.results) > 0) is fixture.name.endswith(".fail.ttl")


def test_same_results_as_pyshacl_on_the_bundled_documents():
    from luzhi.etl.build import BuildOptions, bundled_documents, process_document

    found = 0
    for path in bundled_documents():
        _, _, graph, _ = process_document(path, BuildOptions(base=BASE))
        expected = reference.validate_graph(graph, BASE)
        assert _seen(fast.validate_graph(graph, BASE)) == _seen(expected), path.name
        found += len(expected.results)
    assert found > 0  # the samples have Warnings (generic department phrases): the comparison is not vacuous


def test_same_results_as_pyshacl_on_unseen_synthetic_documents(tmp_path):
    """Documents nobody has shown the shapes yet (`luzhi synth`, issue 13), with their messiness."""
    from luzhi.etl.build import BuildOptions, process_document
    from luzhi.etl.synth import synthesize

    synthesize(6, 13, tmp_path / "synth")
    documents = sorted((tmp_path / "synth").glob("*.txt"))
    assert len(documents) == 6
    shapes = set()
    for path in documents:
        _, _, graph, _ = process_document(path, BuildOptions(base=BASE))
        expected = reference.validate_graph(graph, BASE)
        assert _seen(fast.validate_graph(graph, BASE)) == _seen(expected), path.name
        shapes |= {r.shape.rsplit("#", 1)[1] for r in expected.results}
    assert len(shapes) >= 2, shapes  # several rules fire: the comparison is not vacuous


def test_same_results_under_another_base():
    graph = Graph().parse(FIXTURES / "Duty-title.pass.ttl", format="turtle")
    other = "https://luzhi.example.org"
    expected = reference.validate_graph(graph, other)
    assert len(expected.results) == 5
    assert _seen(fast.validate_graph(graph, other)) == _seen(expected)


def test_the_default_engine_is_the_fast_one():
    assert DEFAULT_ENGINE == "fast" and validator() is fast.validate_graph
    assert validator("pyshacl") is reference.validate_graph
    with pytest.raises(ValueError, match="fast, pyshacl"):
        validator("rudof")


# ---------------------------------------------------------------------------------------------
# SHACL the luzhi shapes do not use today: the compiler is generic, so it must agree there too.
PREFIXES = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> . @prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
"""
EXTRA_SHAPES = PREFIXES + """
ex: a owl:Ontology ; sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] .
ex:PersonShape a sh:NodeShape ; sh:targetClass ex:Person ;
    sh:property [ sh:path ex:name ; sh:minCount 2 ; sh:uniqueLang true ; sh:languageIn ( "en" "de" ) ] ,
        [ sh:path ex:age ; sh:maxCount 1 ; sh:datatype xsd:integer ; sh:minExclusive 0 ; sh:maxInclusive 150 ] ,
        [ sh:path ex:born ; sh:datatype xsd:date ] ,
        [ sh:path ex:nick ; sh:datatype rdf:langString ; sh:minLength 2 ; sh:maxLength 5 ] ,
        [ sh:path ( ex:address ex:city ) ; sh:hasValue ex:Berlin ] ,
        [ sh:path [ sh:inversePath ex:knows ] ; sh:class ex:Person ; sh:nodeKind sh:IRI ] ,
        [ sh:path [ sh:alternativePath ( ex:mail ex:email ) ] ; sh:pattern "^mailto:" ; sh:flags "i" ;
          sh:nodeKind sh:IRIOrLiteral ] ,
        [ sh:path [ sh:zeroOrMorePath ex:parent ] ; sh:maxExclusive 3 ; sh:name "ancestors" ] ,
        [ sh:path ex:status ; sh:in ( "active" ex:Retired 1 ) ; sh:not [ sh:hasValue "banned" ] ] ,
        [ sh:path ex:friend ; sh:node ex:NamedShape ; sh:or ( [ sh:class ex:Person ] [ sh:datatype xsd:string ] ) ] ,
        [ sh:path ex:code ; sh:sparql [ sh:prefixes ex: ;
            sh:select "SELECT $this ?value WHERE { $this $PATH ?value . FILTER (STRLEN(STR(?value)) != 4) }" ] ] .
ex:NamedShape a sh:NodeShape ; sh:property [ sh:path ex:name ; sh:minCount 1 ] .
ex:Employee a rdfs:Class, sh:NodeShape ; rdfs:subClassOf ex:Person ;
    sh:and ( [ sh:nodeKind sh:BlankNodeOrIRI ] [ sh:property [ sh:path ex:employer ; sh:minCount 1 ] ] ) ;
    sh:severity sh:Warning .
ex:BossShape a sh:NodeShape ; sh:targetNode ex:boss, ex:nobody ; sh:hasValue ex:boss ;
    sh:message "{$this} is not the boss"@en .
ex:KnowerShape a sh:NodeShape ; sh:targetSubjectsOf ex:knows ; sh:severity sh:Info ;
    sh:sparql [ sh:prefixes ex: ; sh:message "{$this} knows {?n} people"@en ;
        sh:select "SELECT $this (COUNT(?x) AS ?n) WHERE { $this ex:knows ?x } GROUP BY $this HAVING (COUNT(?x) > 1)" ] .
# LIMIT counts per focus node: this one must run once per focus node, not batched.
ex:FirstKnownShape a sh:NodeShape ; sh:targetSubjectsOf ex:knows ; sh:severity sh:Info ;
    sh:sparql [ sh:prefixes ex: ;
        sh:select "SELECT $this ?value WHERE { $this ex:knows ?value } ORDER BY DESC(STR(?value)) LIMIT 1" ] .
ex:OffShape a sh:NodeShape ; sh:targetClass ex:Person ; sh:deactivated true ; sh:maxLength 1 .
"""
EXTRA_DATA = PREFIXES + """
ex:alice a ex:Person ; ex:name "Alice"@en, "Alicia"@en, "Alice"@fr ; ex:age 30, "x"^^xsd:integer ;
    ex:born "1990-02-30"^^xsd:date ; ex:nick "Al"@en, "A", "Alexandra"@en ; ex:address [ ex:city ex:Paris ] ;
    ex:mail "MAILTO:a@example.org", "a@example.org" ; ex:email _:box ; ex:parent ex:carol ;
    ex:status "active", "banned", 2.5 ; ex:friend ex:bob, "Bob", 42 ; ex:code "1234", "123" ; ex:knows ex:bob, ex:dan .
ex:bob a ex:Employee ; ex:name "Bob"@en, "Robert"@de ; ex:age 0 ; ex:born "1991-01-01"^^xsd:date ;
    ex:address [ ex:city ex:Berlin ] ; ex:knows ex:alice ; ex:status ex:Retired ; ex:employer ex:acme .
ex:carol ex:parent 5 .
ex:dan a ex:Employee ; ex:name "Dan"@en ; ex:age 151 .
_:anon ex:knows ex:alice .
ex:Employee rdfs:subClassOf ex:Person .
"""


def _pyshacl_results(data: Graph, shapes: Graph) -> set[tuple]:
    report = reference.validate_graph(data, BASE, shapes=shapes)
    return {(r.shape, r.focus, r.path, r.severity, r.component, r.value_n3) for r in report.results}


def test_nested_sh_node_results_are_not_reported_as_results():
    """Regression: pySHACL types the results under sh:detail as sh:ValidationResult too; the wrapper
    read every sh:ValidationResult, so each failing sh:node value also gave its nested results."""
    shapes = Graph().parse(data=EXTRA_SHAPES, format="turtle")
    data = Graph().parse(data=EXTRA_DATA, format="turtle")
    report = reference.validate_graph(data, BASE, shapes=shapes)
    focus_nodes = {r.focus for r in report.results}
    assert {"Bob", "42"} & focus_nodes == set()  # literal friends fail ex:NamedShape: nested, not focus nodes
    assert {(r.focus, r.value) for r in report.results if r.component.endswith("NodeConstraintComponent")} == {
        ("http://example.org/alice", "Bob"), ("http://example.org/alice", "42")}


def _fast_results(data: Graph, shapes: Graph) -> set[tuple]:
    report = fast.run_checks(data, compile_shapes(shapes), BASE)
    return {(r.shape, r.focus, r.path, r.severity, r.component, r.value_n3) for r in report.results}


def test_sparql_constraints_run_once_for_all_focus_nodes_only_where_that_is_exact():
    batched = {check.info.shape: check.batch is not None for check in fast.compiled_shapes(BASE).sparql}
    assert batched == dict.fromkeys(batched, True) and len(batched) == 7  # every luzhi rule: one query
    extra = compile_shapes(Graph().parse(data=EXTRA_SHAPES, format="turtle"))
    batched = {check.info.shape.rsplit("/", 1)[-1]: check.batch is not None for check in extra.sparql}
    anonymous = {shape: True for shape in batched if shape.startswith("_:")}  # the ex:code property shape
    assert batched == {"KnowerShape": True, "FirstKnownShape": False, **anonymous} and len(anonymous) == 1


@pytest.mark.parametrize("shapes_text", [EXTRA_SHAPES, (SHAPES_DIR / "void.shapes.ttl").read_text(encoding="utf-8")],
                         ids=["extra", "void"])
def test_same_results_as_pyshacl_beyond_the_luzhi_shapes(shapes_text: str):
    shapes = Graph().parse(data=shapes_text, format="turtle")
    data = Graph().parse(data=EXTRA_DATA if shapes_text is EXTRA_SHAPES else VOID_DATA, format="turtle")
    expected = _pyshacl_results(data, shapes)
    assert _fast_results(data, shapes) == expected
    used = {component.rsplit("#", 1)[1] for *_, component, _ in expected}
    assert used >= (EXTRA_COMPONENTS if shapes_text is EXTRA_SHAPES else VOID_COMPONENTS)


EXTRA_COMPONENTS = {
    f"{name}ConstraintComponent" for name in (
        "MinCount", "MaxCount", "UniqueLang", "LanguageIn", "Datatype", "MinExclusive", "MaxInclusive", "MinLength",
        "MaxLength", "HasValue", "Class", "NodeKind", "Pattern", "MaxExclusive", "In", "Not", "Node", "Or", "And",
        "SPARQL")
}
VOID_DATA = PREFIXES + """
@prefix void: <http://rdfs.org/ns/void#> . @prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> . @prefix spdx: <http://spdx.org/rdf/terms#> .
ex:catalog a dcat:Catalog, void:Dataset ; dct:title "目录"@zh, "Catalogue"@en, "Katalog"@de, "Catalog"@en ;
    dct:license "CC-BY" ; dct:publisher ex:someone ; void:dataDump ex:dump1 ; dcat:distribution ex:dump1 ;
    void:triples 0 ;
    void:entities "12" ; void:classes 3, 4 ; void:uriSpace "http://example.org/" ; dcat:dataset ex:list1 .
ex:dump1 a dcat:Distribution ; dcat:downloadURL ex:file ; dcat:byteSize "12" ;
    spdx:checksum [ spdx:checksumValue "ABC"^^xsd:hexBinary ; spdx:algorithm spdx:checksumAlgorithm_md5 ] .
ex:list1 a dcat:Dataset ; dct:title "清单"@zh ; dcat:landingPage "page" .
"""
VOID_COMPONENTS = {f"{name}ConstraintComponent" for name in (
    "MinCount", "MaxCount", "UniqueLang", "NodeKind", "Class", "Datatype", "MinInclusive", "Pattern", "HasValue")}


@pytest.mark.parametrize("literal", [
    Literal("1.0", datatype=XSD.decimal),  # rdflib keeps "1.0", Oxigraph stores "1"
    Literal("1.0E0", datatype=XSD.double),  # rdflib writes "1.0", Oxigraph "1"
    Literal(" 1", datatype=XSD.integer, normalize=False),  # valid for rdflib (int(" 1")), not for Oxigraph
], ids=["decimal", "double", "spaced-integer"])
def test_literals_the_store_would_read_differently_go_to_pyshacl(literal: Literal):
    graph = Graph().parse(FIXTURES / "Duty-sequence.pass.ttl", format="turtle")
    duty = URIRef("http://127.0.0.1:5000/id/duty/210381121/basic/1")
    graph.set((duty, LZ.sequence, literal))
    expected = reference.validate_graph(graph, BASE)
    report = fast.validate_graph(graph, BASE)
    assert _seen(report) == _seen(expected)
    assert [n.code for n in report.notices] == ["validated-by-pyshacl"]
    with pytest.raises(fast.UnfaithfulLiterals):
        fast.run_checks(graph, fast.compiled_shapes(BASE), BASE)


def test_canonical_literals_stay_in_the_store():
    graph = Graph().parse(FIXTURES / "Duty-sequence.fail.ttl", format="turtle")
    assert fast.validate_graph(graph, BASE).notices == ()


# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("constraint", [
    "sh:closed true",
    "sh:xone ( [ sh:class ex:A ] [ sh:class ex:B ] )",
    "sh:property [ sh:path ex:p ; sh:qualifiedValueShape [ sh:class ex:A ] ; sh:qualifiedMinCount 1 ]",
    "sh:property [ sh:path ex:p ; sh:equals ex:q ]",
    "sh:property [ sh:path ex:p ; sh:lessThan ex:q ]",
    "sh:or ( [ sh:sparql [ sh:select \"SELECT $this WHERE { }\" ] ] )",
    "sh:sparql [ sh:select \"SELECT $this WHERE { $this ?p $currentShape }\" ]",
    "sh:property [ sh:path ex:p ; sh:property [ sh:path ex:q ; sh:minCount 1 ] ]",
    "sh:node ex:S",
    "sh:pattern \"(?=a)b\"",  # lookahead: Python's re (pySHACL) has it, Oxigraph's regex does not
    "sh:target [ a sh:SPARQLTarget ; sh:select \"SELECT ?this WHERE { ?this ?p ?o }\" ]",
])
def test_what_the_compiler_does_not_implement_is_refused_at_load_time(constraint: str):
    shapes = Graph().parse(data=PREFIXES + f"ex:S a sh:NodeShape ; sh:targetClass ex:A ; {constraint} .",
                           format="turtle")
    with pytest.raises(UnsupportedShape, match="http://example.org/S|_:"):
        compile_shapes(shapes)


def test_a_custom_constraint_component_is_refused():
    shapes = Graph().parse(data=PREFIXES + """
        ex:Max a sh:ConstraintComponent ; sh:parameter [ sh:path ex:max ] .
        ex:S a sh:NodeShape ; sh:targetClass ex:A ; ex:max 3 .""", format="turtle")
    with pytest.raises(UnsupportedShape, match="ConstraintComponent|parameter"):
        compile_shapes(shapes)

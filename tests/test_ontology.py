"""The ontology parses, is bilingual, and covers exactly what the ETL emits (both ways)."""

from __future__ import annotations

from pathlib import Path

from rdflib import OWL, RDF, RDFS, Literal
from rdflib.namespace import SKOS

from luzhi.etl.build import ontology_graph
from luzhi.etl.stage import BuildOptions, process_document
from luzhi.etl.to_rdf import emitted_terms
from luzhi.ontology.namespaces import LZ
from luzhi.store.oxigraph import OxigraphStore

DECLARING = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
EXTRA_COLUMNS = Path(__file__).resolve().parent / "fixtures" / "documents" / "extra_columns.txt"


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


def test_every_declared_term_is_emitted_and_every_emitted_term_declared(built_store, tmp_path):
    store = OxigraphStore(built_store.path, read_only=True)
    data = store.construct(
        "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } FILTER(?g != <https://w3id.org/luzhi/def>) }"
    )
    # The columns some townships add (二级分类, 法律依据, 责任科室 …) are in no bundled sample: a fixture has them.
    _doc, _chain, extra, _report = process_document(EXTRA_COLUMNS, BuildOptions(base=built_store.base))
    # lz:sequenceInCategory is only said of a list numbering each category from 1, a layout no sample has
    # (etl/numbering.py: its second category goes on 1, 2): such a document, beside them; and lz:moreDepartments
    # of a department cell closed by 等 (县公安局等), which no sample has either; and lz:unreadRow of a row whose
    # 序号 cannot be read (`3a`), which the samples must not have.
    per_category = tmp_path / "per_category.txt"
    per_category.write_text(
        "浙江省嘉兴市嘉善县西塘镇履行职责事项清单\n基本履职事项清单\n序号\t事项名称\n一、党的建设\n1\t加强党的政治建设\n"
        "二、经济发展\n1\t开展招商引资工作\n2\t优化营商环境\n3a\t做好安全生产工作\n配合履职事项清单\n序号\t事项名称\t对应上级部门\t上级部门职责\t镇配合职责\n"
        "1\t开展矛盾纠纷排查化解\t县公安局等\t负责。\t组织排查。\n上级部门收回事项清单\n序号\t事项名称\t承接部门及工作方式\n"
        "1\t电动自行车登记\t承接部门：县公安局 工作方式：依法登记挂牌。\n",
        encoding="utf-8",
    )
    emitted = emitted_terms([data, extra, process_document(per_category, BuildOptions(base=built_store.base))[2]])
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


def test_township_and_of_township_say_how_they_differ_and_the_data_keeps_it(built_store):
    """`lz:township` (DESIGN.md's, of a duty) and `lz:ofTownship` (of a list) looked like two names for one relation
    (cold review). The ontology says, in words /def shows, that they are one township said of two kinds of
    resource, and why; the data keeps what it says: each of its own kind only, and a duty's the same as its list's."""
    graph = ontology_graph()
    for term, other in ((LZ.township, "lz:ofTownship"), (LZ.ofTownship, "lz:township")):
        comments = {o.language: str(o) for o in graph.objects(term, RDFS.comment) if isinstance(o, Literal)}
        assert {"zh", "en"} <= set(comments) and all(other in text for text in comments.values()), (term, comments)
    assert (LZ.township, RDFS.domain, LZ.Duty) in graph and (LZ.ofTownship, RDFS.domain, LZ.DutyList) in graph
    store = OxigraphStore(built_store.path, read_only=True)
    prefix = f"PREFIX lz: <{LZ}>\n"
    assert store.select(prefix + "SELECT (COUNT(*) AS ?n) WHERE { ?d lz:township ?t }")[0]["n"] == store.select(
        prefix + "SELECT (COUNT(*) AS ?n) WHERE { ?d lz:township ?t ; a lz:Duty }")[0]["n"]
    assert not store.ask(prefix + "ASK { ?l lz:ofTownship ?t FILTER NOT EXISTS { ?l a lz:DutyList } }")
    assert not store.ask(prefix + "ASK { ?d lz:township ?t ; lz:inList ?l . "
                                  "FILTER NOT EXISTS { ?l lz:ofTownship ?t } }")

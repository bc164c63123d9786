"""The whole ETL run on the bundled documents: stable, lossless, atomic, reported."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from luzhi.etl.build import BuildError, BuildOptions, build, bundled_documents, process_document
from luzhi.store.open import open_store
from luzhi.store.oxigraph import OxigraphStore, to_rdflib

BASE = "https://luzhi.test"


def _dump(path) -> bytes:
    store = OxigraphStore(path, read_only=True)
    quads = sorted(store.quads(), key=str)
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS)


def test_rebuild_in_other_order_gives_identical_store(tmp_path):
    documents = bundled_documents()
    build(documents, tmp_path / "a", BuildOptions(base=BASE, validate=False))
    build(list(reversed(documents)), tmp_path / "b", BuildOptions(base=BASE, validate=False))
    assert _dump(tmp_path / "a") == _dump(tmp_path / "b")


def _cli(*args) -> None:
    subprocess.run([sys.executable, "-m", "luzhi.server.cli", *args], check=True, capture_output=True)


def test_graph_survives_export_and_reload(built_store, tmp_path):
    """N-Quads keep every document graph exactly; Turtle keeps the union; both parse back."""
    store = OxigraphStore(built_store.path, read_only=True)
    _cli("export", "--store", str(built_store.path), "-o", str(tmp_path / "dump.nq"))
    reloaded: dict[str, Graph] = defaultdict(Graph)
    for quad in ox.parse(path=str(tmp_path / "dump.nq"), format=ox.RdfFormat.N_QUADS):
        reloaded[quad.graph_name.value].add(tuple(to_rdflib(t) for t in (quad.subject, quad.predicate, quad.object)))
    assert sorted(reloaded) == store.graph_names()
    for name in store.graph_names():
        original = store.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}")
        assert len(original) > 0 and isomorphic(original, reloaded[name]), name

    _cli("export", "--store", str(built_store.path), "--format", "turtle", "-o", str(tmp_path / "dump.ttl"))
    union = store.construct("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert isomorphic(Graph().parse(tmp_path / "dump.ttl", format="turtle"), union)


def test_every_item_becomes_exactly_one_duty(built_store):
    store = OxigraphStore(built_store.path, read_only=True)
    for report in built_store.result.documents:
        for lst in report.lists:
            rows = store.select(
                "PREFIX lz: <https://w3id.org/luzhi/def#> SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE {"
                f" ?d a lz:Duty ; lz:inList <{built_store.base}/id/list/{report.township_code}/{lst.kind}> }}"
            )
            assert int(rows[0]["n"]) == lst.parsed, (report.file, lst.kind)


def test_failed_build_leaves_previous_store_intact(tmp_path):
    store_path = tmp_path / "store"
    build(bundled_documents()[:1], store_path, BuildOptions(base=BASE, validate=False))
    before = _dump(store_path)
    broken = tmp_path / "broken.txt"
    broken.write_bytes("\ufeff这不是一份清单\n只有两行\n".encode())
    good_copy = tmp_path / bundled_documents()[1].name
    shutil.copy(bundled_documents()[1], good_copy)
    with pytest.raises(BuildError) as error:
        build([good_copy, broken], store_path, BuildOptions(base=BASE, validate=False))
    assert "broken.txt" in str(error.value)
    assert _dump(store_path) == before


def test_unresolvable_title_is_refused_unless_code_given(tmp_path):
    source = bundled_documents()[0]
    text = source.read_text(encoding="utf-8").replace("辽宁省鞍山市海城市耿庄镇", "火星省某某镇", 1)
    doc = tmp_path / "unknown.txt"
    doc.write_text(text, encoding="utf-8")
    with pytest.raises(BuildError, match="unknown.txt"):
        build([doc], tmp_path / "s", BuildOptions(base=BASE, validate=False))
    result = build([doc], tmp_path / "s", BuildOptions(base=BASE, validate=False,
                                                       township_codes={"unknown.txt": "210381121"}))
    assert result.documents[0].township_code == "210381121"


def test_report_lists_counts_and_issues_with_lines(tmp_path):
    report_file = tmp_path / "report.json"
    _cli("build", "--store", str(tmp_path / "s"), "--base", BASE, "--report", str(report_file))
    report = json.loads(report_file.read_text(encoding="utf-8"))
    assert len(report["documents"]) == len(bundled_documents()) == 5
    for document in report["documents"]:
        assert len(document["township_code"]) == 9
        assert {lst["kind"] for lst in document["lists"]} == {"basic", "cooperative", "reclaimed"}
        for issue in document["issues"]:
            assert issue["code"] and issue["message"]


def test_process_document_is_deterministic():
    path = bundled_documents()[2]
    first = process_document(path, BuildOptions(base=BASE))[2]
    second = process_document(path, BuildOptions(base=BASE))[2]
    assert isomorphic(first, second) and len(first) == len(second)


def test_building_one_more_document_keeps_the_others(tmp_path):

    store_path = tmp_path / "store"
    documents = bundled_documents()
    build(documents[:2], store_path, BuildOptions(base=BASE, validate=False))
    first = open_store(store_path, read_only=True).info
    result = build(documents[2:3], store_path, BuildOptions(base=BASE, validate=False))
    second = open_store(store_path, read_only=True).info
    assert len(first["documents"]) == 2 and len(second["documents"]) == 3
    assert first["build_id"] != second["build_id"]
    store = OxigraphStore(store_path, read_only=True)
    # three townships, the shared graph, the ontology, the duty kinds, the statistics (issue 13)
    assert len(store.graph_names()) == 7
    # The kinds are recomputed over every duty in the store, not only the document of this build.
    duties = int(store.select("SELECT (COUNT(*) AS ?n) WHERE { ?d a <https://w3id.org/luzhi/def#Duty> }")[0]["n"])
    kinds = result.kinds.result()
    assert sum(len(k.members) for k in kinds.kinds) + len(kinds.unmatched) == duties
    assert len({m.duty.township for k in kinds.kinds for m in k.members}) == 3


def test_export_to_stdout_is_nquads_of_the_whole_store(built_store):
    out = subprocess.run([sys.executable, "-m", "luzhi.server.cli", "export", "--store", str(built_store.path)],
                         check=True, capture_output=True).stdout
    quads = list(ox.parse(out, format=ox.RdfFormat.N_QUADS))
    assert len(quads) == len(OxigraphStore(built_store.path, read_only=True))


def test_the_build_refuses_a_reused_sequence(tmp_path):
    """Issue 11, finding 6: two items with one 序号 in one list make the build refuse the document."""
    from luzhi.shapes.validate import validate_graph

    document = Path(__file__).parent / "fixtures" / "documents" / "reused_sequence.txt"
    with pytest.raises(BuildError) as refused:
        build([document], tmp_path / "store", BuildOptions(base=BASE), validate_graph=validate_graph)
    assert "reused_sequence.txt" in str(refused.value)
    assert not (tmp_path / "store" / "build.json").exists()


def test_build_validates_with_either_engine_and_the_same_verdicts(tmp_path):
    """`luzhi build` uses the fast validator unless `--engine pyshacl`; the report's SHACL counts agree.
    The default is `--engine fast` (the option's default is DEFAULT_ENGINE, "fast": test_fast_validate.py), so
    one build without the option stands for both (a third build of the same document said nothing more)."""
    reports = {}
    for engine in ("default", "pyshacl"):
        report_file = tmp_path / f"{engine}.json"
        flags = [] if engine == "default" else ["--engine", engine]
        _cli("build", *map(str, bundled_documents()[1:2]), "--store", str(tmp_path / engine), "--base", BASE,
             "--report", str(report_file), *flags)
        reports[engine] = [d["validation"] for d in json.loads(report_file.read_text(encoding="utf-8"))["documents"]]
    assert reports["default"] == reports["pyshacl"]
    assert reports["default"][0]["warning"] > 0 and reports["default"][0]["conforms"] is True
    assert _dump(tmp_path / "default") == _dump(tmp_path / "pyshacl")

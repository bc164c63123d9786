"""The shared graph under incremental builds (issue 11, finding 2): building documents into an
existing store gives the same store as building them all at once, no triple ever sits in two
graphs, and a resource no document names any more leaves the shared graph."""

from __future__ import annotations

import shutil

import pyoxigraph as ox

from luzhi.etl.build import BuildOptions, build, bundled_documents
from luzhi.store.oxigraph import OxigraphStore

BASE = "https://luzhi.test"
SHARED = f"{BASE}/graph/shared"


def _quads(path) -> list[str]:
    store = OxigraphStore(path, read_only=True)
    try:
        return sorted(str(q) for q in store.quads() if "/id/build/" not in str(q))
    finally:
        store.close()


def _in_two_graphs(path) -> int:
    store = OxigraphStore(path, read_only=True)
    try:
        rows = store.select("SELECT (COUNT(*) AS ?n) WHERE { { SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } "
                            "GROUP BY ?s ?p ?o HAVING (COUNT(?g) > 1) } }")
        return int(rows[0]["n"])
    finally:
        store.close()


def test_building_in_two_steps_gives_the_store_of_one_build(tmp_path):
    documents = bundled_documents()
    options = BuildOptions(base=BASE, validate=False)
    build(documents, tmp_path / "once", options)
    build(documents[:2], tmp_path / "steps", options)
    build(documents[2:], tmp_path / "steps", options)
    build(documents[1:2], tmp_path / "steps", options)  # and one document again
    assert _in_two_graphs(tmp_path / "steps") == 0
    assert _quads(tmp_path / "steps") == _quads(tmp_path / "once")


def test_a_category_no_document_names_any_more_leaves_the_shared_graph(tmp_path):
    """Sample 000 is the only one with the category 教育培训监管; rebuilt as 教育监管, the old concept goes."""
    documents = bundled_documents()
    options = BuildOptions(base=BASE, validate=False)
    build(documents, tmp_path / "store", options)
    edited = tmp_path / "edited" / documents[0].name
    edited.parent.mkdir()
    shutil.copyfile(documents[0], edited)
    edited.write_text(edited.read_text(encoding="utf-8").replace("教育培训监管", "教育监管"), encoding="utf-8")
    build([edited], tmp_path / "store", options)

    store = OxigraphStore(tmp_path / "store", read_only=True)
    try:
        pref = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
        labels = {q.object.value for q in store.quads() if q.predicate == pref and q.graph_name == ox.NamedNode(SHARED)}
    finally:
        store.close()
    assert "教育监管" in labels and "教育培训监管" not in labels
    assert _in_two_graphs(tmp_path / "store") == 0

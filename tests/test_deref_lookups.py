"""A dereference reads the resource's own triples by index lookups in the web process (issue 13).

Before, every page query went to a killable worker process: a duty page made 7-21 round trips,
~50 ms each under load. Bounded lookups (`Store.triples`) now answer descriptions, labels and the
duty and township parts in process; queries that can scan keep their worker and time limit.
"""

from __future__ import annotations

import threading

import pytest
import requests
from conftest import make_config
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS
from werkzeug.serving import make_server

from luzhi.server.app import create_app
from luzhi.store.oxigraph import OxigraphStore

PREFIX = "PREFIX lz: <https://w3id.org/luzhi/def#> "


@pytest.fixture(scope="module")
def store(built_store):
    handle = OxigraphStore(built_store.path, read_only=True)
    yield handle
    handle.close()


@pytest.fixture()
def own_server(built_store):
    """A fresh app over the tests' store (its own page worker pool, none started yet), over real HTTP."""
    app = create_app(make_config(built_store))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    app.extensions["luzhi.live"].current.close()


def _page_workers(app) -> list[int]:
    return app.extensions["luzhi.live"].current.pages.executor.worker_pids()


def test_dereferences_start_no_query_worker(own_server, built_store, store):
    app, url = own_server
    row = store.select(PREFIX + "SELECT ?d ?town ?list ?dept WHERE { ?d lz:participation ?pa ; lz:township ?town ; "
                                "lz:inList ?list . ?pa lz:department ?dept } LIMIT 1")[0]

    def path(iri) -> str:
        return "/doc/" + str(iri)[len(built_store.base + "/id/"):]

    for target in (path(row["d"]), path(row["d"]) + ".ttl", path(row["town"]) + ".ttl",
                   path(row["list"]) + ".ttl", path(row["dept"]) + ".ttl", path(row["d"]) + ".jsonld"):
        response = requests.get(url + target, timeout=60)
        assert response.status_code == 200, (target, response.text[:300])
    assert requests.get(url + "/id/" + path(row["d"])[len("/doc/"):], allow_redirects=False).status_code == 303
    assert _page_workers(app) == []
    # The pool is real: a page that lists a whole list's duties still queries, in a worker.
    assert requests.get(url + path(row["list"]), timeout=60).status_code == 200
    assert _page_workers(app) != []


def test_a_description_is_the_resource_own_triples(live_server, built_store, store):
    """The Turtle of a duty holds exactly its outgoing triples (by SPARQL) plus labels and links to it."""
    row = store.select(PREFIX + "SELECT ?d WHERE { ?d a lz:Duty ; lz:participation ?pa } LIMIT 1")[0]
    duty = str(row["d"])
    rows = store.select(f"SELECT DISTINCT ?p ?o WHERE {{ <{duty}> ?p ?o }}")
    expected = {(URIRef(duty), r["p"], r["o"]) for r in rows}
    response = requests.get(live_server.url + "/doc/" + duty[len(built_store.base + "/id/"):] + ".ttl", timeout=60)
    graph = Graph().parse(data=response.text, format="turtle")
    assert {t for t in graph if t[0] == URIRef(duty)} == expected


def test_a_triple_in_two_graphs_is_read_once(tmp_path):
    store = OxigraphStore(tmp_path / "store")
    subject = URIRef("http://example.org/a")
    label = Literal("甲", lang="zh")
    for graph in ("http://example.org/g1", "http://example.org/g2"):
        store.replace_graph(graph, [(subject, RDFS.label, label)])
    store.replace_graph("http://example.org/g3", [(subject, RDFS.comment, Literal("x"))])
    assert store.triples(subject, RDFS.label, None, limit=10) == [(subject, RDFS.label, label)]
    assert len(store.triples(subject, None, None, limit=10)) == 2
    assert len(store.triples(subject, None, None, limit=1)) == 1
    assert store.triples(None, None, label, limit=10) == [(subject, RDFS.label, label)]
    store.close()

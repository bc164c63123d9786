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
                   path(row["list"]) + ".ttl", path(row["d"]) + ".jsonld"):
        response = requests.get(url + target, timeout=60)
        assert response.status_code == 200, (target, response.text[:300])
    assert requests.get(url + "/id/" + path(row["d"])[len("/doc/"):], allow_redirects=False).status_code == 303
    assert _page_workers(app) == []
    # The pool is real: a page that lists a whole list's duties still queries, in a worker; so does a
    # department's Turtle, a page of its duties as its HTML page shows them (cold review: it paged every link).
    assert requests.get(url + path(row["list"]), timeout=60).status_code == 200
    assert _page_workers(app) != []
    assert requests.get(url + path(row["dept"]) + ".ttl", timeout=60).status_code == 200


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


def test_home_names_each_province_with_its_townships(live_server, store):
    """The home page is built once per snapshot and names provinces, not every township (issue 13)."""
    rows = store.select(PREFIX + "SELECT ?p (COUNT(DISTINCT ?t) AS ?n) WHERE { ?l a lz:DutyList ; lz:ofTownship ?t . "
                        "?t lz:parentDivision+ ?p FILTER NOT EXISTS { ?p lz:parentDivision ?up } } GROUP BY ?p")
    assert rows
    html = requests.get(live_server.url + "/", timeout=60).text
    section = html[html.index('<section class="provinces">'):]
    section = section[: section.index("</section>")]
    assert section.count("<li>") == len(rows)
    for row in rows:
        path = "/doc/" + str(row["p"])[len(live_server.url + "/id/"):]
        assert f'href="{path}"' in section and f"<small>{int(row['n'])} " in section


def test_a_kind_page_is_paged(built_store, store):
    """A kind's members come a page at a time (a kind can hold a duty of every township); walking the
    pages gives each member once."""
    rows = store.select(PREFIX + "SELECT ?k (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d lz:dutyKind ?k ; lz:township ?t ; "
                                 "lz:listType ?type } GROUP BY ?k ORDER BY DESC(?n) LIMIT 1")
    kind, n = str(rows[0]["k"]), int(rows[0]["n"])
    assert n > 3, "the largest kind must need several pages of 3"
    members = {str(r["d"]) for r in store.select(PREFIX + f"SELECT ?d WHERE {{ ?d lz:dutyKind <{kind}> }}")}
    app = create_app(make_config(built_store, page_size=3))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/doc/" + kind[len(built_store.base + "/id/"):]
    seen: list[str] = []
    try:
        for page in range(1, -(-n // 3) + 1):
            html = requests.get(url, params={"page": page}, timeout=60).text
            table = html[html.index('<table class="kind-members">'):html.index("</table>")]
            links = [m for m in table.split('href="')[1:] if m.startswith("/doc/duty/")]
            seen += [built_store.base + "/id/" + link[len("/doc/"):link.index('"')] for link in links]
            assert ('rel="next"' in html) == (page < -(-n // 3))
    finally:
        server.shutdown()
        app.extensions["luzhi.live"].current.close()
    assert len(seen) == len(set(seen)) == n and set(seen) == members


def test_a_cached_home_page_keeps_each_request_own_parameters(live_server):
    """The home page is rendered once per language; a request with other parameters is rendered for itself
    (its language switch keeps them), and does not change what the next reader gets."""
    plain = requests.get(live_server.url + "/", params={"lang": "en"}, timeout=60).text
    tagged = requests.get(live_server.url + "/", params={"lang": "en", "from": "mail"}, timeout=60).text
    assert "from=mail" in tagged and "from=mail" not in plain
    assert requests.get(live_server.url + "/", params={"lang": "en"}, timeout=60).text == plain


def test_an_unknown_resource_is_404_on_every_page(live_server):
    for params in ({}, {"page": 2}):
        response = requests.get(live_server.url + "/doc/duty/999999999/basic/1.ttl", params=params, timeout=60)
        assert response.status_code == 404, (params, response.text[:200])


def test_the_label_cache_is_bounded_per_snapshot_and_gives_the_store_labels(built_store):
    """server/context.py keeps labels per snapshot in an LRU of at most LABELS_KEPT resources."""
    from luzhi.server.context import LABELS_KEPT, get_store, label_cache
    from luzhi.server.describe import fetch_labels, resource_labels

    app = create_app(make_config(built_store))
    with app.test_request_context("/"):
        cached = label_cache()
        assert cached is label_cache() and cached.cache_info().maxsize == LABELS_KEPT
        township = next(s for s, _p, _o in get_store().triples(None, RDFS.label, None, limit=1))
        assert fetch_labels(get_store(), [township], cached) == fetch_labels(get_store(), [township])
        assert cached(township) == resource_labels(get_store(), township) and cached.cache_info().hits >= 1

"""SPARQL 1.1 Protocol over real HTTP: the W3C protocol tests that apply to a read-only service,
rewritten against our own small graphs (w3c/rdf-tests sparql/sparql11/protocol/manifest.ttl),
and luzhi's own cases (size limits, read-only refusals, CORS). docs/sparql.md lists which
W3C tests apply and why the others do not.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
import requests
from sparql_server import DOCS, GRAPHS, fill_small_store, serve

from luzhi.ontology.namespaces import SD
from luzhi.server.config import Config

FOAF_DOC = "<http://xmlns.com/foaf/0.1/Document>"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
DIRECT = {"Content-Type": "application/sparql-query"}
JSON = {"Accept": "application/sparql-results+json"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    path = fill_small_store(tmp_path_factory.mktemp("sparql-protocol") / "store")
    with serve(Config(store_path=path, max_request_bytes=20_000, query_timeout=20)) as running:
        yield running


def ask(response: requests.Response) -> bool:
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/sparql-results+json")
    return response.json()["boolean"]


def both_docs_ask(a: int, b: int) -> str:
    return f"ASK {{ <{DOCS[a]}> a {FOAF_DOC} . <{DOCS[b]}> a {FOAF_DOC} . }}"


def graphs_ask(a: int, b: int) -> str:
    return f"ASK {{ GRAPH ?g1 {{ <{DOCS[a]}> a {FOAF_DOC} }} GRAPH ?g2 {{ <{DOCS[b]}> a {FOAF_DOC} }} }}"


# --- W3C: query_post_form, query_get, query_post_direct ------------------------------------------

def test_query_post_form(server):
    response = requests.post(server.endpoint, data={"query": "ASK {}"}, headers={**FORM, **JSON},
                             params={"default-graph-uri": GRAPHS[1]})
    assert ask(response) is True


def test_query_get(server):
    response = requests.get(server.endpoint, params={"query": "ASK {}", "default-graph-uri": GRAPHS[1]},
                            headers=JSON)
    assert ask(response) is True


def test_query_post_direct(server):
    response = requests.post(server.endpoint, data=both_docs_ask(1, 2).encode(), headers={**DIRECT, **JSON})
    assert ask(response) is True  # default graph = union of all named graphs


# --- W3C: dataset parameters ------------------------------------------------------------------

def test_query_dataset_default_graphs_get(server):
    params = [("query", both_docs_ask(1, 2)), ("default-graph-uri", GRAPHS[1]), ("default-graph-uri", GRAPHS[2])]
    assert ask(requests.get(server.endpoint, params=params, headers=JSON)) is True


def test_query_dataset_default_graphs_post(server):
    params = [("default-graph-uri", GRAPHS[1]), ("default-graph-uri", GRAPHS[2])]
    response = requests.post(server.endpoint, params=params, data=both_docs_ask(1, 2).encode(),
                             headers={**DIRECT, **JSON})
    assert ask(response) is True


def test_default_graph_uri_really_restricts_the_default_graph(server):
    params = [("query", both_docs_ask(1, 2)), ("default-graph-uri", GRAPHS[1])]
    assert ask(requests.get(server.endpoint, params=params, headers=JSON)) is False


def test_query_dataset_named_graphs_post(server):
    params = [("named-graph-uri", GRAPHS[1]), ("named-graph-uri", GRAPHS[2])]
    response = requests.post(server.endpoint, params=params, data=graphs_ask(1, 2).encode(),
                             headers={**DIRECT, **JSON})
    assert ask(response) is True


def test_query_dataset_named_graphs_get(server):
    params = [("query", graphs_ask(1, 2)), ("named-graph-uri", GRAPHS[1]), ("named-graph-uri", GRAPHS[2])]
    assert ask(requests.get(server.endpoint, params=params, headers=JSON)) is True


def test_named_graph_uri_really_restricts_the_named_graphs(server):
    params = [("query", graphs_ask(1, 3)), ("named-graph-uri", GRAPHS[1]), ("named-graph-uri", GRAPHS[2])]
    assert ask(requests.get(server.endpoint, params=params, headers=JSON)) is False


def test_query_dataset_full(server):
    query = f"ASK {{ <{DOCS[3]}> a ?type GRAPH ?g1 {{ <{DOCS[1]}> a ?type }} GRAPH ?g2 {{ <{DOCS[2]}> a ?type }} }}"
    params = [("default-graph-uri", GRAPHS[3]), ("named-graph-uri", GRAPHS[1]), ("named-graph-uri", GRAPHS[2])]
    response = requests.post(server.endpoint, params=params, data=query.encode(), headers={**DIRECT, **JSON})
    assert ask(response) is True


def test_query_multiple_dataset_protocol_wins(server):
    # FROM <graph 3> in the query, named graphs 1 and 2 by protocol: the protocol's dataset is used.
    query = f"ASK FROM <{GRAPHS[3]}> {{ GRAPH ?g1 {{ <{DOCS[1]}> a ?t }} GRAPH ?g2 {{ <{DOCS[2]}> a ?t }} }}"
    params = [("named-graph-uri", GRAPHS[1]), ("named-graph-uri", GRAPHS[2])]
    response = requests.post(server.endpoint, params=params, data=query.encode(), headers={**DIRECT, **JSON})
    assert ask(response) is True
    only_from = f"ASK FROM <{GRAPHS[3]}> {{ <{DOCS[3]}> a ?t }}"
    response = requests.post(server.endpoint, params=params, data=only_from.encode(), headers={**DIRECT, **JSON})
    assert ask(response) is False  # the query's FROM was overridden


def test_from_in_the_query_is_honoured_without_protocol_dataset(server):
    inside = f"ASK FROM <{GRAPHS[3]}> {{ <{DOCS[3]}> a ?t }}"
    outside = f"ASK FROM <{GRAPHS[3]}> {{ <{DOCS[1]}> a ?t }}"
    assert ask(requests.get(server.endpoint, params={"query": inside}, headers=JSON)) is True
    assert ask(requests.get(server.endpoint, params={"query": outside}, headers=JSON)) is False


# --- W3C: content types of the answer (query_content_type_*) ----------------------------------

@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("SELECT (1 AS ?value) {}", ("application/sparql-results+xml", "application/sparql-results+json",
                                     "text/csv", "text/tab-separated-values")),
        ("ASK {}", ("application/sparql-results+xml", "application/sparql-results+json")),
        (f"DESCRIBE <{DOCS[1]}>", ("application/rdf+xml", "text/turtle", "application/n-triples")),
        ("CONSTRUCT { <s> <p> 1 } WHERE {}",  # exactly as W3C writes it: relative IRIs (issue 11)
         ("application/rdf+xml", "text/turtle", "application/n-triples")),
    ],
    ids=["select", "ask", "describe", "construct"],
)
def test_query_content_type(server, query, expected):
    response = requests.post(server.endpoint, data=query.encode(), headers=DIRECT)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].split(";")[0] in expected


def test_relative_iris_resolve_against_the_endpoint(server):
    """query_content_type_construct writes `<s> <p> 1`: resolved against the service's IRI, as Fuseki does."""
    response = requests.post(server.endpoint, data=b"CONSTRUCT { <s> <p> 1 } WHERE {}",
                             headers={**DIRECT, "Accept": "application/n-triples"})
    assert response.status_code == 200, response.text
    base = server.app.config["LUZHI"].base
    assert response.text.strip() == (f'<{base}/s> <{base}/p> '
                                     '"1"^^<http://www.w3.org/2001/XMLSchema#integer> .')


# --- W3C: bad requests --------------------------------------------------------------------------

def test_bad_query_method(server):
    response = requests.put(server.endpoint, data={"query": "ASK {}"}, headers=FORM)
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]


def test_bad_multiple_queries(server):
    response = requests.get(server.endpoint, params=[("query", "ASK {}"), ("query", "SELECT * {}")])
    assert response.status_code == 400
    assert "exactly one" in response.text


def test_bad_query_wrong_media_type(server):
    response = requests.post(server.endpoint, data=b"ASK {}", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415
    assert "text/plain" in response.text


def test_bad_query_missing_form_type(server):
    response = requests.post(server.endpoint, data=b"query=ASK%20%7B%7D")
    assert response.status_code == 415


def test_bad_query_missing_direct_type(server):
    response = requests.post(server.endpoint, data=b"ASK {}")
    assert response.status_code == 415


def test_bad_query_non_utf8(server):
    response = requests.post(server.endpoint, data="ASK {}".encode("utf-16"),
                             headers={"Content-Type": "application/sparql-query; charset=UTF-16"})
    assert response.status_code == 415
    assert "UTF-8" in response.text


def test_bad_query_syntax_gives_the_parsers_message(server):
    response = requests.get(server.endpoint, params={"query": "ASK {"})
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("text/plain")
    assert "SPARQL syntax error: error at 1:" in response.text


@pytest.mark.parametrize("query", ["SELECT (<http://example.org/f>(1) AS ?x) {}",
                                   "ASK { FILTER(<http://example.org/f>(1)) }"])
def test_an_unknown_function_is_the_users_400_not_a_502(server, query):
    """Cold review 2026-11-30: the engine refuses unknown functions before evaluating; that is the query's fault."""
    response = requests.get(server.endpoint, params={"query": query})
    assert response.status_code == 400, response.text
    assert "<http://example.org/f>" in response.text and "RuntimeError" not in response.text


@pytest.mark.parametrize(
    ("method", "kwargs"),
    [
        ("get", {"params": {"update": "CLEAR ALL"}}),  # W3C bad_update_get
        ("post", {"data": [("update", "CLEAR NAMED"), ("update", "CLEAR DEFAULT")]}),  # bad_multiple_updates
        ("post", {"data": b"CLEAR NAMED", "headers": {"Content-Type": "application/sparql-update"}}),
        ("post", {"data": b"update=CLEAR%20XYZ", "headers": FORM}),  # bad_update_syntax
        ("post", {"data": {"query": "INSERT DATA { <http://e/s> <http://e/p> 1 }"}}),
        ("post", {"data": b"LOAD <http://127.0.0.1:9/data.ttl>", "headers": DIRECT}),
        ("get", {"params": {"query": "PREFIX ex: <http://e/> # comment\nDROP ALL"}}),
        ("get", {"params": {"query": "WITH <http://e/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }"}}),
    ],
    ids=["update-get", "multiple-updates", "update-direct", "update-form", "insert-as-query",
         "load-as-query", "drop-after-prologue", "with-delete"],
)
def test_updates_are_refused_with_a_clear_message(server, method, kwargs):
    response = getattr(requests, method)(server.endpoint, **kwargs)
    assert response.status_code == 403
    assert "read-only" in response.text
    still_there = requests.get(server.endpoint, params={"query": both_docs_ask(1, 2)}, headers=JSON)
    assert ask(still_there) is True


# --- Beyond the W3C suite ----------------------------------------------------------------------

def test_missing_query_in_post(server):
    response = requests.post(server.endpoint, data={"default-graph-uri": GRAPHS[1]}, headers=FORM)
    assert response.status_code == 400
    assert "missing query" in response.text


def test_query_in_url_and_body_is_ambiguous(server):
    response = requests.post(server.endpoint, params={"query": "ASK {}"}, data=b"ASK {}", headers=DIRECT)
    assert response.status_code == 400


def test_bad_graph_iri_names_the_parameter(server):
    response = requests.get(server.endpoint, params={"query": "ASK {}", "named-graph-uri": "not an iri"})
    assert response.status_code == 400
    assert "named-graph-uri" in response.text


def test_request_body_over_the_limit_is_413(server):
    padding = "#" + "x" * 30_000 + "\n"
    response = requests.post(server.endpoint, data=(padding + "ASK {}").encode(), headers=DIRECT)
    assert response.status_code == 413
    assert "max_request_bytes" in response.text or "limit" in response.text


def test_form_body_over_the_limit_is_413(server):
    response = requests.post(server.endpoint, data={"query": "#" + "x" * 30_000 + "\nASK {}"}, headers=FORM)
    assert response.status_code == 413


def test_uri_over_the_limit_is_414(server):
    response = requests.get(server.endpoint + "?query=" + quote("#" + "x" * 30_000 + "\nASK {}"))
    assert response.status_code == 414


def test_cors_on_answers_and_errors(server):
    ok = requests.get(server.endpoint, params={"query": "ASK {}"}, headers={"Origin": "http://elsewhere.example"})
    bad = requests.get(server.endpoint, params={"query": "ASK {"}, headers={"Origin": "http://elsewhere.example"})
    assert ok.headers["Access-Control-Allow-Origin"] == "*"
    assert bad.headers["Access-Control-Allow-Origin"] == "*"


def test_cors_preflight(server):
    response = requests.options(server.endpoint, headers={
        "Origin": "http://elsewhere.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, accept",
    })
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "content-type" in response.headers["Access-Control-Allow-Headers"].lower()


def test_service_description_in_turtle(server):
    from rdflib import Graph, URIRef
    from rdflib.namespace import RDF

    response = requests.get(server.endpoint, headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/turtle")
    graph = Graph().parse(data=response.text, format="turtle")
    service = next(graph.subjects(RDF.type, SD.Service))
    assert (service, SD.feature, SD.UnionDefaultGraph) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    names = {str(n) for n in graph.objects(None, SD.name)}
    assert set(GRAPHS.values()) <= names
    assert (service, SD.resultFormat, URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON")) in graph


@pytest.mark.parametrize("accept", ["application/ld+json", "application/rdf+xml", "application/n-triples"])
def test_service_description_by_conneg(server, accept):
    import pyoxigraph as ox

    response = requests.get(server.endpoint, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(accept)
    triples = list(ox.parse(response.content, format=ox.RdfFormat.from_media_type(accept)))
    services = [t.subject for t in triples if t.object == ox.NamedNode(str(SD.Service))]
    assert len(services) == 1


def test_browsers_get_the_query_page(server):
    response = requests.get(server.endpoint, headers={
        "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert "PREFIX lz: &lt;https://w3id.org/luzhi/def#&gt;" in response.text
    assert "/static/sparql/editor.js" in response.text
    assets = re.findall(r'<(?:script|link)[^>]*(?:src|href)="([^"]+)"', response.text)
    assert assets and all(url.startswith("/") for url in assets), assets  # no CDN: the page works offline


def test_query_page_assets_are_served(server):
    for asset in ("sparql/editor.js", "sparql/sparql.css"):
        response = requests.get(f"{server.base}/static/{asset}")
        assert response.status_code == 200, asset

"""`/sparql` queries answered beside Flask (server/views/sparql_fast.py, issue 13) answer as the Flask view does.

Two real servers over one store on disk: the app as built (the fast path in front of Flask) and the
same app with the fast path unplugged. Every request below, answers and refusals alike, must get the
same status, headers (but Date) and body from both; and the fast one must not have gone through
Flask for a query, while what it hands on (the service description, the query page) still does.
"""

from __future__ import annotations

import pytest
import requests
from sparql_server import fill_small_store, serve

from luzhi.server.config import Config

SELECT = "SELECT ?doc ?label WHERE { ?doc a <http://xmlns.com/foaf/0.1/Document> ; " \
         "<http://www.w3.org/2000/01/rdf-schema#label> ?label } ORDER BY ?doc"
CONSTRUCT = "CONSTRUCT { ?doc ?p ?o } WHERE { ?doc a <http://xmlns.com/foaf/0.1/Document> ; ?p ?o }"
LIMIT = 4096

# (name, method, params, body, headers)
REQUESTS = [
    ("select, form, JSON", "POST", None, {"query": SELECT}, {"Accept": "application/sparql-results+json"}),
    ("select, GET, format=xml", "GET", {"query": SELECT, "format": "xml"}, None, {}),
    ("select, CSV by Accept", "GET", {"query": SELECT}, None, {"Accept": "text/csv"}),
    ("ask, direct body", "POST", None, "ASK { ?s ?p ?o }", {"Content-Type": "application/sparql-query"}),
    ("construct, Turtle", "POST", None, {"query": CONSTRUCT}, {"Accept": "text/turtle"}),
    ("construct, JSON-LD", "POST", None, {"query": CONSTRUCT}, {"Accept": "application/ld+json"}),
    ("construct, N-Triples with an Origin", "GET", {"query": CONSTRUCT}, None,
     {"Accept": "application/n-triples", "Origin": "https://example.com"}),
    ("syntax error", "POST", None, {"query": "SELECT * WHERE { ?s ?p }"}, {}),
    ("update refused", "POST", None, {"update": "INSERT DATA { <a:s> <a:p> 1 }"}, {}),
    ("update in query=", "POST", None, {"query": "INSERT DATA { <a:s> <a:p> 1 }"}, {}),
    ("no acceptable format", "POST", None, {"query": SELECT}, {"Accept": "image/png"}),
    ("unknown format=", "GET", {"query": SELECT, "format": "yaml"}, None, {}),
    ("two queries", "GET", [("query", "ASK {}"), ("query", "ASK {}")], None, {}),
    ("POST without a query", "POST", None, {"format": "json"}, {}),
    ("body too large (413)", "POST", None, {"query": "ASK {} #" + "x" * LIMIT}, {}),
    ("URI too long (414)", "GET", {"query": "ASK {} #" + "x" * LIMIT}, None, {}),
    ("too deep", "POST", None, {"query": "ASK { FILTER(" + "(" * 1200 + "true" + ")" * 1201 + " }"}, {}),
    ("SERVICE refused", "POST", None, {"query": "SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"},
     {}),
]


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    path = fill_small_store(tmp_path_factory.mktemp("fast") / "store")
    config = Config(store_path=path, max_request_bytes=LIMIT)
    with serve(config) as fast, serve(config) as flask_only:
        unplugged = flask_only.app.wsgi_app.app  # PercentEncodeQueryString(SparqlFastPath(…)), server/app.py
        flask_only.app.wsgi_app.app = unplugged.inner
        through_flask: list[str] = []
        fast.app.before_request(lambda: through_flask.append("flask"))
        yield fast, flask_only, through_flask


def send(base: str, method: str, params, body, headers) -> requests.Response:
    return requests.request(method, f"{base}/sparql", params=params, data=body, headers=headers, timeout=60)


def comparable(response: requests.Response) -> tuple:
    headers = {k.lower(): v for k, v in response.headers.items() if k.lower() not in ("date",)}
    return response.status_code, headers, response.content


@pytest.mark.parametrize("name", [r[0] for r in REQUESTS])
def test_the_fast_path_answers_exactly_as_the_flask_view(servers, name):
    fast, flask_only, through_flask = servers
    _, method, params, body, headers = next(r for r in REQUESTS if r[0] == name)
    before = len(through_flask)
    ours = send(fast.base, method, params, body, headers)
    reference = send(flask_only.base, method, params, body, headers)
    assert comparable(ours) == comparable(reference), name
    assert len(through_flask) == before, f"{name}: went through Flask"
    assert ours.headers["Vary"] == "Accept" and ours.headers["X-Content-Type-Options"] == "nosniff"


def test_what_is_not_a_query_still_goes_to_flask(servers):
    fast, flask_only, through_flask = servers
    for method, headers in (("GET", {"Accept": "text/turtle"}), ("GET", {"Accept": "text/html"}),
                            ("HEAD", {"Accept": "text/turtle"}), ("OPTIONS", {"Origin": "https://example.com"})):
        before = len(through_flask)
        ours = requests.request(method, f"{fast.base}/sparql", headers=headers, timeout=60)
        reference = requests.request(method, f"{flask_only.base}/sparql", headers=headers, timeout=60)
        assert ours.status_code == reference.status_code and ours.status_code in (200, 204), method
        assert len(through_flask) == before + 1, (method, headers)
    permalink = requests.get(f"{fast.base}/sparql", params={"query": SELECT}, headers={"Accept": "text/html"},
                             timeout=60)
    assert permalink.status_code == 200 and permalink.headers["Content-Type"].startswith("text/html")

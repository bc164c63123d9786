"""What a cold review of the HTTP surface found at /sparql and in the servers under it, each over real HTTP.

2. a GET whose URL passed the server's bound got Werkzeug's or gunicorn's own English page (or, at 1 MB, a reset
   connection): both servers take one bound, 8,190 bytes of request line, and answer past it with luzhi's 414;
3. `SELECT *` answered its variables in alphabetical order, not in the order the query names them;
4. triple terms (`<<( … )>>`, `<< … >>`) were refused as an invalid IRI;
5. 500 nested `{ }` were "more than 256 graph pattern operators";
6. a query worker that died at its memory cap wrote a Rust backtrace into the server's log;
7. a worker kept the memory a query grew it to (18,000 `default-graph-uri`: 517 MB).
"""

from __future__ import annotations

import csv
import io
import logging
import time

import pytest
import requests
from sparql_server import fill_small_store, gunicorn, raw_answer, serve
from SPARQLWrapper import CSV, JSON, TSV, XML, SPARQLWrapper
from test_review_messages import in_both_languages

from luzhi.server.config import Config
from luzhi.server.http_servers import REQUEST_LINE_LIMIT
from luzhi.server.sparql.protocol import MAX_GRAPH_PARAMETERS
from luzhi.store.executor import query_id
from luzhi.store.service_check import MAX_PATTERNS

FILLER = "http://example.org/graph/filler"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return fill_small_store(tmp_path_factory.mktemp("surface") / "store")


@pytest.fixture(scope="module")
def development(store):
    """`luzhi serve`'s server: Werkzeug's, with luzhi's handler (server/http_servers.py)."""
    with serve(Config(store_path=store, query_timeout=120.0, queue_wait=30.0), luzhi_serve=True) as server:
        yield server.base


def raw_get(url: str, target_bytes: int) -> bytes:
    """A GET of /sparql whose request line is `target_bytes` long, sent whole over a socket; the whole answer."""
    prefix = b"GET /sparql?query=ASK%20%7B%7D%20%23"
    line = prefix + b"x" * (target_bytes - len(prefix) - len(b" HTTP/1.1")) + b" HTTP/1.1"
    assert len(line) == target_bytes
    return raw_answer(url, line + b"\r\nHost: x\r\nAccept: */*\r\nConnection: close\r\n\r\n")


def assert_luzhis_414(answer: bytes) -> None:
    head, _sep, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 414 "), answer[:300]
    headers = head.decode("latin-1").lower()
    assert "content-type: text/plain; charset=utf-8" in headers
    assert "x-content-type-options: nosniff" in headers and "access-control-allow-origin: *" in headers
    text = body.decode("utf-8").strip()
    assert in_both_languages(text.removeprefix("414 ")), text
    assert f"{REQUEST_LINE_LIMIT}" in text and "POST" in text and "application/sparql-query" in text


@pytest.mark.parametrize("length", [REQUEST_LINE_LIMIT + 1, 66_000, 1_100_000])
def test_a_get_past_the_request_line_bound_is_luzhis_414_under_luzhi_serve(development, length):
    assert_luzhis_414(raw_get(development, length))


def test_a_get_within_the_bound_is_answered_under_luzhi_serve(development):
    answer = raw_get(development, REQUEST_LINE_LIMIT)
    assert answer.startswith(b"HTTP/1.1 200 "), answer[:300]
    assert b'"boolean":true' in answer


def test_a_get_past_the_request_line_bound_is_luzhis_414_under_gunicorn(store, tmp_path):
    with gunicorn(store, tmp_path, workers=1) as url:
        for length in (REQUEST_LINE_LIMIT + 1, 1_100_000):
            assert_luzhis_414(raw_get(url, length))
        assert raw_get(url, REQUEST_LINE_LIMIT).startswith(b"HTTP/1.1 200 ")


# ---- 3. SELECT * in the query's order ----------------------------------------------------------------------------

STAR = f"SELECT * WHERE {{ GRAPH <{FILLER}> {{ ?zeta ?alpha ?mid }} }} ORDER BY ?mid LIMIT 2"


@pytest.mark.parametrize("return_format", [JSON, XML, CSV, TSV])
def test_select_star_answers_the_variables_in_the_order_the_query_names_them(development, return_format):
    client = SPARQLWrapper(f"{development}/sparql", returnFormat=return_format)
    client.setQuery(STAR)
    result = client.query().convert()
    if return_format == JSON:
        names = result["head"]["vars"]
        rows = [[b[name]["value"] for name in names] for b in result["results"]["bindings"]]
    elif return_format == XML:
        names = [v.getAttribute("name") for v in result.getElementsByTagName("variable")]
        rows = [[b.getElementsByTagName("binding")[i].firstChild.firstChild.nodeValue for i in range(3)]
                for b in result.getElementsByTagName("result")]
        assert [[b.getAttribute("name") for b in r.getElementsByTagName("binding")]
                for r in result.getElementsByTagName("result")] == [names, names]
    else:
        table = list(csv.reader(io.StringIO(result.decode("utf-8")), delimiter="," if return_format == CSV else "\t"))
        names = [name.removeprefix("?") for name in table[0]]
        rows = [[cell.strip("<>").split("^^")[0].strip('"') for cell in row] for row in table[1:]]
    assert names == ["zeta", "alpha", "mid"]
    # each value under its own name: the subject, the predicate, the number
    assert rows == [["http://example.org/item/0", "http://example.org/value", "0"],
                    ["http://example.org/item/1", "http://example.org/value", "1"]]


def test_select_distinct_star_ignores_variables_in_strings_and_comments(development):
    query = 'SELECT DISTINCT * # ?a first\nWHERE { BIND("?b" AS ?zz) BIND(1 AS ?b) BIND(2 AS ?a) }'
    response = requests.get(f"{development}/sparql", params={"query": query},
                            headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert response.status_code == 200, response.text
    assert response.json()["head"]["vars"] == ["zz", "b", "a"]


# ---- 4. triple terms, 5. nesting ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("query", "written"), [
    ("SELECT * WHERE { <<( ?s ?p ?o )>> ?q ?r }", "<<"),
    ("SELECT * WHERE { << ?s ?p ?o >> ?q ?r }", "<<"),
    ("SELECT * WHERE { ?s ?p ?o {| ?q ?r |} }", "{|"),
    ("SELECT * WHERE {\n  BIND(TRIPLE(?s, ?p, ?o) AS ?t) }", "TRIPLE("),
])
def test_triple_terms_are_named_as_not_supported(development, query, written):
    response = requests.get(f"{development}/sparql", params={"query": query}, timeout=60)
    assert response.status_code == 400
    text = response.text.strip()
    assert "triple terms" in text and "are not supported by this endpoint" in text and "三元组项" in text
    assert f"{written} at" in text and "IRI" not in text.partition(" / ")[2].replace("RDF-star", ""), text
    assert in_both_languages(text), text


def test_a_less_than_before_an_iri_is_no_triple_term(development):
    query = f'ASK {{ GRAPH <{FILLER}> {{ ?s ?p "<<" }} FILTER(?s <<http://example.org/x>) }}'
    response = requests.get(f"{development}/sparql", params={"query": query}, timeout=60)
    assert "triple terms" not in response.text


def test_deep_nesting_is_reported_as_nesting(development):
    nested = "SELECT * WHERE " + "{ " * 500 + "?s ?p ?o " + "} " * 500
    response = requests.post(f"{development}/sparql", data={"query": nested}, timeout=120)
    assert response.status_code == 400
    assert f"nested more than {MAX_PATTERNS} deep" in response.text and "operators" not in response.text
    assert in_both_languages(response.text.strip()), response.text
    flat = "SELECT * WHERE { " + "OPTIONAL { ?s ?p ?o } " * (MAX_PATTERNS + 1) + "}"
    response = requests.post(f"{development}/sparql", data={"query": flat}, timeout=120)
    assert response.status_code == 400 and f"more than {MAX_PATTERNS} graph pattern operators" in response.text


# ---- 6. a worker's death in one line, 7. workers that grew are replaced ------------------------------------------

SORTED_CROSS_JOIN = (f"SELECT * {{ GRAPH <{FILLER}> {{ ?a ?p1 ?x . ?b ?p2 ?y . ?c ?p3 ?z }} }} ORDER BY ?x ?y ?z")


def test_a_worker_dead_at_its_memory_cap_is_one_line_in_the_log(store, caplog, capfd, monkeypatch):
    monkeypatch.setenv("RUST_BACKTRACE", "full")  # as an operator may have it: no backtrace may follow
    config = Config(store_path=store, query_memory_mb=512, query_timeout=120, query_processes=1, queue_wait=60)
    with caplog.at_level(logging.INFO, logger="luzhi.store.executor"), serve(config) as server:
        assert requests.get(server.endpoint, params={"query": "ASK {}"}, timeout=60).status_code == 200
        (pid,) = server.executor.worker_pids()
        response = requests.get(server.endpoint, params={"query": SORTED_CROSS_JOIN}, timeout=180)
        assert response.status_code == 503 and "512 MB (query_memory_mb)" in response.text
    deaths = [r.getMessage() for r in caplog.records if "died" in r.getMessage()]
    assert deaths == [f"query worker {pid} died (SIGABRT) during query {query_id(SORTED_CROSS_JOIN)}; memory cap "
                      "512 MB (query_memory_mb); it said: " + deaths[0].rpartition("it said: ")[2]], deaths
    assert "memory allocation of" in deaths[0]
    err = capfd.readouterr().err
    assert "memory allocation" not in err and "backtrace" not in err, err[-2000:]


@pytest.mark.parametrize(("recycle_mb", "replaced"), [(1, 2), (512, 0)])
def test_a_worker_grown_past_query_recycle_mb_is_replaced_after_its_query(store, caplog, recycle_mb, replaced):
    """Its real resident memory is read after each query: every worker holds more than 1 MB, none 512 MB here."""
    query = f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{FILLER}> {{ ?s ?p ?o }} }}"
    config = Config(store_path=store, query_recycle_mb=recycle_mb, query_timeout=120, query_processes=1,
                    queue_wait=60)
    with caplog.at_level(logging.INFO, logger="luzhi.store.executor"), serve(config) as server:
        answers, pids = [], []
        for _ in range(2):
            answers.append(requests.get(server.endpoint, params={"query": query}, headers={"Accept": "text/csv"},
                                        timeout=60).text)
            deadline = time.monotonic() + 60
            while not server.executor.worker_pids() and time.monotonic() < deadline:
                time.sleep(0.05)  # a replacement starts in the background
            pids.append(server.executor.worker_pids())
        assert answers == ["n\r\n200\r\n"] * 2  # answered, then its worker replaced (or not)
        assert server.executor.recycled == replaced and (pids[0] != pids[1]) == bool(replaced), pids
    logged = [r.getMessage() for r in caplog.records if "replaced" in r.getMessage()]
    assert len(logged) == replaced
    if replaced:
        assert f"after query {query_id(query)}" in logged[0] and "over query_recycle_mb=1" in logged[0]


@pytest.mark.parametrize("name", ["default-graph-uri", "named-graph-uri"])
def test_more_graph_parameters_than_the_cap_are_a_400_naming_the_parameter(development, name):
    query = "ASK { GRAPH ?g { ?s ?p ?o } }" if name == "named-graph-uri" else "ASK { ?s ?p ?o }"
    graphs = [FILLER, *(f"http://example.org/graph/none/{n}" for n in range(MAX_GRAPH_PARAMETERS - 1))]
    within = requests.post(f"{development}/sparql", data={"query": query, name: graphs},
                           headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert within.status_code == 200 and within.json()["boolean"] is True
    over = requests.post(f"{development}/sparql", data={"query": query, name: [*graphs, "http://example.org/x"]},
                         timeout=60)
    assert over.status_code == 400
    assert f"{MAX_GRAPH_PARAMETERS + 1} {name} parameters given" in over.text
    assert in_both_languages(over.text.strip()), over.text

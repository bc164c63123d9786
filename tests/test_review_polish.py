"""Findings of a cold review of a fresh `luzhi serve`, each reproduced over real HTTP on 127.0.0.1."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import requests

DEEP_GROUPS = "SELECT * WHERE " + "{" * 5000 + "?s ?p ?o" + "}" * 5000
SPARQL_QUERY = {"Content-Type": "application/sparql-query"}


def test_deeply_nested_groups_are_refused_without_holding_the_workers(live_server):
    # Before: each refusal held a query worker 12–21 s (rdflib's recursive parse), so four at once
    # left `ASK {}` a 503. The per-request timeout bounds the test: a slow refusal fails it.
    def post(_):
        return requests.post(f"{live_server.url}/sparql", data=DEEP_GROUPS.encode(), headers=SPARQL_QUERY, timeout=5)

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(post, range(4)))
    assert [a.status_code for a in answers] == [400] * 4
    assert all("nested too deeply" in a.text for a in answers)
    plain = requests.get(f"{live_server.url}/sparql", params={"query": "ASK {}"}, timeout=5)
    assert plain.status_code == 200


def test_a_long_run_of_negations_is_a_400_not_a_crashed_worker(live_server):
    query = "SELECT * WHERE { FILTER(" + "!" * 50000 + "true) }"
    response = requests.post(f"{live_server.url}/sparql", data=query.encode(), headers=SPARQL_QUERY, timeout=30)
    assert response.status_code == 400, response.text
    assert "nested too deeply" in response.text
    assert requests.get(f"{live_server.url}/sparql", params={"query": "ASK {}"}, timeout=30).status_code == 200


def test_brackets_inside_strings_and_iris_do_not_count_as_nesting(live_server):
    query = 'ASK { FILTER("' + "(" * 3000 + '" != "x" && <http://e.org/' + "!" * 3000 + "> != <x:y>) } # " + "{" * 3000
    response = requests.get(f"{live_server.url}/sparql", params={"query": query}, timeout=30,
                            headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    assert response.json()["boolean"] is True


def test_options_on_the_endpoint_lists_head(live_server):
    response = requests.options(f"{live_server.url}/sparql", timeout=30)
    assert "HEAD" in [m.strip() for m in response.headers["Allow"].split(",")]
    assert requests.head(f"{live_server.url}/sparql", timeout=30).status_code == 200


def test_one_date_header_per_response(live_server):
    connection = http.client.HTTPConnection("127.0.0.1", urlsplit(live_server.url).port, timeout=30)
    connection.request("GET", "/")
    response = connection.getresponse()
    response.read()
    connection.close()
    assert len(response.msg.get_all("Date")) == 1, response.msg.get_all("Date")


def raw_get(live_server, target: bytes) -> tuple[int, str | None, bytes]:
    """GET with the target sent as given (curl sends `?q=森林防火` as raw UTF-8): status, Location, body."""
    with socket.create_connection(("127.0.0.1", urlsplit(live_server.url).port), timeout=30) as sock:
        sock.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        response = http.client.HTTPResponse(sock)
        response.begin()
        answer = response.status, response.getheader("Location"), response.read()
        response.close()
    return answer


def test_raw_utf8_in_the_query_string_means_what_its_percent_encoded_form_means(live_server):
    raw = json.loads(raw_get(live_server, "/search.json?q=森林防火".encode())[2])
    encoded = requests.get(f"{live_server.url}/search.json", params={"q": "森林防火"}, timeout=30).json()
    assert raw["q"] == "森林防火"
    assert raw == encoded
    status, location, _ = raw_get(live_server, "/id/division/140226207?x=森".encode())
    assert status == 303
    assert location.endswith("/doc/division/140226207?x=%E6%A3%AE")


def test_an_unknown_format_parameter_is_a_400_naming_it(live_server):
    response = requests.get(f"{live_server.url}/sparql", params={"format": "xx", "query": "ASK{}"}, timeout=30)
    assert response.status_code == 400
    assert "format='xx'" in response.text and "json" in response.text and "turtle" in response.text
    known = requests.get(f"{live_server.url}/sparql", params={"format": "json", "query": "ASK{}"}, timeout=30)
    assert known.json()["boolean"] is True


def test_a_malformed_q_value_counts_as_1(live_server):
    response = requests.get(f"{live_server.url}/sparql", params={"query": "ASK{}"}, timeout=30,
                            headers={"Accept": "application/sparql-results+json;q=abc"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/sparql-results+json")


def test_luzhi_query_json_ends_with_a_newline(built_store):
    result = subprocess.run([sys.executable, "-m", "luzhi.server.cli", "query", "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1",
                             "--store", str(built_store.path), "--format", "json"],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith("}\n")


def test_english_list_labels_name_the_township_not_its_code(live_server):
    response = requests.get(f"{live_server.url}/doc/division/140226207", params={"lang": "en"}, timeout=30)
    assert response.status_code == 200
    assert "of township 140226207" not in response.text
    name = requests.get(f"{live_server.url}/sparql", timeout=30, params={"format": "json", "query":
                        "SELECT ?n { ?t <http://www.w3.org/2000/01/rdf-schema#label> ?n FILTER(lang(?n) = 'zh') "
                        "FILTER(STRENDS(STR(?t), '/id/division/140226207')) } LIMIT 1"}).json()
    township = name["results"]["bindings"][0]["n"]["value"]
    assert f"Basic duty list of {township}" in response.text


def test_the_service_description_names_every_kind_of_graph_in_the_default_graph(live_server):
    description = requests.get(f"{live_server.url}/sparql", headers={"Accept": "text/turtle"}, timeout=30).text
    names = requests.get(f"{live_server.url}/sparql", timeout=30, params={
        "format": "json", "query": "SELECT DISTINCT ?g WHERE { GRAPH ?g {} }"}).json()["results"]["bindings"]
    others = [b["g"]["value"] for b in names if not b["g"]["value"].rsplit("/", 1)[1].isdigit()]
    assert any(o.endswith("/graph/kinds") for o in others) and any(o.endswith("/graph/shared") for o in others)
    comment = next(line for line in description.splitlines() if "The default graph is the union" in line)
    assert all(o in comment for o in others), comment
    assert f"union of all {len(names)} named graphs" in comment

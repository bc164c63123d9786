"""A SPARQL query with an invalid IRI, or a byte order mark inside it, is refused naming it, quoted, with what
is wrong and where (cold review), wherever it is sent: /sparql with the query workers' sandbox (the engine's
error), /sparql without it (the query checker's, rdflib's), and `luzhi query` (the engine's).

The engine blames every IRI it cannot parse on "spaces or any of <>\"{}|^`\\", `%zz` included; without a
sandbox `<ht tp:/x>` was "Expected SelectQuery (line 1, column 18)"; and a BOM at 2:9 was reported at 2:11.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import requests
from conftest import make_config
from sparql_server import serve
from test_review_messages import in_both_languages

CASES = [
    # query, what the refusal must hold
    ("SELECT * WHERE { <http://x/%zz> ?p ?o }",
     ["invalid IRI <http://x/%zz> at 1:18", "percent-encoding '%zz' is invalid", "%25"]),
    ("SELECT * WHERE { ?s ?p \"森林\" . <http://x/a%2> ?p ?o }",  # a column counts characters, not bytes
     ["invalid IRI <http://x/a%2> at 1:31", "percent-encoding '%2' is invalid"]),
    ("SELECT * WHERE { <ht tp:/x> ?p ?o }", ["invalid IRI <ht tp:/x> at 1:18", "' ' (U+0020)", "%20"]),
    ("SELECT * WHERE { ?s <1http:/x> ?o }", ["invalid IRI <1http:/x> at 1:21", "the scheme '1http' is invalid"]),
    ("SELECT * WHERE {\n  ?s ?p \ufeff?o }", ["byte order mark (U+FEFF) at 2:9", "delete it"]),
]
WRONG = ["may not contain spaces", "Expected SelectQuery", "2:11", "undeclared prefix"]


def _check(message: str, wanted: list[str]) -> None:
    assert in_both_languages(message), message
    for part in wanted:
        assert part in message, (part, message)
    for part in WRONG:
        assert part not in message, (part, message)


@pytest.mark.parametrize(("query", "wanted"), CASES)
def test_the_endpoint_names_the_invalid_iri(live_server, query, wanted):
    response = requests.post(f"{live_server.url}/sparql", data=query.encode("utf-8"), timeout=120,
                             headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 400, response.text
    _check(response.text, wanted)


@pytest.fixture(scope="module")
def unconfined(built_store):
    """The app with its query workers unconfined (`sandbox=off`): only the query checker reads a query that
    it cannot parse; the engine is never asked (store/query_worker.py `_refusal`)."""
    with serve(make_config(built_store, sandbox="off")) as server:
        yield server.base


@pytest.mark.parametrize(("query", "wanted"), CASES)
def test_the_endpoint_without_a_sandbox_names_the_invalid_iri(unconfined, query, wanted):
    response = requests.get(f"{unconfined}/sparql", params={"query": query}, timeout=120)
    assert response.status_code == 400, response.text
    _check(response.text, wanted)


@pytest.mark.parametrize(("query", "wanted"), CASES)
def test_luzhi_query_names_the_invalid_iri(built_store, query, wanted):
    luzhi = Path(sys.executable).with_name("luzhi")
    done = subprocess.run([str(luzhi), "query", query, "--store", str(built_store.path)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    message = done.stderr.partition("Error: ")[2].strip()
    _check(message, wanted)

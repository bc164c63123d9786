"""Every worked example on the query page runs on the bundled samples and returns something:
an example that drifts from the graph the ETL emits fails here, not in front of a reader."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import requests

from luzhi.ontology.namespaces import sparql_prologue
from luzhi.server.sparql.examples import EXAMPLES


def test_examples_have_unique_keys():
    assert len({e.key for e in EXAMPLES}) == len(EXAMPLES) >= 6


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.key for e in EXAMPLES])
def test_example_returns_results(live_server, example):
    response = requests.post(
        f"{live_server.url}/sparql",
        data={"query": sparql_prologue() + example.query},
        headers={"Accept": "application/sparql-results+json, application/n-triples;q=0.9"},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    if response.headers["Content-Type"].startswith("application/n-triples"):
        assert len(list(ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES))) > 0
    else:
        assert len(response.json()["results"]["bindings"]) > 0

"""`join_safe`: when a SHACL-SPARQL constraint may run once for all focus nodes (shapes/prebinding.py).

Each unsafe case is a query whose joined evaluation really differs from per-focus pre-binding.
"""

from __future__ import annotations

import pytest

from luzhi.shapes.prebinding import join_safe

PREFIX = "PREFIX ex: <http://example.org/>\n"


@pytest.mark.parametrize("query", [
    "SELECT $this ?value WHERE { $this ex:p ?value . FILTER NOT EXISTS { ?value ex:q $this } }",
    "SELECT $this (COUNT(?x) AS ?n) WHERE { $this ex:p ?x } GROUP BY $this HAVING (COUNT(?x) > 1)",
    "SELECT $this ?value WHERE { $this ex:p ?value OPTIONAL { ?value ex:q $this } }",
    "SELECT $this ?value WHERE { { $this ex:p ?value } UNION { $this ex:q ?value } }",
    "SELECT $this ?v WHERE { { SELECT $this (MAX(?x) AS ?v) WHERE { $this ex:p ?x } GROUP BY $this } }",
    "SELECT $this ?v WHERE { $this ex:p ?v . { SELECT ?v WHERE { ?v ex:q ?w } LIMIT 3 } }",
    "SELECT DISTINCT $this ?value WHERE { $this ex:p ?value . BIND (STR($this) AS ?s) } ORDER BY ?value",
    "SELECT $this ?v WHERE { $this ex:p ?v VALUES ?v { 1 2 } }",
], ids=["not-exists", "group-by-this", "optional-bound", "union-both", "subselect-projects", "independent-sub",
        "bind-after", "values-independent"])
def test_safe(query: str):
    assert join_safe(PREFIX + query)


@pytest.mark.parametrize("query", [
    "SELECT $this ?value WHERE { $this ex:p ?value } LIMIT 1",
    "SELECT $this (COUNT(?x) AS ?n) WHERE { $this ex:p ?x }",
    "SELECT $this ?v WHERE { ?v ex:p ?w OPTIONAL { ?w ex:q $this } }",
    "SELECT $this ?v WHERE { { $this ex:p ?v } UNION { ?v ex:q ?w } }",
    "SELECT $this ?v WHERE { $this ex:p ?v . { SELECT ?v WHERE { ?v ex:q $this } } }",
    "SELECT $this ?v WHERE { ?v ex:p ?w . FILTER (?w = $this) }",
    "SELECT $this ?v WHERE { $this ex:p ?v MINUS { ?v ex:q ?w } }",
    "SELECT $this ?v WHERE { GRAPH ?g { $this ex:p ?v } }",
    "SELECT $this ?v WHERE { $this ex:p ?v VALUES $this { ex:a } }",
    "SELECT $this ?v FROM <http://example.org/g> WHERE { $this ex:p ?v }",
    "SELECT ?v WHERE { $this ex:p ?v }",
    "SELECT $this ?v WHERE { ?v ex:p ?w . BIND (?w AS ?this) }",
], ids=["limit", "implicit-group", "optional-only", "union-one-side", "subselect-hides", "filter-unbound", "minus",
        "graph", "values", "from", "not-projected", "rebound"])
def test_unsafe(query: str):
    assert not join_safe(PREFIX + query)

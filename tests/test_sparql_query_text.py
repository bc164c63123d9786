"""The lexer-level look at queries for messages: undeclared prefixes (server/sparql/query_text.py)."""

from __future__ import annotations

import pytest

from luzhi.server.sparql.query_text import undeclared_prefixes


@pytest.mark.parametrize(("query", "missing"), [
    ("SELECT * WHERE { ?s skos:prefLabel ?o }", ("skos",)),
    ("PREFIX skos: <http://www.w3.org/2004/02/skos/core#> SELECT * WHERE { ?s skos:prefLabel ?o }", ()),
    ('SELECT * WHERE { ?s ?p "skos:prefLabel" . ?s <http://x/a:b> ?o } # dct:title', ()),  # string, IRI, comment
    ("SELECT * WHERE { ?s :p ?o ; a:b ?c }", ("", "a")),
    ("SELECT * WHERE { ?s dct:title ?o . ?o dct:x ?y }", ("dct",)),
    ("SELECT ?o WHERE { VALUES ?o { _:b } }", ()),  # a blank node label, not the prefix `:` (cold review)
    ("SELECT * WHERE { _:b1 :p ?o }", ("",)),
])
def test_undeclared_prefixes(query, missing):
    assert undeclared_prefixes(query) == missing

"""The lexer-level look at queries: form, own dataset, SERVICE targets, updates (server/sparql/query_text.py)."""

from __future__ import annotations

import pytest

from luzhi.server.sparql.query_text import inspect_query, undeclared_prefixes


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("SELECT * {}", "SELECT"),
        ("PREFIX ex: <http://e/>\nBASE <http://b/>\n# SELECT in a comment\nconstruct { ?s ?p ?o } {}", "CONSTRUCT"),
        ("ASK {}", "ASK"),
        ("PREFIX select: <http://e/> DESCRIBE select:x", "DESCRIBE"),
        ("nonsense", None),
    ],
)
def test_form(query, form):
    assert inspect_query(query).form == form


def test_keywords_in_strings_iris_and_comments_do_not_count():
    shape = inspect_query('SELECT * { ?s ?p "SERVICE <http://x/>" . ?s <http://e/SERVICE> ?o } # SERVICE <http://y/>')
    assert shape.service_targets == () and shape.unresolvable_services == ()
    assert inspect_query("SELECT * { ?s <http://e/p> '''FROM\nINSERT''' }").has_dataset is False


def test_less_than_is_not_an_iri():
    shape = inspect_query("SELECT * { ?s ?p ?o FILTER(?o < 3 && ?o > 1) SERVICE <http://x/> {} }")
    assert shape.service_targets == ("http://x/",)


def test_service_targets_resolved_through_prefixes():
    shape = inspect_query("PREFIX r: <http://remote.example/> SELECT * { SERVICE SILENT r:sparql { ?s ?p ?o } }")
    assert shape.service_targets == ("http://remote.example/sparql",)


@pytest.mark.parametrize("target", ["?endpoint", "<relative/path>", "unknown:prefix"])
def test_unresolvable_service_targets_are_reported(target):
    assert inspect_query(f"SELECT * {{ SERVICE {target} {{ }} }}").unresolvable_services == (target,)


def test_unicode_escaped_keyword_is_seen():
    assert inspect_query("SELECT * { \\u0053ERVICE <http://x/> {} }").service_targets == ("http://x/",)


@pytest.mark.parametrize("update", ["INSERT DATA {}", "delete where { ?s ?p ?o }", "LOAD <http://x/>", "CLEAR ALL",
                                    "PREFIX a: <http://a/> DROP GRAPH a:g", "WITH <http://g/> DELETE {} WHERE {}"])
def test_updates_are_recognised(update):
    assert inspect_query(update).update_keyword is not None
    assert inspect_query(update).form is None


def test_from_and_from_named_mark_an_own_dataset():
    assert inspect_query("SELECT * FROM <http://g/> { }").has_dataset
    assert inspect_query("SELECT * FROM NAMED <http://g/> { }").has_dataset
    assert not inspect_query("SELECT * { }").has_dataset


@pytest.mark.parametrize(("query", "missing"), [
    ("SELECT * WHERE { ?s skos:prefLabel ?o }", ("skos",)),
    ("PREFIX skos: <http://www.w3.org/2004/02/skos/core#> SELECT * WHERE { ?s skos:prefLabel ?o }", ()),
    ('SELECT * WHERE { ?s ?p "skos:prefLabel" . ?s <http://x/a:b> ?o } # dct:title', ()),  # string, IRI, comment
    ("SELECT * WHERE { ?s :p ?o ; a:b ?c }", ("", "a")),
    ("SELECT * WHERE { ?s dct:title ?o . ?o dct:x ?y }", ("dct",)),
])
def test_undeclared_prefixes(query, missing):
    assert undeclared_prefixes(query) == missing

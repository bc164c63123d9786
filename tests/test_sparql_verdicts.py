"""Verdicts remembered by template (store/verdicts.py, issue 13) are the real parser's verdict on every text.

A template is a query with its `<http(s)://…>` IRIs taken out; its verdict comes from rdflib's parse of a
stand-in text, and is then given to any query of the same template without parsing it. That is only
sound if `check_query` says exactly the same of every such query, so: over the SERVICE corpus, the worked
examples and queries written to confuse a lexer, every IRI of each query is replaced by tricky IRIs, and
`check_query` on the result must equal the remembered verdict; a query whose IRIs are not all read as
IRIs (inside a string, a comment, after a less-than) or that calls any SERVICE gets no template at all.
"""

from __future__ import annotations

import pytest
from sparql_server import fill_small_store
from test_sparql_check_reuse import QUERIES, job

from luzhi.ontology.namespaces import sparql_prologue
from luzhi.store.executor import QueryExecutor
from luzhi.store.service_check import QueryRefused, check_query
from luzhi.store.verdicts import Verdicts, check_templated, template_key

# IRIREF contents rdflib accepts, each chosen to mean something else to a careless reader.
TRICKY = [
    "http://127.0.0.1:9/sparql",
    "https://例子.测试/路径?q=1&x=y#frag",
    "http://x/a#b",  # a comment, to a lexer that forgets IRIs
    "http://x/(1);p=1,2",
    "https://x/#SERVICE",
    "http://x/*+!$%20",
    "http://",
]

CONFUSING = {
    "IRI inside a string": 'SELECT * { BIND("<http://a.example/>" AS ?x) ?s <http://b.example/p> ?o }',
    "IRI inside a comment": "SELECT * {\n  # <http://a.example/>\n  ?s <http://b.example/p> ?o }",
    "less-than then an IRI": "SELECT * { ?s ?p ?o FILTER(?o <http://a.example/> 3) }",
    "IRI right after a less-than": "SELECT * { ?s ?p ?o FILTER(?o<<http://a.example/>) }",
    "quoted-triple brackets": "SELECT * { << ?s <http://a.example/p> ?o >> ?q ?r }",
    "IRI with a \\u escape next to it": "SELECT * { ?s \\u003Chttp://a.example/p> ?o . ?s <http://b.example/> ?z }",
    "escaped # in a local name then an IRI": "PREFIX x: <http://e.example/> SELECT * { BIND(x:a\\#b AS ?q) "
                                             "?s <http://a.example/p> ?o }",
    "SERVICE by IRI": "SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s <http://a.example/p> ?o } }",
    "SERVICE by a prefixed name": "PREFIX r: <http://127.0.0.1:9/> SELECT * { SERVICE r:sparql { ?s ?p ?o } }",
    "SERVICE by a variable": "SELECT * { VALUES ?e { <http://127.0.0.1:9/sparql> } SERVICE ?e { ?s ?p ?o } }",
    "FROM": "SELECT * FROM <http://a.example/g> { ?s ?p ?o }",
    "a lookup": sparql_prologue() + "SELECT ?t ?c WHERE { <http://127.0.0.1:5000/id/duty/1> dct:title ?t "
                                    "OPTIONAL { <http://127.0.0.1:5000/id/duty/1> lz:category ?c } }",
}
ALL = {**QUERIES, **CONFUSING}


def substituted(key: tuple[str, ...], iri: str) -> str:
    return "".join(part + (f"<{iri}>" if n < len(key) - 1 else "") for n, part in enumerate(key))


def verdict(text: str):
    try:
        return check_query(text)
    except QueryRefused as refusal:
        return ("refused", refusal.status)


@pytest.mark.parametrize("name", list(ALL))
def test_a_template_verdict_is_the_checkers_on_every_text_of_the_template(name):
    text = ALL[name]
    try:
        check, template = check_templated(text)
    except QueryRefused as refusal:
        assert verdict(text) == ("refused", refusal.status)
        return
    assert check == check_query(text)
    if not template:
        return
    assert not check.services and not check.unresolvable
    verdicts = Verdicts()
    verdicts.remember(text, check, template=True)
    key = template_key(text)
    for iri in TRICKY:
        other = substituted(key, iri)
        assert template_key(other) == key
        assert verdicts.get(other) == check == verdict(other), (name, iri)


@pytest.mark.parametrize("name", ["IRI inside a string", "IRI inside a comment", "SERVICE by IRI",
                                  "SERVICE by a prefixed name", "SERVICE by a variable"])
def test_no_template_where_an_iri_is_not_read_as_one_or_a_service_is_called(name):
    text = ALL[name]
    try:
        _check, template = check_templated(text)
    except QueryRefused:
        return
    assert not template


def test_every_corpus_query_that_calls_a_service_gets_no_template():
    for name, text in QUERIES.items():
        if not name.startswith("corpus: "):
            continue
        try:
            check, template = check_templated(text)
        except QueryRefused:
            continue
        assert not (template and (check.services or check.unresolvable)), name


# Helper attack13 (session 13): a forged sentinel (`luzhi\u002Einvalid` is `luzhi.invalid` to the parser)
# supplied the one a slot inside a '…' string did not, and `'` in that slot ended the string in the real text
# only: the SERVICE the stand-in held in a string ran.
FORGED = ("PREFIX p: <http://127.0.0.1:9/> SELECT * {{ BIND(<http://luzhi{dot}invalid/slot/1> AS ?w) "
          "FILTER('<http://x'> '!=' ) SERVICE p:sparql {{?a ?b ?c}} FILTER(1< '#'||1)FILTER(1\n) }}")


@pytest.mark.parametrize("dot", ["\\u002E", "\\u002e", "\\U0000002E"])
def test_a_forged_sentinel_and_a_quote_in_an_iri_get_no_template(dot):
    text = FORGED.format(dot=dot)
    assert check_query(text).services == ("http://127.0.0.1:9/sparql",)
    check, template = check_templated(text)
    assert check.services == ("http://127.0.0.1:9/sparql",) and not template


def test_an_iri_with_a_quote_is_not_a_slot():
    """`'` ends a '…' string: a slot holding it would not mean the same in every context (verdicts.py)."""
    assert template_key("SELECT * { ?s <http://x/'> ?o . ?s <http://y/> ?z }") == (
        "SELECT * { ?s <http://x/'> ?o . ?s ", " ?z }")


def test_a_text_naming_the_sentinel_has_no_template():
    assert template_key("SELECT * { ?s <http://luzhi.invalid/slot/0> ?o }") is None
    assert template_key("SELECT * { ?s ?p ?o }") is None  # no IRI to take out
    assert template_key("ASK { <http://a.example/> ?p ?o } #" + "x" * 20_000) is None  # too long to keep


def test_a_pool_checks_a_lookup_once_and_answers_lookups_of_other_iris_with_that_verdict(tmp_path):
    executor = QueryExecutor(fill_small_store(tmp_path / "store"), processes=1, timeout=30)

    def lookup(n: int) -> str:
        return sparql_prologue() + f"SELECT ?l WHERE {{ <http://example.org/doc/{n}> rdfs:label ?l }}"

    try:
        first = executor.run(job(lookup(1)))
        assert first.status == "ok" and first.template
        assert executor.verdicts.get(lookup(2)) == first.check == check_query(lookup(2))
        second = executor.run(job(lookup(2)))
        assert second.status == "ok" and second.check == first.check
        assert "文档2".encode() in second.body and "文档1".encode() in first.body  # each for its own IRI
        service = "SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
        assert executor.run(job(service)).status == "refused"
        assert executor.verdicts.get(service.replace("127.0.0.1:9", "127.0.0.1:10")) is None
    finally:
        executor.close()

"""The SPARQL checker's shortcuts (issue 13) give exactly its whole grammar's parse and verdict.

store/service_check.py reuses the parse of a PREFIX prologue it has seen, and store/executor.py the
verdict its workers gave a query text before. Both must change nothing: the same parse tree as the
whole grammar's (store/sparql_grammar.py: rdflib's, mended; tests/test_sparql_grammar.py holds it to
rdflib's) for every query of the SERVICE corpus and the worked examples, behind a fresh and behind a
remembered prologue; a prologue that is only the start of the query's own (one more
PREFIX) still resolves every SERVICE; syntax errors keep their line and column in the whole query.
"""

from __future__ import annotations

import re

import pytest
from pyparsing import ParseException
from sparql_server import fill_small_store
from test_sparql_service_differential import CORPUS

from luzhi.ontology.namespaces import sparql_prologue
from luzhi.server.sparql.examples import EXAMPLES
from luzhi.store.executor import QueryExecutor
from luzhi.store.query_worker import Job
from luzhi.store.service_check import (
    MAX_NESTING,
    QueryRefused,
    _forms_for,
    as_the_engine_lexes,
    check_query,
    parse_query,
    refuse_deep_nesting,
)
from luzhi.store.sparql_grammar import forms_without_comments, grammar
from luzhi.store.verdicts import Verdicts

URL = "http://127.0.0.1:9/sparql"


def fill(template: str) -> str:
    return (template.replace("{url}", URL).replace("{root}", "http://127.0.0.1:9")
            .replace("{escaped}", URL.replace("sparql", "\\u0073parql")))


QUERIES = {
    **{f"corpus: {name}": fill(text) for name, text in CORPUS.items() if name != "LOAD is an update"},
    **{f"example: {e.key}": sparql_prologue() + e.query for e in EXAMPLES},
    "comment before the prologue": "# hello\n" + sparql_prologue() + "SELECT * { ?s dct:title ?t }",
    "comment after the prologue": sparql_prologue() + "# PREFIX x: <http://x/>\nASK { ?s ?p ?o }",
    "\\u escape in the prologue": "PREFIX e: <http://example.org/\\u0061/>\nSELECT * { ?s e:p ?o }",
    "BASE and PREFIX": "BASE <http://example.org/>\nPREFIX : <a/>\nSELECT * { <s> :p ?o }",
    "no space after the prologue": "PREFIX a: <http://x/>SELECT * { ?s a:p ?o }",
}


def shape(tree) -> str:
    """The tree's repr, fresh blank-node labels ([] and ( ) get new ones per parse) numbered in order."""
    labels: dict[str, str] = {}
    return re.sub(r"BNode\('([^']*)'\)", lambda m: labels.setdefault(m.group(1), f"BNode({len(labels)})"),
                  repr(tree))


def whole(text: str):
    """The query parsed whole by the checker's grammar (store/sparql_grammar.py), no shortcut taken: what
    the checker reads once CR and \\u escapes are as the engine lexes them (service_check.py)."""
    return grammar().query.parse_string(as_the_engine_lexes(text), parse_all=True)


@pytest.mark.parametrize("name", list(QUERIES))
def test_the_parse_is_the_whole_grammars_behind_a_fresh_and_a_remembered_prologue(name):
    text = QUERIES[name]
    try:
        reference = whole(text)
    except ParseException:  # the grammar cannot read it: neither may the shortcut
        for _attempt in ("first", "prologue remembered"):
            with pytest.raises(ParseException):
                parse_query(text)
        return
    for attempt in ("first", "prologue remembered"):
        prologue, query = parse_query(text)
        assert shape(prologue) == shape(reference[0]), (name, attempt)
        assert shape(query) == shape(reference[1]), (name, attempt)


def test_the_grammar_copy_without_comment_skipping_parses_every_text_without_a_hash_as_the_grammar_does():
    """store/service_check.py parses a body without `#` with a copy of the grammar that skips no comments."""
    prologue = grammar().prologue
    bodies = [text[prologue.parse_string(text)["locn_end"]:] for text in QUERIES.values() if "\\u" not in text]
    plain = [body for body in bodies if "#" not in body]
    assert len(plain) >= 20  # the examples and most of the corpus: the copy is really exercised
    for body in plain:
        try:
            reference = shape(grammar().forms.parse_string(body, parse_all=True)[0])
        except ParseException:
            with pytest.raises(ParseException):
                forms_without_comments().parse_string(body, parse_all=True)
            continue
        assert shape(forms_without_comments().parse_string(body, parse_all=True)[0]) == reference, body
    commented = "SELECT * { ?s ?p ?o # } \n }"
    assert _forms_for(commented) is grammar().forms and shape(parse_query(commented)[1]) == shape(whole(commented)[1])


def test_a_remembered_prologue_followed_by_one_more_prefix_still_names_the_service():
    """Were the cached prologue taken as the whole one, `r:` would be undeclared (or worse, missed)."""
    head = "PREFIX a: <http://example.org/a/>\n"
    parse_query(head + "SELECT * { ?s a:p ?o }")  # remembers `head` as a prologue
    query = head + "PREFIX r: <http://127.0.0.1:9/>\nSELECT * { SERVICE r:sparql { ?s ?p ?o } }"
    assert shape(parse_query(query)[1]) == shape(whole(query)[1])
    assert check_query(query).services == (URL,)


def test_a_syntax_error_behind_a_remembered_prologue_names_its_line_in_the_whole_query():
    parse_query(sparql_prologue() + "ASK {}")
    bad = sparql_prologue() + "SELECT * {\n  ?s dct:title\n}"
    with pytest.raises(ParseException) as reference:
        whole(bad)
    with pytest.raises(QueryRefused) as refused:
        check_query(bad)
    assert f"(line {reference.value.lineno}, column {reference.value.col})" in refused.value.message
    assert reference.value.lineno > sparql_prologue().count("\n")  # past the prologue, not relative to the body


def test_a_pool_remembers_the_verdict_on_a_text_and_never_a_refusal(tmp_path):
    """store/executor.py: each text is parsed once per pool; the check travels with the next job."""
    executor = QueryExecutor(fill_small_store(tmp_path / "store"), processes=2, timeout=30)
    try:
        text = sparql_prologue() + "SELECT ?l WHERE { <http://example.org/doc/1> rdfs:label ?l }"
        first = executor.run(job(text))
        assert first.status == "ok" and executor.verdicts.get(text) == first.check == check_query(text)
        again = [executor.run(job(text)) for _ in range(4)]  # both workers, the check sent along
        assert {(a.status, a.body) for a in again} == {(first.status, first.body)}
        for refused in ("INSERT DATA { <http://x/s> <http://x/p> 1 }", "SELECT * { SERVICE <http://127.0.0.1:9/> {} }",
                        "SELECT * WHERE { ?s ?p }"):
            assert executor.run(job(refused)).status in ("refused", "syntax")
            assert executor.verdicts.get(refused) is None, refused
    finally:
        executor.close()


def test_the_verdicts_kept_are_bounded_in_number_and_size():
    verdicts = Verdicts()
    check = check_query("ASK {}")
    verdicts.remember("ASK { } #" + "x" * 20_000, check)
    assert verdicts.get("ASK { } #" + "x" * 20_000) is None  # too long to keep
    texts = [f"ASK {{}} # {n}" for n in range(600)]
    for text in texts:
        verdicts.remember(text, check)
    assert verdicts.get(texts[0]) is None and verdicts.get(texts[-1]) is check
    assert sum(verdicts.get(t) is not None for t in texts) == 512


def job(text: str) -> Job:
    return Job(query=text, protocol_dataset=False, default_graphs=(), named_graphs=(), results_serializer="JSON",
               graph_serializer="TURTLE", max_rows=100)


@pytest.mark.parametrize("unary", ["", "!"])
def test_the_nesting_precheck_refuses_from_one_level_past_the_limit_and_no_sooner(unary):
    """The count of brackets and unary operators bounds the depth: below it the scan is skipped."""
    def nested(levels: int) -> str:
        return "ASK { FILTER(" + f"{unary}(" * (levels - 1) + "true" + ")" * levels + " }"

    # depth = "{" + the FILTER's "(" + 1 or 2 per inner "(" (its unary operator counts too)
    inner = MAX_NESTING - 1 if not unary else MAX_NESTING // 2
    refuse_deep_nesting(nested(inner))  # exactly MAX_NESTING deep
    with pytest.raises(QueryRefused):
        refuse_deep_nesting(nested(inner + 1))
    flat = "SELECT * { " + " ".join(["{ ?s ?p ?o }"] * (MAX_NESTING + 500)) + " }"  # many brackets, shallow
    refuse_deep_nesting(flat)

"""RDF answers are sorted, grouped by subject and declare only the prefixes they use; JSON-LD is compacted
(issue 11: the VoID Turtle was unsorted with ~30 unused prefixes such as brick: and sosa:)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pyoxigraph as ox
import pytest
import requests

from luzhi.ontology.namespaces import PREFIXES
from luzhi.store.formats import serialise, used_prefixes

TOWNSHIP = "140226207"
TURTLE_URLS = [
    "/.well-known/void",
    "/def.ttl",
    f"/doc/duty/{TOWNSHIP}/basic/1.ttl",
    f"/doc/division/{TOWNSHIP}.ttl",
    f"/graph/{TOWNSHIP}.ttl",
    "/sparql?query=" + requests.utils.quote("CONSTRUCT { ?s ?p ?o } WHERE { ?s a <https://w3id.org/luzhi/def#Duty> ; "
                                            "?p ?o } LIMIT 300"),
    "/sparql",  # the Service Description
]
PREFIX_LINE = re.compile(r"^@prefix ([A-Za-z][\w.-]*)?: <([^>]*)> \.$")


def _turtle(url: str) -> str:
    response = requests.get(url, headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/turtle"), url
    return response.text


@pytest.mark.parametrize("path", TURTLE_URLS, ids=lambda p: p.split("?")[0])
def test_turtle_declares_only_the_prefixes_it_uses(live_server, path):
    text = _turtle(live_server.url + path)
    declared = [PREFIX_LINE.match(line) for line in text.splitlines() if line.startswith("@prefix")]
    assert declared and all(declared)
    body = "\n".join(line for line in text.splitlines() if not line.startswith("@prefix"))
    for match in declared:
        assert re.search(rf"(?<![\w:/.#-]){re.escape(match.group(1))}:", body), f"{path}: unused {match.group(1)}:"


@pytest.mark.parametrize("path", TURTLE_URLS, ids=lambda p: p.split("?")[0])
def test_turtle_is_grouped_by_subject_and_sorted(live_server, path):
    text = _turtle(live_server.url + path)
    triples = list(ox.parse(text.encode(), format=ox.RdfFormat.TURTLE))
    # Each subject is written once (a statement per subject, its triples joined by `;` and `,`) …
    statements = [line for line in text.splitlines() if line and not line.startswith(("@prefix", "\t", " "))]
    subjects = {t.subject for t in triples}
    assert len(statements) == len(subjects), path
    # … and named subjects come in IRI order.
    order = [t.subject.value for t in triples if isinstance(t.subject, ox.NamedNode)]
    firsts = list(dict.fromkeys(order))
    assert firsts == sorted(firsts)


def test_void_turtle_is_the_same_graph_as_its_n_triples(live_server):
    turtle = set(ox.parse(_turtle(live_server.url + "/.well-known/void").encode(), format=ox.RdfFormat.TURTLE))
    nt = requests.get(live_server.url + "/.well-known/void.nt").content
    assert {t for t in turtle if not isinstance(t.object, ox.BlankNode)} == {
        t for t in ox.parse(nt, format=ox.RdfFormat.N_TRIPLES) if not isinstance(t.object, ox.BlankNode)}
    assert "brick:" not in _turtle(live_server.url + "/.well-known/void")


@pytest.mark.parametrize("path", [f"/doc/duty/{TOWNSHIP}/basic/1.jsonld", "/.well-known/void.jsonld",
                                  f"/graph/{TOWNSHIP}.jsonld"])
def test_jsonld_is_compacted_with_the_prefixes_it_uses(live_server, path):
    response = requests.get(live_server.url + path)
    assert response.headers["Content-Type"].startswith("application/ld+json")
    document = response.json()
    context = document["@context"]
    assert context and all(ns == str(PREFIXES[name]) for name, ns in context.items() if name in PREFIXES)
    text = json.dumps(document["@graph"], ensure_ascii=False)
    for name in context:
        assert f'"{name}:' in text, f"{path}: unused {name} in @context"
    # Compacted, and still the same triples as the N-Triples twin (each names itself as the document).
    twin_url = live_server.url + path.removesuffix(".jsonld") + ".nt"
    parsed = _named(ox.parse(response.content, format=ox.RdfFormat.JSON_LD), live_server.url + path)
    expected = _named(ox.parse(requests.get(twin_url).content, format=ox.RdfFormat.N_TRIPLES), twin_url)
    assert parsed == expected and len(parsed) > 10


def _named(quads, document: str) -> set[tuple[str, str, str]]:
    """Triples without blank nodes, the document's own IRI replaced by a placeholder."""
    return {tuple("DOC" if term.value == document else str(term) for term in (q.subject, q.predicate, q.object))
            for q in quads if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode)}


XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@pytest.mark.parametrize(("literal", "needs_xsd"), [
    (ox.Literal("1125", datatype=ox.NamedNode(XSD + "integer")), False),  # written 1125
    (ox.Literal("1.5", datatype=ox.NamedNode(XSD + "decimal")), False),
    (ox.Literal("1e3", datatype=ox.NamedNode(XSD + "double")), False),
    (ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")), False),
    (ox.Literal("x"), False),
    (ox.Literal("x", language="zh"), False),
    (ox.Literal("1", datatype=ox.NamedNode(XSD + "decimal")), True),  # not DECIMAL syntax: written typed
    (ox.Literal("2025-06-30", datatype=ox.NamedNode(XSD + "date")), True),
    (ox.Literal("12", datatype=ox.NamedNode(XSD + "nonNegativeInteger")), True),
])
def test_xsd_is_declared_exactly_when_a_datatype_is_written(literal, needs_xsd):
    triple = ox.Triple(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"), literal)
    prefixes = {"xsd": XSD, "ex": "http://example.org/"}
    assert ("xsd" in used_prefixes([triple], prefixes)) is needs_xsd
    text = serialise([triple], ox.RdfFormat.TURTLE, prefixes).decode()
    assert ("xsd:" in text.split("\n", 2)[-1] or "xsd:" in text.splitlines()[-1]) is needs_xsd


NAMESPACES = {  # nested, sharing a stem, ending in neither separator, a '#' before a '/'
    "a": "http://example.org/a/", "ab": "http://example.org/a/b/", "h": "http://example.org/a#",
    "dash": "http://example.org/x-", "root": "http://example.org/", "other": "http://example.com/",
}
IRIS = ["http://example.org/a/b/c", "http://example.org/a/bc", "http://example.org/a#b/c", "http://example.org/x-1",
        "http://example.org/x", "http://example.org/", "http://example.net/a/b/c", "urn:x:y", "http://example.org/a/b/"]


@pytest.mark.parametrize("iri", IRIS)
def test_a_prefix_is_used_exactly_when_its_namespace_starts_an_iri(iri):
    """`used_prefixes` matches namespaces by the IRI's stem (issue 13): the same answer as `startswith` on
    every pair, for nested namespaces, one not ending in `/` or `#`, and a `#` before a `/`."""
    triple = ox.Triple(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.NamedNode(iri))
    expected = {name for name, ns in NAMESPACES.items() if iri.startswith(ns)}
    assert set(used_prefixes([triple], NAMESPACES)) == expected


def test_pages_declare_the_prefixes_of_every_namespace_they_use(live_server):
    """On real pages' triples, the stems give what testing every namespace against every IRI gives."""
    prefixes = {name: str(ns) for name, ns in PREFIXES.items()} | {"base": live_server.url + "/id/"}
    for path in TURTLE_URLS[:5]:
        triples = list(ox.parse(_turtle(live_server.url + path).encode(), format=ox.RdfFormat.TURTLE))
        iris = {term.value for t in triples for term in (t.subject, t.object) if isinstance(term, ox.NamedNode)}
        iris |= {t.predicate.value for t in triples if t.predicate.value != RDF_TYPE}  # rdf:type is written `a`
        expected = {name for name, ns in prefixes.items() if any(iri.startswith(ns) for iri in iris)}
        assert set(used_prefixes(triples, prefixes)) - {"xsd"} == expected - {"xsd"}, path



# Forty subjects, three properties, several values each: what rdflib keeps in sets.
_TRIPLES = """
ex = "http://example.org/"
triples = [ox.Triple(ox.NamedNode(f"{ex}s{n}"), ox.NamedNode(f"{ex}p{n % 3}"), value)
           for n in range(40) for value in (ox.NamedNode(f"{ex}o{n % 7}"), ox.NamedNode(f"{ex}o{n % 5}"),
                                            ox.Literal(f"值{n}", language="zh"), ox.Literal(str(n % 4)))]
"""
_WRITE_JSONLD = ("import sys\nimport pyoxigraph as ox\nfrom luzhi.store.formats import serialise\n" + _TRIPLES
                 + "sys.stdout.buffer.write(serialise(triples, ox.RdfFormat.JSON_LD, {'ex': ex}))\n")


def test_jsonld_bytes_do_not_depend_on_the_process_hash_seed():
    """Two gunicorn workers wrote one duty's JSON-LD in different orders under one ETag: rdflib orders
    `@graph` and a property's values as its sets iterate (issue 13, found comparing bodies across processes)."""
    written = {seed: subprocess.run([sys.executable, "-c", _WRITE_JSONLD], check=True, capture_output=True,
                                    env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2", "3")}
    assert written["1"] == written["2"] == written["3"]
    assert len(json.loads(written["1"])["@graph"]) == 40
    scope = {"ox": ox}
    exec(_TRIPLES, scope)
    parsed = {quad.triple for quad in ox.parse(written["1"], format=ox.RdfFormat.JSON_LD)}
    assert parsed == set(scope["triples"])  # the same graph

"""RemoteStore against a real Virtuoso (tests/virtuoso.py starts a private one for the session).

Each test writes its own graphs (unique IRIs), so the order of tests does not matter.
"""

from __future__ import annotations

import csv
import io
import json
import socket
import uuid
import warnings

import pyoxigraph as ox
import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, XSD
from virtuoso import virtuoso  # noqa: F401  (the session fixture)

from luzhi.ontology.namespaces import LZ
from luzhi.store.open import open_store
from luzhi.store.oxigraph import OxigraphStore
from luzhi.store.remote import (
    STAGING_PREFIX,
    RemoteEndpoints,
    RemoteQueryError,
    RemoteQueryTimeout,
    RemoteResultTruncated,
    RemoteStore,
    RemoteStoreError,
    UnsupportedFormat,
    is_timeout_message,
)

EX = "http://127.0.0.1:5000/id/test/"


@pytest.fixture(scope="module")
def store(virtuoso):  # noqa: F811
    remote = RemoteStore(RemoteEndpoints.virtuoso(virtuoso.http_url, virtuoso.user, virtuoso.password))
    yield remote
    remote.close()


@pytest.fixture(scope="module")
def document_graph() -> Graph:
    """The graph the real ETL emits for one bundled document (zh titles, integers, booleans …)."""
    from luzhi.etl.build import BuildOptions, bundled_documents, process_document

    _, _, graph, _ = process_document(bundled_documents()[0], BuildOptions(base="http://127.0.0.1:5000"))
    return graph


def fresh_graph() -> str:
    return f"http://127.0.0.1:5000/graph/test-{uuid.uuid4().hex}"


def _serialized(store: RemoteStore, *args, **kwargs) -> tuple[bytes, str]:
    result = store.query_result(*args, **kwargs)
    return result.body, result.mime


def graph_of(store: RemoteStore, iri: str) -> Graph:
    return store.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}")


def small_graph(tag: str, n: int) -> Graph:
    graph = Graph()
    for i in range(n):
        duty = URIRef(f"{EX}{tag}/{i}")
        graph.add((duty, DCTERMS.title, Literal(f"{tag} 组织开展农村人居环境整治 {i}", lang="zh")))
        graph.add((duty, LZ.sequence, Literal(i, datatype=XSD.integer)))
    return graph


def test_document_graph_round_trips_isomorphic(store, document_graph):
    iri = fresh_graph()
    store.replace_graph(iri, document_graph)
    back = graph_of(store, iri)
    assert len(back) == len(document_graph) > 1000
    assert isomorphic(back, document_graph)


def test_literals_keep_language_datatype_and_value(store):
    iri = fresh_graph()
    s = URIRef(f"{EX}literals")
    blank = BNode()
    sent = Graph()
    sent.add((s, DCTERMS.title, Literal("协助开展耕地保护工作", lang="zh")))
    sent.add((s, LZ.sequence, Literal(42)))
    sent.add((s, LZ.discontinued, Literal(True)))
    sent.add((s, LZ.declaredCount, Literal("0", datatype=XSD.integer)))
    sent.add((s, LZ.note, Literal("plain 文本")))
    sent.add((s, LZ.part, blank))
    sent.add((blank, DCTERMS.title, Literal("空白节点", lang="zh")))
    store.replace_graph(iri, sent)
    assert isomorphic(graph_of(store, iri), sent)

    rows = store.select(f"SELECT ?p ?o WHERE {{ GRAPH <{iri}> {{ <{s}> ?p ?o }} }}")
    by_predicate = {row["p"]: row["o"] for row in rows}
    title = by_predicate[DCTERMS.title]
    assert (str(title), title.language, title.datatype) == ("协助开展耕地保护工作", "zh", None)
    assert by_predicate[LZ.sequence] == Literal(42) and by_predicate[LZ.sequence].value == 42
    assert by_predicate[LZ.discontinued].datatype == XSD.boolean and by_predicate[LZ.discontinued].value is True
    assert by_predicate[LZ.note] == Literal("plain 文本")  # no xsd:string datatype sneaks in
    assert isinstance(by_predicate[LZ.part], BNode)
    # FILTERs on typed values work on the remote as they do locally
    assert store.ask(f"ASK {{ GRAPH <{iri}> {{ <{s}> <{LZ.sequence}> ?n FILTER(?n = 42) }} }}")
    assert store.ask(f"ASK {{ GRAPH <{iri}> {{ <{s}> <{LZ.discontinued}> true }} }}")
    assert store.ask(f'ASK {{ GRAPH <{iri}> {{ ?x ?p "协助开展耕地保护工作"@zh }} }}')


def test_replace_leaves_no_old_triples(store):
    iri = fresh_graph()
    old, new = small_graph("old", 300), small_graph("new", 120)
    store.replace_graph(iri, old)
    assert store.count_triples(iri) == len(old)
    store.replace_graph(iri, new)
    assert isomorphic(graph_of(store, iri), new)
    # nothing of the old graph anywhere, not even in the union default graph
    assert not store.ask(f'ASK {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{EX}old/")) }}')
    # and no staging graph left behind
    staging = f'FILTER(STRSTARTS(STR(?g), "{STAGING_PREFIX}"))'
    raw = store.select(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {staging} }}")
    assert raw == []


def test_replace_with_nothing_drops_the_graph(store):
    iri = fresh_graph()
    store.replace_graph(iri, small_graph("gone", 5))
    assert iri in store.graph_names()
    store.replace_graph(iri, [])
    assert store.count_triples(iri) == 0
    assert iri not in store.graph_names()


def test_default_graph_is_the_union_of_named_graphs(store):
    a, b = fresh_graph(), fresh_graph()
    tag = uuid.uuid4().hex
    store.replace_graph(a, small_graph(f"{tag}a", 10))
    store.replace_graph(b, small_graph(f"{tag}b", 7))
    rows = store.select(
        f'SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{EX}{tag}")) }}'
    )
    assert int(rows[0]["n"]) == 17


def test_graph_names_lists_ours_not_virtuoso_system_graphs(store):
    iri = fresh_graph()
    store.replace_graph(iri, small_graph("names", 3))
    names = store.graph_names()
    assert iri in names
    assert names == sorted(names)
    assert not [g for g in names if g.startswith("http://www.openlinksw.com/") or g.startswith(STAGING_PREFIX)]
    # the system graphs are really there (so the filter is doing something)
    assert store.ask("ASK { GRAPH <http://www.openlinksw.com/schemas/virtrdf#> { ?s ?p ?o } }")


def test_graph_names_pages_past_the_row_cap(virtuoso):  # noqa: F811
    """graph_names pages by key; with a page of 1000, 1,100 graphs need two pages."""
    remote = RemoteStore(RemoteEndpoints.virtuoso(virtuoso.http_url, virtuoso.user, virtuoso.password))
    tag = uuid.uuid4().hex
    # One GSP request per graph would take long; a single update writes 1,100 small graphs.
    quads = "\n".join(
        f"GRAPH <http://127.0.0.1:5000/graph/page-{tag}-{i:04d}> {{ <{EX}p{i}> <{LZ.sequence}> {i} }}"
        for i in range(1100)
    )
    for start in range(0, 1100, 250):
        chunk = "\n".join(quads.splitlines()[start : start + 250])
        remote._update(f"INSERT DATA {{ {chunk} }}")
    names = [g for g in remote.graph_names() if f"page-{tag}" in g]
    assert len(names) == 1100
    remote.close()


@pytest.mark.parametrize(
    "mime",
    ["application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values"],
)
def test_query_serialized_solutions(store, mime):
    iri = fresh_graph()
    s = URIRef(f"{EX}ser/{uuid.uuid4().hex}")
    sent = Graph()
    sent.add((s, DCTERMS.title, Literal("负责辖区内安全生产", lang="zh")))
    sent.add((s, LZ.sequence, Literal(7)))
    sent.add((s, LZ.part, BNode()))
    store.replace_graph(iri, sent)
    body, got = _serialized(store, f"SELECT ?p ?o WHERE {{ <{s}> ?p ?o }} ORDER BY ?p", mime, default_graphs=[iri])
    assert got == mime
    if mime == "text/csv":  # lossy by design (SPARQL 1.1 CSV): plain strings, no pyoxigraph parser
        rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
        assert rows[0] == ["p", "o"]
        csv_values = dict(rows[1:])
        assert csv_values[str(DCTERMS.title)] == "负责辖区内安全生产" and csv_values[str(LZ.sequence)] == "7"
        assert csv_values[str(LZ.part)].startswith("_:")
        return
    parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.from_media_type(mime))
    values = {row["p"].value: row["o"] for row in parsed}
    assert set(values) == {str(DCTERMS.title), str(LZ.sequence), str(LZ.part)}
    assert values[str(DCTERMS.title)] == ox.Literal("负责辖区内安全生产", language="zh")
    assert isinstance(values[str(LZ.part)], ox.BlankNode)
    if mime in ("application/sparql-results+json", "application/sparql-results+xml"):
        assert values[str(DCTERMS.title)] == ox.Literal("负责辖区内安全生产", language="zh")
        assert values[str(LZ.sequence)] == ox.Literal("7", datatype=ox.NamedNode(str(XSD.integer)))
    if mime == "application/sparql-results+json":
        # the SPARQL 1.1 JSON shape: "literal" + datatype, never Virtuoso's old "typed-literal"
        assert "typed-literal" not in body.decode()
        assert json.loads(body)["head"]["vars"] == ["p", "o"]


@pytest.mark.parametrize(
    "mime",
    [
        "text/turtle",
        "application/n-triples",
        "application/rdf+xml",
        "application/ld+json",
        "application/n-quads",
        "application/trig",
    ],
)
def test_query_serialized_triples(store, document_graph, mime):
    iri = fresh_graph()
    store.replace_graph(iri, document_graph)
    body, got = _serialized(store, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", mime, default_graphs=[iri])
    assert got == mime
    formats = {"application/n-quads": "nquads", "application/trig": "trig", "application/ld+json": "json-ld"}
    back = Graph()
    with warnings.catch_warnings():
        # rdflib's own quad parsers use its deprecated ConjunctiveGraph internally (rdflib 7.x)
        warnings.simplefilter("ignore", DeprecationWarning)
        if mime in ("application/n-quads", "application/trig"):
            dataset = Dataset()
            dataset.parse(io.BytesIO(body), format=formats[mime])
            for s, p, o, _ in dataset.quads():
                back.add((s, p, o))
        else:
            back.parse(io.BytesIO(body), format=formats.get(mime, mime))
    # JSON-LD included: Virtuoso's own JSON-LD writer drops language tags, ours must not
    assert isomorphic(back, document_graph)


def test_query_serialized_named_graphs(store):
    a, b = fresh_graph(), fresh_graph()
    store.replace_graph(a, small_graph("na", 2))
    store.replace_graph(b, small_graph("nb", 3))
    body, _ = _serialized(store,
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
        "application/sparql-results+json",
        named_graphs=[b],
    )
    bindings = json.loads(body)["results"]["bindings"]
    assert [(r["g"]["value"], r["n"]["value"]) for r in bindings] == [(b, "6")]


def test_query_serialized_refuses_mismatched_format(store):
    with pytest.raises(UnsupportedFormat):
        _serialized(store, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1", "text/csv")
    with pytest.raises(UnsupportedFormat):
        _serialized(store, "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "text/turtle")


def test_ask_serialized(store):
    body, mime = _serialized(store, "ASK { ?s ?p ?o }", "application/sparql-results+json")
    assert json.loads(body)["boolean"] is True and mime == "application/sparql-results+json"


def test_bad_query_gives_the_parser_message_and_the_store_still_works(store):
    with pytest.raises(RemoteQueryError) as caught:
        store.select("SELEKT ?s WHERE { ?s ?p ?o }")
    assert "SELEKT" in str(caught.value) and "syntax error" in str(caught.value)
    assert store.ask("ASK { ?s ?p ?o }")


def test_updates_are_refused_through_queries(store):
    iri = fresh_graph()
    with pytest.raises(RemoteQueryError):
        _serialized(store, f"INSERT DATA {{ GRAPH <{iri}> {{ <{EX}x> <{EX}y> 1 }} }}", "text/csv")
    with pytest.raises(RemoteQueryError):
        store.select(f"DROP GRAPH <{iri}>")
    assert store.count_triples(iri) == 0


def test_row_cap_is_an_error_never_a_cut_result(store, virtuoso):  # noqa: F811
    """Virtuoso stops at ResultSetMaxRows (10,000 here) and says so only in a header."""
    iri = fresh_graph()
    store.replace_graph(iri, small_graph("cap", 60))  # 120 triples → 14,400 rows joined with itself
    query = f"SELECT ?a ?b WHERE {{ GRAPH <{iri}> {{ ?a ?p ?x . ?b ?q ?y }} }}"
    with pytest.raises(RemoteResultTruncated, match=str(virtuoso.result_set_max_rows)):
        store.select(query)
    with pytest.raises(RemoteResultTruncated):
        _serialized(store, query, "text/csv")
    assert len(store.select(query + " LIMIT 9000")) == 9000


def test_timeout_stops_an_expensive_query_with_an_error(store):
    """A three-way cross join of 4,000 triples (6.4e10 rows): Virtuoso stops it at the limit and
    answers a partial count, flagged only in X-SQL-State; we must raise, not pass the count on."""
    iri = fresh_graph()
    store.replace_graph(iri, small_graph("slow", 2000))
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{iri}> {{ ?a ?p ?b . ?c ?q ?d . ?e ?r ?f }} }}"
    with pytest.raises(RemoteQueryTimeout):
        _serialized(store, query, "application/sparql-results+json", timeout=1)
    assert store.ask("ASK { ?s ?p ?o }")  # and the remote answers the next query


def test_failed_load_keeps_the_old_graph(store, virtuoso):  # noqa: F811
    iri = fresh_graph()
    old = small_graph("kept", 10)
    store.replace_graph(iri, old)
    wrong = RemoteStore(RemoteEndpoints.virtuoso(virtuoso.http_url, virtuoso.user, "not-the-password"))
    with pytest.raises(RemoteStoreError, match="HTTP 401"):
        wrong.replace_graph(iri, small_graph("never", 4))
    wrong.close()
    assert isomorphic(graph_of(store, iri), old)


def test_read_only_store_refuses_writes(virtuoso):  # noqa: F811
    reader = RemoteStore(RemoteEndpoints.virtuoso(virtuoso.http_url))
    assert reader.read_only
    with pytest.raises(RemoteStoreError, match="read-only"):
        reader.replace_graph(fresh_graph(), small_graph("ro", 1))
    assert reader.ask("ASK { ?s ?p ?o }")
    reader.close()


def test_bad_graph_iri_is_refused_before_any_request(store):
    with pytest.raises(ValueError):
        store.replace_graph("http://x/> } ; DROP ALL ; INSERT DATA { <a", small_graph("inj", 1))


def test_unreachable_endpoint_names_the_url():
    with socket.socket() as sock:  # a port that was free a moment ago and has no listener now
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/sparql"
    remote = RemoteStore(RemoteEndpoints(query=url), timeout=5)
    with pytest.raises(RemoteStoreError, match=f"127.0.0.1:{port}"):
        remote.ask("ASK { ?s ?p ?o }")
    remote.close()


def test_open_store_chooses_the_backend(tmp_path, virtuoso):  # noqa: F811
    local = open_store(tmp_path / "store").store
    assert isinstance(local, OxigraphStore)
    local.close()
    remote = open_store(virtuoso.sparql_url).store
    assert isinstance(remote, RemoteStore) and remote.read_only
    assert remote.endpoints.query == virtuoso.sparql_url
    remote.close()
    with pytest.raises(ValueError, match="ftp://"):
        open_store("ftp://127.0.0.1/sparql")


@pytest.mark.parametrize(("message", "timed_out"), [
    ("Virtuoso S1T00 Error SR171: Transaction timed out", True),
    ("Virtuoso S1T00 Error SR203: Async statement killed by SQLCancel", True),
    ("Virtuoso 42000 Error The estimated execution time 31812 (sec) exceeds the limit of 400 (sec)", True),
    ("Virtuoso 37000 Error SP030: SPARQL compiler, line 1: syntax error", False),
    ("Virtuoso 42000 Error SR186: No permission to execute procedure", False),
])
def test_the_messages_virtuoso_stops_a_slow_query_with_are_timeouts(message, timed_out):
    assert is_timeout_message(message) is timed_out

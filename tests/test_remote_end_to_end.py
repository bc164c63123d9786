"""The whole chain on a remote store: `luzhi build` into a real Virtuoso, the real app served from it.

The bundled samples are built with the CLI into the private Virtuoso of tests/virtuoso.py (written
through its authenticated endpoints, credentials from LUZHI_STORE_USER/LUZHI_STORE_PASSWORD), and
served on 127.0.0.1 by `create_app` with `store_url` set. Answers are compared with the embedded
store that tests/conftest.py builds from the same documents (another base, so IRIs are mapped).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import pytest
import requests
from click.testing import CliRunner
from rdflib import Graph
from rdflib.compare import isomorphic
from sparql_server import serve
from SPARQLWrapper import JSON, SPARQLWrapper
from virtuoso import virtuoso  # noqa: F401  (the session fixture)
from werkzeug.serving import make_server

from luzhi.server.config import Config
from luzhi.store.open import open_store
from luzhi.store.snapshots import state_dir_of
from luzhi.store.state import source_keys, source_of

PREFIX = "PREFIX lz: <https://w3id.org/luzhi/def#>\nPREFIX dct: <http://purl.org/dc/terms/>\n"
# Counts on luzhi's vocabulary: a remote's union default graph also holds its own graphs
# (docs/remote-store.md), so whole-store counts such as COUNT(*) { ?s ?p ?o } legitimately differ.
COUNT_QUERIES = {
    "duties per list type": "SELECT ?t (COUNT(?d) AS ?n) WHERE { ?d a lz:Duty ; lz:listType ?t } "
    "GROUP BY ?t ORDER BY ?t",
    "lists": "SELECT (COUNT(DISTINCT ?l) AS ?n) WHERE { ?l a lz:DutyList }",
    "titles": "SELECT (COUNT(DISTINCT ?title) AS ?n) WHERE { ?d a lz:Duty ; dct:title ?title }",
    "departments": "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o a <http://data.europa.eu/m8g/PublicOrganisation> }",
    "categories": "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?d lz:category ?c }",
    "discontinued": "SELECT (COUNT(?d) AS ?n) WHERE { ?d lz:discontinued true }",
    "upper departments": "SELECT (COUNT(*) AS ?n) WHERE { ?d lz:upperDepartment ?o }",
}
KINDS = {
    "township": "SELECT ?x WHERE { ?x a lz:Township } ORDER BY ?x LIMIT 1",
    "basic duty": "SELECT ?x WHERE { ?x a lz:Duty ; lz:listType lz:BasicList } ORDER BY ?x LIMIT 1",
    "cooperative duty": "SELECT ?x WHERE { ?x a lz:Duty ; lz:listType lz:CooperativeList } ORDER BY ?x LIMIT 1",
    "reclaimed duty": "SELECT ?x WHERE { ?x a lz:Duty ; lz:listType lz:ReclaimedList } ORDER BY ?x LIMIT 1",
    "list": "SELECT ?x WHERE { ?x a lz:DutyList } ORDER BY ?x LIMIT 1",
    "department": "SELECT ?x WHERE { ?x a <http://data.europa.eu/m8g/PublicOrganisation> } ORDER BY ?x LIMIT 1",
    "category": "SELECT DISTINCT ?x WHERE { ?d lz:category ?x } ORDER BY ?x LIMIT 1",
}


@dataclass(frozen=True)
class RemoteSite:
    url: str  # == the IRI base the remote store was built with
    sparql_url: str  # Virtuoso's anonymous query endpoint
    state: Path
    config: Config
    build_output: str


@pytest.fixture(scope="module")
def remote_site(virtuoso, tmp_path_factory):  # noqa: F811
    from luzhi.server.app import create_app
    from luzhi.server.cli import main

    class Deferred:
        app = None

        def __call__(self, environ, start_response):
            return self.app(environ, start_response)

    deferred = Deferred()
    server = make_server("127.0.0.1", 0, deferred, threaded=True)  # bound first: its URL is the IRI base
    base = f"http://127.0.0.1:{server.server_port}"
    state = tmp_path_factory.mktemp("remote-state")
    result = CliRunner().invoke(
        main,
        ["build", "--store", virtuoso.sparql_url, "--state", str(state), "--base", base],
        env={"LUZHI_STORE_USER": virtuoso.user, "LUZHI_STORE_PASSWORD": virtuoso.password},
    )
    assert result.exit_code == 0, result.output
    config = Config(store_path=state, store_url=virtuoso.sparql_url, base=base)
    deferred.app = create_app(config)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield RemoteSite(base, virtuoso.sparql_url, state, config, result.output)
    server.shutdown()
    thread.join(10)
    deferred.app.extensions["luzhi.sparql"].close()


def select(endpoint: str, query: str, graphs: list[str] = ()) -> list[dict[str, str]]:
    client = SPARQLWrapper(endpoint)
    for graph in graphs:  # the protocol's default-graph-uri: the union of just these graphs
        client.addDefaultGraph(graph)
    client.setQuery(PREFIX + query)
    client.setReturnFormat(JSON)
    rows = client.query().convert()["results"]["bindings"]
    return [{name: cell["value"] for name, cell in row.items()} for row in rows]


def first_iri(endpoint: str, query: str, graphs: list[str]) -> str:
    rows = select(endpoint, query, graphs)
    assert rows, query
    return rows[0]["x"]


def test_build_wrote_graphs_remotely_and_state_locally(remote_site, live_server):
    info = json.loads((remote_site.state / "build.json").read_text(encoding="utf-8"))
    assert info["base"] == remote_site.url
    assert info["store"] == remote_site.sparql_url
    assert len(info["documents"]) == 5
    # No credentials (Virtuoso's dba/dba): as a JSON string, not a substring (the build id is hex and covers
    # the random port of the base, so it can hold "dba" by chance).
    text = (remote_site.state / "build.json").read_text(encoding="utf-8")
    assert '"dba"' not in text and not {key for key in info if "user" in key or "password" in key}
    assert source_keys(remote_site.state) == sorted(source_of(d) for d in info["documents"])
    embedded = json.loads((state_dir_of(live_server.store.path) / "build.json").read_text(encoding="utf-8"))
    # The build id covers the documents and the base (etl/build.py `_build_id`): same documents, same id only
    # under the same base.
    assert (info["build_id"] == embedded["build_id"]) == (info["base"] == embedded["base"])
    remote = open_store(remote_site.sparql_url, read_only=True).store
    try:
        # Other test modules share this Virtuoso and leave their own graphs: look at ours only.
        names = [g for g in remote.graph_names() if _ours(g, remote_site.url)]
        assert names == sorted(g.replace(live_server.url, remote_site.url) for g in _embedded_graphs(live_server))
        assert sum(remote.count_triples(g) for g in names) == embedded["triples"]
        assert len(remote) >= embedded["triples"]
    finally:
        remote.close()


def _remote_graphs(remote_site: RemoteSite) -> list[str]:
    """This module's graphs in the shared Virtuoso (other modules' test graphs stay out of the queries)."""
    remote = open_store(remote_site.sparql_url, read_only=True).store
    try:
        return [g for g in remote.graph_names() if _ours(g, remote_site.url)]
    finally:
        remote.close()


def _ours(graph: str, base: str) -> bool:
    from luzhi.ontology.namespaces import ONTOLOGY_GRAPH

    return graph == ONTOLOGY_GRAPH or graph.startswith(f"{base}/graph/")


def _embedded_graphs(live_server) -> list[str]:
    from luzhi.store.oxigraph import OxigraphStore

    return OxigraphStore(live_server.store.path, read_only=True).graph_names()


@pytest.mark.parametrize("name", sorted(COUNT_QUERIES))
def test_sparqlwrapper_counts_match_the_embedded_store(remote_site, live_server, name):
    query = COUNT_QUERIES[name]
    # Named explicitly: other test modules leave graphs of their own in the shared Virtuoso.
    embedded_graphs = _embedded_graphs(live_server)
    remote_graphs = [g.replace(live_server.url, remote_site.url) for g in embedded_graphs]
    remote = select(f"{remote_site.url}/sparql", query, remote_graphs)
    embedded = select(f"{live_server.url}/sparql", query, embedded_graphs)
    assert remote == embedded
    assert any(int(row["n"]) > 0 for row in remote) or name == "discontinued"


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_id_redirects_to_doc_in_html_and_turtle(remote_site, live_server, kind):
    iri = first_iri(f"{remote_site.url}/sparql", KINDS[kind], _remote_graphs(remote_site))
    assert iri.startswith(f"{remote_site.url}/id/")
    redirect = requests.get(iri, headers={"Accept": "text/turtle"}, allow_redirects=False, timeout=30)
    assert redirect.status_code == 303
    doc = redirect.headers["Location"]
    assert doc.replace(remote_site.url, "").startswith("/doc/")
    turtle = requests.get(iri, headers={"Accept": "text/turtle"}, timeout=30)
    assert turtle.status_code == 200 and turtle.headers["Content-Type"].startswith("text/turtle")
    html = requests.get(iri, headers={"Accept": "text/html"}, timeout=30)
    assert html.status_code == 200 and html.headers["Content-Type"].startswith("text/html")
    assert 'rel="alternate"' in html.text
    # The same description as the embedded store gives for the same resource, once the bases are mapped.
    twin = requests.get(iri.replace(remote_site.url, live_server.url), headers={"Accept": "text/turtle"}, timeout=30)
    assert twin.status_code == 200
    ours = Graph().parse(data=turtle.text, format="turtle")
    theirs = Graph().parse(data=twin.text.replace(live_server.url, remote_site.url), format="turtle")
    assert len(ours) > 0
    assert isomorphic(ours, theirs)


def test_duty_page_shows_its_chinese_title(remote_site):
    row = select(
        f"{remote_site.url}/sparql",
        "SELECT ?d ?title WHERE { ?d a lz:Duty ; lz:listType lz:CooperativeList ; dct:title ?title } "
        "ORDER BY ?d LIMIT 1",
        _remote_graphs(remote_site),
    )[0]
    page = requests.get(row["d"], headers={"Accept": "text/html"}, timeout=30)
    assert page.status_code == 200
    assert any("\u4e00" <= ch <= "\u9fff" for ch in row["title"])
    assert row["title"] in page.text
    assert 'lang="zh"' in page.text


def test_source_void_health_and_graph(remote_site):
    info = json.loads((remote_site.state / "build.json").read_text(encoding="utf-8"))
    name = source_of(info["documents"][0])  # {code}/{file}
    source = requests.get(f"{remote_site.url}/source/{quote(name)}", timeout=30)
    assert source.status_code == 200
    assert source.text == (remote_site.state / "sources" / name).read_text(encoding="utf-8")
    void = requests.get(f"{remote_site.url}/.well-known/void", headers={"Accept": "text/turtle"}, timeout=60)
    assert void.status_code == 200
    assert f"{remote_site.url}/sparql" in void.text
    health = requests.get(f"{remote_site.url}/health", timeout=30)
    assert health.json()["status"] == "ok"
    assert health.json()["graphs"] >= 6  # five documents and the ontology (and other modules' test graphs)
    code = info["documents"][0]["township_code"]
    graph = requests.get(f"{remote_site.url}/graph/{code}.nt", timeout=30)
    assert graph.status_code == 200
    assert len(list(ox.parse(graph.content, format=ox.RdfFormat.N_TRIPLES))) > 1000


def test_nquads_dump_equals_the_embedded_one(remote_site, live_server):
    def quads(url: str) -> set[str]:
        response = requests.get(f"{url}/dumps/luzhi.nq.gz", timeout=120)
        assert response.status_code == 200, response.text[:500]
        parsed = ox.parse(gzip.decompress(response.content), format=ox.RdfFormat.N_QUADS)
        return {
            str(q).replace(live_server.url, remote_site.url)
            for q in parsed
            if not _has_bnode(q)
            and _ours(q.graph_name.value.replace(live_server.url, remote_site.url), remote_site.url)
        }

    names = [d["name"] for d in requests.get(f"{remote_site.url}/dumps/", headers={"Accept": "application/json"},
                                              timeout=120).json()]
    assert "luzhi.nq.gz" in names
    remote, embedded = quads(remote_site.url), quads(live_server.url)
    assert len(remote) > 10_000
    assert remote == embedded
    assert (remote_site.state / "dumps").is_dir()  # written in the state directory


def _has_bnode(quad: ox.Quad) -> bool:
    return any(isinstance(t, ox.BlankNode) for t in (quad.subject, quad.object))


# ---------------------------------------------------------------- the endpoint's checks and errors
def test_update_and_service_are_refused_before_reaching_the_remote(remote_site):
    endpoint = f"{remote_site.url}/sparql"
    update = requests.post(endpoint, data={"update": "DROP ALL"}, timeout=30)
    assert update.status_code in (400, 403)
    as_query = requests.post(endpoint, data={"query": "DROP ALL"}, timeout=30)
    assert as_query.status_code == 403 and "read-only" in as_query.text
    service = requests.post(
        endpoint, data={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"}, timeout=30
    )
    assert service.status_code == 403 and "SERVICE" in service.text
    # The store is intact.
    assert select(endpoint, "SELECT (COUNT(?d) AS ?n) WHERE { ?d a lz:Duty }")[0]["n"] != "0"


def test_syntax_error_is_400_with_the_remote_message(remote_site):
    response = requests.post(f"{remote_site.url}/sparql", data={"query": "SELEKT ?s WHERE { ?s ?p ?o }"}, timeout=30)
    assert response.status_code == 400
    assert "SPARQL syntax error" in response.text and "SELEKT" in response.text


def test_remote_row_cap_is_refused_not_cut(remote_site, virtuoso):  # noqa: F811
    response = requests.post(
        f"{remote_site.url}/sparql",
        data={"query": "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    assert response.status_code == 400
    assert str(virtuoso.result_set_max_rows) in response.text and "nothing was cut" in response.text


def test_own_row_limit_and_formats(remote_site):
    with serve(Config(store_path=remote_site.state, store_url=remote_site.sparql_url, base=remote_site.url,
                      max_result_rows=5)) as small:
        over = requests.post(small.endpoint, data={"query": PREFIX + "SELECT ?d WHERE { ?d a lz:Duty } LIMIT 6"},
                             timeout=30)
        assert over.status_code == 400 and "more than 5" in over.text
        five = requests.post(small.endpoint, data={"query": PREFIX + "SELECT ?d WHERE { ?d a lz:Duty } LIMIT 5"},
                             headers={"Accept": "text/csv"}, timeout=30)
        assert five.status_code == 200 and five.headers["X-Result-Rows"] == "5"
        assert len(five.text.strip().splitlines()) == 6  # header + 5 rows
        construct = PREFIX + "CONSTRUCT { ?d dct:title ?t } WHERE { ?d a lz:Duty ; dct:title ?t } LIMIT 3"
        jsonld = requests.post(small.endpoint, data={"query": construct}, headers={"Accept": "application/ld+json"},
                               timeout=30)
        assert jsonld.status_code == 200
        assert len(list(ox.parse(jsonld.content, format=ox.RdfFormat.JSON_LD))) == 3  # rdflib's JSON-LD warns
        assert '"@language": "zh"' in jsonld.text
        csv_for_graph = requests.post(small.endpoint, data={"query": construct}, headers={"Accept": "text/csv"},
                                      timeout=30)
        assert csv_for_graph.status_code == 406


def test_timeout_is_503_and_the_server_keeps_answering(remote_site):
    # Runs for minutes without a limit; Virtuoso stops it itself at 1 s ("anytime" answer, flagged S1TAT).
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f FILTER(STR(?c) < STR(?f)) }"
    # Virtuoso refuses this one before running it: its cost estimate (hours) is over MaxQueryCostEstimationTime.
    hopeless = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    with serve(Config(store_path=remote_site.state, store_url=remote_site.sparql_url, base=remote_site.url,
                      query_timeout=1)) as quick:
        for query in (slow, hopeless):
            response = requests.post(quick.endpoint, data={"query": query}, timeout=60)
            assert response.status_code == 503 and "query_timeout" in response.text, response.text
        assert quick.executor.killed == 2  # by Virtuoso, or (a loaded machine) while the check ran here
        after = requests.post(quick.endpoint, data={"query": "ASK { ?s ?p ?o }"},
                              headers={"Accept": "application/sparql-results+json"}, timeout=30)
        assert after.status_code == 200 and after.json()["boolean"] is True


# ---------------------------------------------------------------- settings and the other commands
def test_wsgi_settings_choose_the_remote_store(remote_site, tmp_path):
    from luzhi.server.wsgi import config_from_environment

    config = config_from_environment({"LUZHI_STORE": remote_site.sparql_url, "LUZHI_STATE": str(remote_site.state)})
    assert config.store_url == remote_site.sparql_url
    assert config.store_path == remote_site.state
    assert config.base == remote_site.url  # read from the state's build.json
    with pytest.raises(RuntimeError, match="LUZHI_STATE"):
        config_from_environment({"LUZHI_STORE": remote_site.sparql_url, "LUZHI_STATE": str(tmp_path / "missing")})


def test_cli_query_and_export_on_the_remote(remote_site, live_server, tmp_path):
    from luzhi.server.cli import main

    query = PREFIX + COUNT_QUERIES["lists"]
    remote = CliRunner().invoke(main, ["query", query, "--store", remote_site.sparql_url, "--format", "csv"])
    embedded = CliRunner().invoke(main, ["query", query, "--store", str(live_server.store.path), "--format", "csv"])
    assert remote.exit_code == 0, remote.output
    assert remote.output == embedded.output
    bad = CliRunner().invoke(main, ["query", "SELEKT ?s", "--store", remote_site.sparql_url])
    assert bad.exit_code == 2 and "SELEKT" in bad.output
    out = tmp_path / "dump.nq"
    exported = CliRunner().invoke(main, ["export", "--store", remote_site.sparql_url, "-o", str(out)])
    assert exported.exit_code == 0, exported.output
    graphs = {q.graph_name.value for q in ox.parse(out.read_bytes(), format=ox.RdfFormat.N_QUADS)}
    # five townships, shared, duty kinds, statistics (issue 13), ontology
    assert len([g for g in graphs if _ours(g, remote_site.url)]) == 9
    assert not [g for g in graphs if g.startswith(("http://www.openlinksw.com/", "http://www.w3.org/ns/ldp"))]


def test_build_without_credentials_fails_before_parsing(remote_site, tmp_path):
    from luzhi.etl.build import bundled_documents
    from luzhi.server.cli import main

    result = CliRunner().invoke(
        main,
        ["build", str(bundled_documents()[0]), "--store", remote_site.sparql_url, "--state", str(tmp_path / "s"),
         "--base", remote_site.url],
        env={"LUZHI_STORE_USER": None, "LUZHI_STORE_PASSWORD": None},
    )
    assert result.exit_code == 2
    assert "--store-user" in result.output
    assert not (tmp_path / "s").exists()


def test_a_lists_page_and_whole_csv_are_the_embedded_stores(remote_site, live_server):
    """A list's JSON page (a sub-select by 序号, `LIMIT`) and its streamed CSV (its order read as one
    `GROUP_CONCAT`, then its duties by `VALUES`) come out of Virtuoso as out of the embedded store."""
    path = "/doc/list/210381121/cooperative"

    def rows(site: str, suffix: str) -> list[tuple[str, str, str]]:
        response = requests.get(f"{site}{path}{suffix}", timeout=60)
        assert response.status_code == 200, response.text[:300]
        found = (response.json()["rows"] if suffix == ".json"
                 else csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
        return [(str(row["sequence"]), row["title"], row["duty"].replace(site, "B")) for row in found]

    for suffix in (".json", ".csv"):
        assert rows(remote_site.url, suffix) == rows(live_server.url, suffix), suffix
    assert len(rows(live_server.url, ".csv")) > 100

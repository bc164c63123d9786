"""Six findings of a cold review, each over real HTTP against the real app and the built store:

1. a list's RDF counted the statistics' observations as items (`hydra:totalItems`), and a page past
   its last answered 200;
2. a browser's 400 from /compare was plain text, not the site's error page;
3. `/sparql?query=SELECT…&format=ttl` answered SPARQL JSON;
4. `/graph/statistics` was not served (and the store-wide graphs were read whole before streaming);
5. a search with a space in it (`森林 防火`) found nothing, saying nothing;
6. `/health` published the query sandbox's settings.
"""

from __future__ import annotations

import logging
import re

import pytest
import requests
from compare_helpers import XIAOJINGZHUANG, _select
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import FOAF, Namespace
from sparql_server import serve

from luzhi.store.snapshots import state_dir_of
from luzhi.store.state import read_build_info

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
LZ = Namespace("https://w3id.org/luzhi/def#")
PREFIX = "PREFIX lz: <https://w3id.org/luzhi/def#>\n"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"  # Firefox's and Chromium's
PAGE = 7


@pytest.fixture(scope="module")
def small_pages(built_store):
    """The same store behind a second app with pages of 7, so a list's duties span pages (a list's pages are
    `list_page_size`, HTML and RDF alike)."""
    from conftest import make_config

    with serve(make_config(built_store, page_size=PAGE, list_page_size=PAGE)) as server:
        yield server.base


# ---- 1. a list's paging ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def observed_list(live_server) -> tuple[str, set[str]]:
    """A list that statistics' observations also name, and its duties, by SPARQL."""
    rows = _select(live_server.url, PREFIX + "SELECT ?l WHERE { ?o lz:observedList ?l } LIMIT 1")
    iri = rows[0]["l"]
    duties = {row["d"] for row in _select(live_server.url, PREFIX + f"SELECT ?d WHERE {{ ?d lz:inList <{iri}> }}")}
    return iri, duties


def test_a_lists_rdf_pages_and_counts_its_duties_only(live_server, small_pages, observed_list):
    iri, duties = observed_list
    last = -(-len(duties) // PAGE)
    assert last > 2, "the list must span several pages of 7"
    path = "/doc/" + iri[len(live_server.url + "/id/"):]
    seen: set[str] = set()
    for page in range(1, last + 1):
        response = requests.get(small_pages + path, params={"page": page}, headers={"Accept": "text/turtle"},
                                timeout=60)
        assert response.status_code == 200
        graph = Graph().parse(data=response.text, format="turtle")
        assert set(graph.objects(None, HYDRA.totalItems)) == {Literal(len(duties))}
        linked = {(str(s), p) for s, p, o in graph if o == URIRef(iri) and p != FOAF.primaryTopic}
        assert {p for _s, p in linked} == {LZ.inList}, "only the list's duties are paged"
        on_page = {s for s, _p in linked}
        assert 0 < len(on_page) <= PAGE and not seen & on_page
        seen |= on_page
    assert seen == duties


def test_a_lists_first_rdf_page_holds_its_first_duties_by_number(small_pages, live_server, observed_list):
    """The RDF pages ordered duties by IRI text, so page 1 of a list held …/1, …/10, …/100, …/101 (cold review)."""
    iri, duties = observed_list
    path = "/doc/" + iri[len(live_server.url + "/id/"):]
    response = requests.get(small_pages + path, headers={"Accept": "application/n-triples"}, timeout=60)
    graph = Graph().parse(data=response.text, format="nt")
    on_page = [str(s) for s in graph.subjects(LZ.inList, URIRef(iri))]

    def number(duty: str) -> int:
        return int(duty.rsplit("/", 1)[1])

    assert sorted(map(number, on_page)) == sorted(map(number, duties))[:PAGE]


@pytest.mark.parametrize(("accept", "content_type"), [
    ("text/turtle", "text/plain"), ("application/ld+json", "text/plain"), ("application/n-triples", "text/plain"),
    (BROWSER, "text/html"),
])
def test_a_page_past_a_lists_last_is_404_in_every_format(small_pages, live_server, observed_list, accept,
                                                        content_type):
    iri, duties = observed_list
    last = -(-len(duties) // PAGE)
    url = small_pages + "/doc/" + iri[len(live_server.url + "/id/"):]
    assert requests.get(url, params={"page": last}, headers={"Accept": accept}, timeout=60).status_code == 200
    for past in (last + 1, 99):
        response = requests.get(url, params={"page": past}, headers={"Accept": accept}, timeout=60)
        assert response.status_code == 404, (accept, past)
        assert response.headers["Content-Type"].startswith(content_type)
    turtle = requests.get(url + ".ttl", params={"page": last + 1}, timeout=60)
    assert turtle.status_code == 404


# ---- 2. /compare's errors for browsers ------------------------------------------------------------------------

@pytest.mark.parametrize(("params", "words"), [
    ([("t", XIAOJINGZHUANG)], ["`t`", "2 to 5", "got 1"]),
    ([("t", "abc"), ("t", XIAOJINGZHUANG)], ["`t`", "9-digit", "&#39;abc&#39;"]),
    ([("t", "999999999"), ("t", XIAOJINGZHUANG)], ["`t`", "999999999"]),
])
def test_compare_400_is_the_sites_form_saying_why_for_a_browser(live_server, params, words):
    """A browser's bad /compare is the site's page (not Werkzeug's), since session 24 the form to choose again."""
    response = requests.get(f"{live_server.url}/compare", params=params, headers={"Accept": BROWSER}, timeout=60)
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("text/html")
    assert '<header class="site">' in response.text and 'form class="compare"' in response.text
    message = re.search(r'<p class="form-error" role="alert">(.*?)</p>', response.text, re.S).group(1)
    for word in words:
        assert word in message, (word, message)


@pytest.mark.parametrize("accept", [None, "*/*", "text/csv"])
def test_compare_400_stays_plain_text_for_programs(live_server, accept):
    headers = {"Accept": accept} if accept else {}
    response = requests.get(f"{live_server.url}/compare", params={"t": XIAOJINGZHUANG}, headers=headers, timeout=60)
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("text/plain")
    assert response.text.startswith("400 ") and "`t`" in response.text


def test_other_pages_400_is_the_site_error_page_for_a_browser(live_server):
    response = requests.get(f"{live_server.url}/search", params={"q": "镇", "page": "0"},
                            headers={"Accept": BROWSER}, timeout=60)
    assert response.status_code == 400
    assert '<header class="site">' in response.text and "parameter `page`" in response.text


# ---- 3. format= that the query form has not -------------------------------------------------------------------

@pytest.mark.parametrize(("query", "value", "offered"), [
    ("SELECT * WHERE { ?s ?p ?o } LIMIT 1", "ttl", "json"),
    ("ASK { ?s ?p ?o }", "turtle", "csv"),
    ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", "csv", "ttl"),
])
def test_format_the_query_form_has_not_is_a_400_naming_format(live_server, query, value, offered):
    response = requests.get(f"{live_server.url}/sparql", params={"query": query, "format": value}, timeout=60)
    assert response.status_code == 400, response.text
    assert "`format`" in response.text and value in response.text and offered in response.text


def test_construct_with_format_ttl_still_answers_turtle(live_server):
    response = requests.get(f"{live_server.url}/sparql", timeout=60,
                            params={"query": "CONSTRUCT WHERE { ?s a ?o } LIMIT 3", "format": "ttl"})
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/turtle")
    assert len(Graph().parse(data=response.text, format="turtle")) == 3
    select = requests.get(f"{live_server.url}/sparql", timeout=60,
                          params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "format": "json"})
    assert select.status_code == 200 and len(select.json()["results"]["bindings"]) == 1


# ---- 4. /graph/statistics, streamed ---------------------------------------------------------------------------

def _graph_size(url: str, graph: str) -> int:
    return int(_select(url, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")[0]["n"])


@pytest.mark.parametrize("name", ["statistics", "kinds"])
def test_store_wide_graph_is_streamed(live_server, name):
    expected = _graph_size(live_server.url, f"{live_server.url}/graph/{name}")
    assert expected > 0
    for url, headers in ((f"{live_server.url}/graph/{name}", {"Accept": "text/turtle"}),
                         (f"{live_server.url}/graph/{name}.nt", {})):
        response = requests.get(url, headers=headers, timeout=120)
        assert response.status_code == 200
        # Streamed: no Content-Length, which werkzeug could only compute by reading the whole graph first.
        assert "Content-Length" not in response.headers and response.headers["Transfer-Encoding"] == "chunked"
        assert len(Graph().parse(data=response.text, format="turtle")) == expected
    # `.jsonld` names a document there is not: a 404 (tests/test_pages_surface_review.py); by `Accept`, a 406
    assert requests.get(f"{live_server.url}/graph/{name}.jsonld", timeout=60).status_code == 404
    refused = requests.get(f"{live_server.url}/graph/{name}", headers={"Accept": "application/ld+json"}, timeout=60)
    assert refused.status_code == 406 and "text/turtle" in refused.text


# ---- 5. words separated by spaces -----------------------------------------------------------------------------

def _found(url: str, q: str) -> tuple[dict, set[str]]:
    body = requests.get(f"{url}/search.json", params={"q": q}, timeout=60).json()
    iris: set[str] = set()
    page = body
    while True:
        iris |= {hit["iri"] for hit in page["results"]}
        if not page["next"]:
            return body, iris
        page = requests.get(url + page["next"], timeout=60).json()


@pytest.mark.parametrize("q", ["森林 防火", "森林　防火", " 防火  森林 ", "党 建设 镇"])
def test_words_separated_by_spaces_are_all_required(live_server, q):
    words = q.split()
    body, found = _found(live_server.url, q)
    assert body["words"] == words and body["word_notes"] == []
    expected = set.intersection(*(_found(live_server.url, word)[1] for word in words))
    assert found == expected and len(found) == body["total"] > 0


def test_a_word_that_cannot_be_found_is_said(live_server):
    body, found = _found(live_server.url, "森林 龘龘龘")
    assert not found and body["total"] == 0
    assert [(n["word"], n["reason"]) for n in body["word_notes"]] == [("龘龘龘", "absent")]
    page = requests.get(f"{live_server.url}/search", params={"q": "森林 龘龘龘"}, timeout=60)
    assert "「龘龘龘」不见于任何已索引的文本" in page.text and "「森林」" in page.text
    english = requests.get(f"{live_server.url}/search", params={"q": "森林 龘龘", "lang": "en"}, timeout=60)
    assert "“龘龘” is in no indexed text" in english.text


def test_too_many_words_is_a_400_naming_q(live_server):
    response = requests.get(f"{live_server.url}/search.json", params={"q": " ".join("一二三四五六七八九十百")},
                            timeout=60)
    assert response.status_code == 400 and "`q`" in response.json()["error"]


# ---- 6. /health --------------------------------------------------------------------------------------------

def test_health_does_not_publish_the_sandbox_settings(live_server, built_store):
    requests.get(f"{live_server.url}/sparql", params={"query": "ASK {}"}, timeout=60)  # a worker has started
    response = requests.get(f"{live_server.url}/health", timeout=60)
    body = response.json()
    assert set(body) == {"status", "store", "graphs", "build"}
    assert body["status"] == body["store"] == "ok" and body["graphs"] > 0
    assert body["build"] == read_build_info(state_dir_of(built_store.path))["build_id"]
    for secret in ("network=", "memory", "sandbox", "query_workers", "seccomp", "netns"):
        assert secret not in response.text


def test_the_sandbox_settings_are_logged_for_the_operator(built_store, caplog):
    from conftest import make_config

    caplog.set_level(logging.INFO, logger="luzhi")
    with serve(make_config(built_store, query_memory_mb=1536)) as server:
        assert requests.get(server.endpoint, params={"query": "ASK {}"}, timeout=60).status_code == 200
    assert "query_memory_mb=1536" in caplog.text and "sandbox=auto" in caplog.text
    assert "query workers confined: network=" in caplog.text

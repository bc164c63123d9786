"""What a cold review of the HTTP surface found on the pages and the linked data, each over the real app.

1. a township's RDF twin was mostly the statistics' observations (`lz:observedTownship`, `hydra:totalItems 395`):
   a description holds the resource's own links, and points to the statistics data sets instead;
8. parameters: `page` given twice was read as its first value; `?page=%FF` answered a browser plain text;
   `/search.json?category=/id/…` was refused though the list pages take paths; `township=javascript:` was searched;
9. `/graph/kinds.jsonld` and `/graph/statistics.rdf` answered 406: no such document is a 404, naming those there are.
"""

from __future__ import annotations

import pytest
import requests
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS
from test_review_messages import BROWSER, in_both_languages

from luzhi.store.statistics import DIMENSIONS

HYDRA = "http://www.w3.org/ns/hydra/core#"
TOWNSHIP = "140226207"  # 小京庄乡
OBSERVED = {URIRef(str(p)) for p in DIMENSIONS.values()}


def _select(url: str, query: str) -> list[dict]:
    response = requests.post(f"{url}/sparql", data={"query": query}, timeout=60,
                             headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    return response.json()["results"]["bindings"]


def _turtle(url: str) -> Graph:
    response = requests.get(url, timeout=60)
    assert response.status_code == 200, (url, response.text[:300])
    return Graph().parse(data=response.text, format="turtle")


# ---- 1. a township's description is about the township ---------------------------------------------------------

def test_a_townships_rdf_pages_hold_its_own_links_not_the_statistics_observations(live_server):
    township = URIRef(f"{live_server.url}/id/division/{TOWNSHIP}")
    not_observed = " ".join(f"<{p}>" for p in sorted(OBSERVED))
    listed = ", ".join(f"<{p}>" for p in sorted(OBSERVED))
    links = f"SELECT DISTINCT ?s ?p WHERE {{ ?s ?p <{township}> FILTER(isIRI(?s) && ?p NOT IN ({listed})) }}"
    own = _select(live_server.url, f"SELECT (COUNT(*) AS ?n) WHERE {{ {links} }}")
    observations = _select(live_server.url, f"SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {{ ?o ?p <{township}> "
                                            f"VALUES ?p {{ {not_observed} }} }}")
    expected, observed = int(own[0]["n"]["value"]), int(observations[0]["n"]["value"])
    assert observed > 0, "the statistics name the township"
    # what docs/linked-data.md says it counts: the township's duties and its lists (311 + 3: 314, polish 22)
    lz = "https://w3id.org/luzhi/def#"
    parts = _select(live_server.url, f"SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE {{ {{ ?d <{lz}township> <{township}> }}"
                                     f" UNION {{ ?d <{lz}ofTownship> <{township}> }} }}")
    assert int(parts[0]["n"]["value"]) == expected
    size = live_server.config.page_size
    pages = -(-expected // size)
    assert pages >= 2, "the township's links should span pages"
    seen: set[tuple] = set()
    datasets = set()
    for page in range(1, pages + 1):
        document = f"{live_server.url}/doc/division/{TOWNSHIP}.ttl" + ("" if page == 1 else f"?page={page}")
        graph = _turtle(document)
        assert graph.value(URIRef(document), URIRef(HYDRA + "totalItems")) == Literal(expected)
        links = {(s, p) for s, p, o in graph if o == township and p != URIRef("http://xmlns.com/foaf/0.1/primaryTopic")}
        assert not {p for _s, p in links} & OBSERVED, page
        assert not seen & links
        seen |= links
        datasets |= set(graph.objects(URIRef(document), RDFS.seeAlso))
        # the township's own triples come whole on every page
        assert (township, RDFS.label, None) in graph
    assert len(seen) == expected
    assert {str(d).rsplit("/", 1)[1] for d in datasets} == {"township-list-category", "category-township",
                                                          "department-township"}
    for dataset in datasets:  # each dereferences, and its description pages its observations
        assert requests.get(str(dataset), timeout=60, headers={"Accept": "text/turtle"}).status_code == 200


# ---- 8. parameters -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/search?q=林", "/search.json?q=林", f"/doc/division/{TOWNSHIP}.ttl",
                                  f"/doc/list/{TOWNSHIP}/basic"])
def test_page_given_twice_is_a_400_naming_it(live_server, path):
    response = requests.get(f"{live_server.url}{path}", params=[("page", "1"), ("page", "2")], timeout=60)
    assert response.status_code == 400, response.text[:300]
    assert "`page` may be given once" in response.text and "参数 page 只能给一次" in response.text


@pytest.mark.parametrize(("accept", "content_type"), [(BROWSER, "text/html"), ("application/json", "application/json"),
                                                      ("*/*", "text/plain")])
def test_a_page_not_in_utf8_is_answered_as_the_clients_other_400s(live_server, accept, content_type):
    response = requests.get(f"{live_server.url}/search?q=林&page=%FF", headers={"Accept": accept}, timeout=60)
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith(content_type)
    text = response.json()["error"] if content_type == "application/json" else response.text
    assert "parameter `page` is not valid UTF-8" in text
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    if content_type == "text/html":
        assert "400" in text and 'name="q"' in text  # the site's error page, with its search box


def _search(live_server, **params) -> requests.Response:
    return requests.get(f"{live_server.url}/search.json", params={"q": "防火", **params}, timeout=60)


def _results(response: requests.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [hit["iri"] for hit in response.json()["results"]]


@pytest.mark.parametrize(("name", "forms"), [
    ("category", ["{base}/id/category/ping-an-fa-zhi", "/id/category/ping-an-fa-zhi", "ping-an-fa-zhi"]),
    ("township", ["{base}/id/division/" + TOWNSHIP, "/id/division/" + TOWNSHIP, TOWNSHIP]),
    ("list", ["https://w3id.org/luzhi/def#BasicList", "basic"]),
    ("list", ["{base}/id/list/" + TOWNSHIP + "/basic", "/id/list/" + TOWNSHIP + "/basic"]),
])
def test_search_facets_take_an_iri_a_path_or_a_short_name(live_server, name, forms):
    answers = [_results(_search(live_server, **{name: form.format(base=live_server.url)})) for form in forms]
    assert answers[0] and all(answer == answers[0] for answer in answers), answers
    assert len(answers[0]) < len(_results(_search(live_server)))  # the facet narrowed the search


@pytest.mark.parametrize(("name", "value"), [
    ("township", "javascript:"), ("township", "javascript:alert(1)"), ("township", "http://elsewhere.example/x"),
    ("township", "/id/category/ping-an-fa-zhi"), ("category", "no-such-category"), ("list", "javascript:"),
])
def test_a_search_facet_that_names_nothing_of_ours_is_a_400_naming_it(live_server, name, value):
    response = _search(live_server, **{name: value})
    assert response.status_code == 400
    error = response.json()["error"]
    assert f"parameter `{name}` takes" in error and in_both_languages(error), error


def test_a_search_facet_given_twice_is_a_400(live_server):
    response = _search(live_server, township=[TOWNSHIP, "140226100"])
    assert response.status_code == 400 and "`township` may be given once" in response.json()["error"]


# ---- 9. /graph/{name}.{ext} -------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/graph/kinds.jsonld", "/graph/statistics.rdf", "/graph/shared.rdf"])
def test_a_store_wide_graph_in_a_format_it_is_not_offered_in_is_a_404_naming_those_it_is(live_server, path):
    name = path.split("/")[2].split(".")[0]
    response = requests.get(live_server.url + path, timeout=60)
    assert response.status_code == 404, response.text[:200]
    assert f"/graph/{name}.ttl" in response.text and f"/graph/{name}.nt" in response.text
    assert requests.get(f"{live_server.url}/graph/{name}.nt", timeout=60, stream=True).status_code == 200


@pytest.mark.parametrize("ext", ["ttl", "nt", "rdf", "jsonld"])
def test_a_graph_is_200_in_each_format_offered_and_an_unknown_graph_404_in_every_one(live_server, ext):
    assert requests.get(f"{live_server.url}/graph/{TOWNSHIP}.{ext}", timeout=60).status_code == 200
    for unknown in ("999999999", "nothing"):
        assert requests.get(f"{live_server.url}/graph/{unknown}.{ext}", timeout=60).status_code == 404

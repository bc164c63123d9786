"""Content negotiation on `/doc/…`: every resource kind × every format, q-values, extensions, headers,
errors, caching, and paging on the largest department (issue 6)."""

from __future__ import annotations

import json
import threading

import pytest
import requests
from rdf_parsing import parse_rdf
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import FOAF
from werkzeug.serving import make_server

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
LZ = Namespace("https://w3id.org/luzhi/def#")
FORMATS = {
    "text/turtle": ("turtle", "ttl"),
    "application/ld+json": ("json-ld", "jsonld"),
    "application/n-triples": ("nt", "nt"),
    "application/rdf+xml": ("xml", "rdf"),
}
KIND_QUERIES = {
    "division": "SELECT ?x WHERE { ?x a lz:Township } LIMIT 1",
    "county": "SELECT ?x WHERE { ?x a lz:County } LIMIT 1",
    "list": "SELECT ?x WHERE { ?x a lz:DutyList ; lz:ofListType lz:CooperativeList } LIMIT 1",
    "section": "SELECT ?x WHERE { ?x a lz:ListSection } LIMIT 1",
    "basic-duty": "SELECT ?x WHERE { ?x a lz:Duty ; lz:listType lz:BasicList } LIMIT 1",
    "cooperative-duty": "SELECT ?x WHERE { ?x a lz:Duty ; lz:listType lz:CooperativeList } LIMIT 1",
    "reclaimed-duty": "SELECT ?x WHERE { ?x a lz:Duty ; lz:listType lz:ReclaimedList } LIMIT 1",
    "participation": "SELECT ?x WHERE { ?x a lz:DepartmentParticipation } LIMIT 1",
    "department": "SELECT ?x WHERE { ?x a <http://data.europa.eu/m8g/PublicOrganisation> } LIMIT 1",
    "category": "SELECT ?x WHERE { ?d lz:category ?x } LIMIT 1",
    "build": "SELECT ?x WHERE { ?x a lz:Build } LIMIT 1",
}
PREFIX = "PREFIX lz: <https://w3id.org/luzhi/def#>\n"


@pytest.fixture(scope="module")
def samples(store) -> dict[str, str]:
    found = {}
    for kind, query in KIND_QUERIES.items():
        rows = store.select(PREFIX + query)
        assert rows, f"the bundled graph has no {kind}"
        found[kind] = str(rows[0]["x"])
    return found


def _doc(live_server, iri: str) -> str:
    assert iri.startswith(live_server.url + "/id/")
    return live_server.url + "/doc/" + iri[len(live_server.url + "/id/") :]


@pytest.mark.parametrize("kind", list(KIND_QUERIES))
@pytest.mark.parametrize("mime", list(FORMATS))
def test_conneg_matrix(live_server, samples, kind, mime):
    iri = samples[kind]
    _rdflib_format, ext = FORMATS[mime]
    by_accept = requests.get(_doc(live_server, iri), headers={"Accept": mime})
    by_ext = requests.get(f"{_doc(live_server, iri)}.{ext}")
    for response in (by_accept, by_ext):
        assert response.status_code == 200
        assert response.headers["Content-Type"].split(";")[0] == mime
        graph = parse_rdf(response.content, mime)
        assert (URIRef(iri), None, None) in graph or (None, None, URIRef(iri)) in graph
    assert "Accept" in by_accept.headers["Vary"]
    # The representation names its siblings, HTML among them.
    assert 'rel="alternate"; type="text/html"' in by_accept.headers["Link"]


@pytest.mark.parametrize("kind", list(KIND_QUERIES))
def test_html_announces_rdf(live_server, samples, kind):
    response = requests.get(_doc(live_server, samples[kind]), headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    for mime, (_fmt, ext) in FORMATS.items():
        assert f'<link rel="alternate" type="{mime}"' in response.text
        assert f'.{ext}" type="{mime}">' in response.text  # the visible link
        assert f'type="{mime}"' in response.headers["Link"]


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),  # a browser
        ("*/*", "text/html"),
        ("", "text/html"),
        ("application/ld+json;q=0.5, text/turtle;q=0.4", "application/ld+json"),
        ("text/turtle;q=0.1, application/rdf+xml", "application/rdf+xml"),
        ("text/turtle;q=0, */*;q=0.1", "text/html"),
        ("application/n-triples", "application/n-triples"),
        ("application/json", "application/ld+json"),
        # parameters other than q do not make a type unknown (cold review: both were 406)
        ('application/ld+json;profile="http://www.w3.org/ns/json-ld#compacted"', "application/ld+json"),
        ("text/html;charset=gbk", "text/html"),
    ],
)
def test_q_values(live_server, samples, accept, expected):
    response = requests.get(_doc(live_server, samples["cooperative-duty"]), headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == expected


@pytest.mark.parametrize("accept", [",,,,", ", ,", ";q=0.5", ", ;q=0.2 ,"])
@pytest.mark.parametrize("path", ["/doc/category", "/.well-known/void", "/def", "/sparql?query=ASK%20%7B%7D",
                                  "/graph/kinds", "/search.json?q=%E9%98%B2%E7%81%AB"])
def test_an_accept_of_empty_members_is_as_if_absent(live_server, path, accept):
    """`Accept: ,,,,` names no media range: the answer is the one without the header, not a 406 (cold review)."""
    answers = [requests.get(live_server.url + path, headers=headers, timeout=60)
               for headers in ({"Accept": accept}, {})]  # requests sends `Accept: */*` unless told not to
    answers.append(requests.get(live_server.url + path, headers={"Accept": None}, timeout=60))
    assert [a.status_code for a in answers] == [200, 200, 200], path
    assert answers[0].headers["Content-Type"] == answers[2].headers["Content-Type"], path


def test_not_acceptable(live_server, samples):
    response = requests.get(_doc(live_server, samples["department"]), headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert ".ttl" in response.text
    assert "此资源提供" in response.text and "this resource is offered as" in response.text  # both languages


@pytest.mark.parametrize(("path", "offered"), [
    ("/.well-known/void", "text/turtle"),
    ("/graph/kinds", "application/n-triples"),
    ("/def", "text/html"),
    ("/compare", "text/csv"),
])
def test_every_406_lists_what_is_offered(live_server, path, offered):
    """RFC 9110 §15.5.7: a 406 should say which types are available (cold review: VoID's was bare)."""
    response = requests.get(f"{live_server.url}{path}", headers={"Accept": "image/png"}, timeout=60)
    assert response.status_code == 406
    assert offered in response.text


def test_id_redirects_with_303(live_server, samples):
    response = requests.get(samples["division"] + "?lang=en", allow_redirects=False)
    assert response.status_code == 303
    assert response.headers["Location"] == _doc(live_server, samples["division"])[len(live_server.url) :] + "?lang=en"


@pytest.mark.parametrize(
    "path",
    ["/id/duty/999999999/basic/1", "/doc/division/000000000", "/doc/org/nowhere/x.ttl", "/id/%3E%20%7B", "/nothing"],
)
def test_unknown_is_a_real_404(live_server, path):
    html = requests.get(live_server.url + path, headers={"Accept": "text/html"})
    assert html.status_code == 404
    assert 'type="search"' in html.text and 'name="q"' in html.text  # people get a search box
    plain = requests.get(live_server.url + path, headers={"Accept": "text/turtle"})
    assert plain.status_code == 404


def test_injection_attempt_is_refused_not_run(live_server):
    # A '>' would close the IRI in a spliced query; it must be rejected before any query runs.
    path = "/doc/division/1> ?p ?o } #"
    response = requests.get(live_server.url + requests.utils.quote(path), headers={"Accept": "text/turtle"})
    assert response.status_code == 404
    assert requests.get(live_server.url + "/health").status_code == 200


def test_etag_and_304(live_server, samples):
    url = _doc(live_server, samples["list"]) + ".ttl"
    first = requests.get(url)
    assert first.headers["ETag"] and first.headers["Last-Modified"]
    again = requests.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and not again.content
    html = requests.get(_doc(live_server, samples["list"]), headers={"Accept": "text/html"})
    assert html.headers["ETag"] != first.headers["ETag"]  # another representation, another tag
    changed = requests.get(url, headers={"If-None-Match": '"something-else"'})
    assert changed.status_code == 200


@pytest.fixture(scope="module")
def small_pages(built_store):
    """The same store behind a second app with tiny pages, on its own port.

    Its host differs from the IRI base on purpose: paths map to IRIs by the configured base.
    """
    from conftest import make_config

    from luzhi.server.app import create_app

    app = create_app(make_config(built_store, page_size=7))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def largest_department(store) -> tuple[str, int]:
    rows = store.select(
        PREFIX + "SELECT ?o (COUNT(DISTINCT ?d) AS ?n) WHERE { { ?d lz:upperDepartment ?o } UNION "
        "{ ?d lz:participation/lz:department ?o } } GROUP BY ?o ORDER BY DESC(?n) LIMIT 1"
    )
    return str(rows[0]["o"]), int(rows[0]["n"])


def test_paging_rdf_on_largest_department(built_store, small_pages, largest_department):
    """A department's Turtle pages its duties, as its HTML page does (it paged every incoming link, observations
    included, so the two disagreed on the count and on what `?page=2` held; cold review)."""
    iri, duties = largest_department
    assert duties > 7 * 2, "the largest department should need several pages of 7"
    path = "/doc/" + iri[len(built_store.base + "/id/") :]
    seen: set[str] = set()
    url = small_pages + path + ".ttl"
    pages = 0
    while url:
        response = requests.get(url)
        assert response.status_code == 200
        graph = Graph().parse(data=response.text, format="turtle")
        # A duty links to its department directly (lz:upperDepartment) or through its participation.
        linked = {s for s, p, o in graph if o == URIRef(iri) and p != FOAF.primaryTopic}
        page_duties = {str(s) for s, p, o in graph if s in linked or (p == LZ.participation and o in linked)}
        page_duties -= {str(pa) for _d, _p, pa in graph.triples((None, LZ.participation, None))}
        assert 0 < len(page_duties) <= 7
        assert not seen & page_duties
        seen |= page_duties
        pages += 1
        document = URIRef(built_store.base + path + ".ttl" + ("" if pages == 1 else f"?page={pages}"))
        assert graph.value(document, HYDRA.totalItems) == Literal(duties)
        next_in_rdf = graph.value(document, HYDRA.next)
        link = response.links.get("next")
        assert (next_in_rdf is None) == (link is None)
        url = small_pages + link["url"] if link else None
    assert len(seen) == duties  # every duty on exactly one page, none lost
    assert pages == -(-duties // 7)


def test_paging_html_on_largest_department(small_pages, built_store, largest_department):
    iri, duties = largest_department
    path = "/doc/" + iri[len(built_store.base + "/id/") :]
    first = requests.get(small_pages + path, headers={"Accept": "text/html"})
    assert first.status_code == 200
    assert 'rel="next"' in first.text and "?page=2" in first.text
    last_page = -(-duties // 7)
    last = requests.get(f"{small_pages}{path}?page={last_page}", headers={"Accept": "text/html"})
    assert last.status_code == 200 and 'rel="prev"' in last.text and 'rel="next"' not in last.text
    assert requests.get(f"{small_pages}{path}?page=zero").status_code == 400


def test_search_json_feeds_pages(live_server):
    body = requests.get(live_server.url + "/search.json", params={"q": "森林防火"}).json()
    assert body["total"] > 0 and body["results"]
    for result in body["results"]:
        # Found in the title, or (issue 11) in a responsibility text, which the result then quotes.
        assert "森林防火" in (result["label"] if "title" in result["matched_in"] else result["excerpt"])
        assert requests.get(live_server.url + result["page"]).status_code == 200
    assert json.dumps(body, ensure_ascii=False)

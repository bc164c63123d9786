"""Web errors found by a cold review, over real HTTP: pages past the end are 404, a JSON route's errors are
JSON, and percent-escapes that are not UTF-8 are a 400 naming the parameter."""

from __future__ import annotations

import re
import threading
from urllib.parse import unquote_to_bytes

import pytest
import requests
from compare_helpers import XIAOJINGZHUANG, _select
from rdflib import Graph, Literal
from rdflib.namespace import Namespace
from werkzeug.serving import make_server

from luzhi.server.query_string import not_utf8

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")

PREFIX = "PREFIX lz: <https://w3id.org/luzhi/def#>\n"


def _doc(live_server, iri: str) -> str:
    return live_server.url + "/doc/" + iri[len(live_server.url + "/id/"):]


def _last_page(response: requests.Response) -> int:
    """The last page number the HTML pager shows ("第 1 / 2 页"), 1 when there is no pager."""
    found = re.search(r"第 (\d+) / (\d+) 页", response.text)
    return int(found.group(2)) if found else 1


LISTINGS = ["?d lz:category ?x", "{ ?d lz:upperDepartment ?x } UNION { ?d lz:participation/lz:department ?x }"]


@pytest.mark.parametrize("where", LISTINGS)
def test_a_page_past_the_last_is_404(live_server, where):
    rows = _select(live_server.url, f"{PREFIX}SELECT ?x WHERE {{ {where} }} LIMIT 1")
    url = _doc(live_server, rows[0]["x"])
    first = requests.get(url, headers={"Accept": "text/html"}, timeout=60)
    assert first.status_code == 200
    last = _last_page(first)
    assert requests.get(url, params={"page": last}, headers={"Accept": "text/html"}, timeout=60).status_code == 200
    for past in (last + 1, 99):
        response = requests.get(url, params={"page": past}, headers={"Accept": "text/html"}, timeout=60)
        assert response.status_code == 404, (url, past)
        assert f"第 {past} / " not in response.text


@pytest.fixture(scope="module")
def small_pages(built_store):
    """The same store behind a second app with pages of 7, so a category's and a department's duties span pages."""
    from conftest import make_config

    from luzhi.server.app import create_app

    app = create_app(make_config(built_store, page_size=7))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.mark.parametrize("where", LISTINGS)
def test_html_and_rdf_page_the_same_duties(live_server, small_pages, where):
    """A category's Turtle said 221 items in 3 pages while its page listed 187 duties in 2 (cold review): both
    now count its duties, as SPARQL counts them, and each page of both holds the same duties."""
    rows = _select(live_server.url, f"{PREFIX}SELECT ?x (COUNT(DISTINCT ?d) AS ?n) WHERE {{ {where} }} "
                                    "GROUP BY ?x ORDER BY DESC(?n) ?x LIMIT 1")
    iri, expected = rows[0]["x"], int(rows[0]["n"])
    last = -(-expected // 7)
    assert last > 2, "the listing must span several pages of 7"
    path = "/doc/" + iri[len(live_server.url + "/id/"):]
    first = requests.get(small_pages + path, headers={"Accept": "text/html"}, timeout=60)
    assert f"第 1 / {last} 页，共 {expected} 项职责" in first.text
    seen: set[str] = set()
    for page in range(1, last + 1):
        html = requests.get(small_pages + path, params={"page": page}, headers={"Accept": "text/html"}, timeout=60)
        shown = set(re.findall(r'<li><a href="/doc/(duty/[^"]+)"', html.text))
        turtle = requests.get(small_pages + path, params={"page": page}, headers={"Accept": "text/turtle"},
                              timeout=60)
        assert turtle.status_code == 200
        graph = Graph().parse(data=turtle.text, format="turtle")
        assert set(graph.objects(None, HYDRA.totalItems)) == {Literal(expected)}
        paths = {str(s)[len(live_server.url + "/id/"):] for s in graph.subjects()}
        duties = {p for p in paths if re.fullmatch(r"duty/[^/]+/[^/]+/[^/]+", p)}  # not their participations
        assert duties == shown and 0 < len(shown) <= 7, page
        seen |= shown
    assert len(seen) == expected  # every duty on exactly one page of each
    for mime in ("text/html", "text/turtle"):
        past = requests.get(small_pages + path, params={"page": last + 1}, headers={"Accept": mime}, timeout=60)
        assert past.status_code == 404, mime


@pytest.mark.parametrize("query", ["page=0", "q=" + "森" * 101, "q=x&kind=nothing", "q=x&township=not%20an%20iri"])
def test_search_json_errors_are_json(live_server, query):
    response = requests.get(f"{live_server.url}/search.json?{query}", timeout=60)
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json()["error"]


def test_search_errors_follow_accept(live_server):
    url = f"{live_server.url}/search?page=0"
    as_json = requests.get(url, headers={"Accept": "application/json"}, timeout=60)
    assert as_json.status_code == 400 and "page" in as_json.json()["error"]
    as_html = requests.get(url, headers={"Accept": "text/html"}, timeout=60)
    assert as_html.status_code == 400 and as_html.headers["Content-Type"].startswith("text/html")


def test_compare_json_errors_are_json(live_server):
    response = requests.get(f"{live_server.url}/compare.json", params={"t": XIAOJINGZHUANG}, timeout=60)
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("application/json")
    assert "got 1" in response.json()["error"]
    missing = requests.get(f"{live_server.url}/no/such/thing.json", timeout=60)
    assert missing.status_code == 404 and missing.json()["error"]


@pytest.mark.parametrize("accept", ["text/html,application/xhtml+xml,*/*;q=0.8", "application/json", "*/*"])
def test_an_unknown_source_answers_alike_whatever_its_name_ends_with(live_server, accept):
    """A source file's `.json` ending is its name, not a format: `/source/%2e%2e/build.json` answered a browser
    JSON, where `/source/nothing.txt` answers the site's 404 page (cold review)."""
    answers = [requests.get(f"{live_server.url}/source/{name}", headers={"Accept": accept}, timeout=60)
               for name in ("nothing.txt", "%2e%2e/build.json", "nothing.json")]
    assert [a.status_code for a in answers] == [404, 404, 404]
    assert len({a.headers["Content-Type"] for a in answers}) == 1, [a.headers["Content-Type"] for a in answers]
    if accept != "*/*":
        assert answers[0].headers["Content-Type"].startswith(accept.split(",")[0])
    assert "build.json" in answers[1].text and "build" not in answers[0].text  # the path the server saw


@pytest.mark.parametrize(("path", "query", "name"), [
    ("/search", "q=%FF%FE", "q"),
    ("/search.json", "q=%C0%AF", "q"),
    ("/sparql", "query=" + requests.utils.quote('SELECT * WHERE { ?s ?p "') + "%C0%AF" + requests.utils.quote('" }'),
     "query"),
])
def test_non_utf8_escapes_are_400_naming_the_parameter(live_server, path, query, name):
    response = requests.get(f"{live_server.url}{path}?{query}", timeout=60)
    assert response.status_code == 400, response.text
    assert f"`{name}`" in response.text and "UTF-8" in response.text
    # refused before Flask, yet with the headers every answer carries (cold review)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    if path.endswith(".json"):
        assert "UTF-8" in response.json()["error"]


def test_non_utf8_sparql_form_body_is_400(live_server):
    body = b"query=" + requests.utils.quote('SELECT * WHERE { ?s ?p "').encode() + b"%C0%AF%22%20%7D"
    response = requests.post(f"{live_server.url}/sparql", data=body, timeout=60,
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 400, response.text
    assert "query" in response.text and "UTF-8" in response.text


def test_utf8_escapes_still_search(live_server):
    response = requests.get(f"{live_server.url}/search.json?q=%E6%A3%AE%E6%9E%97", timeout=60)
    assert response.status_code == 200 and response.json()["q"] == "森林"


@pytest.mark.parametrize("encoded", [
    "query=ASK%20%7B%7D", "q=%e6%a3%ae%E6%9E%97", "q=%C0%AF", "q=%FF%FE&x=1", "a=1&%FF=2", "q=%%8F", "q=%8",
    "q=森林&r=%E6%A3", "q=%41%42+%2B", "q=%", "x=%7F%80", b"query=\xe6\xa3\xae%20x", b"query=ASK\xff", b"\xff=1",
    b"q=\xc3\xbf",
])
def test_the_utf8_check_of_a_form_says_what_decoding_every_pair_says(encoded):
    """server/limits.py skips decoding when no raw byte or escape names a byte ≥ 0x80 (issue 13): same verdict.
    A body's raw bytes are bytes: `\xff` is no UTF-8 (it was read as the latin-1 ÿ and passed, cold review)."""
    raw = encoded if isinstance(encoded, bytes) else encoded.encode("utf-8")
    expected = None
    for pair in raw.split(b"&"):
        name, _eq, value = pair.partition(b"=")
        try:
            name_text = unquote_to_bytes(name.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            expected = "".join(chr(b) if 0x20 < b < 0x7F else f"%{b:02X}" for b in name)  # as sent
            break
        try:
            unquote_to_bytes(value.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            expected = name_text
            break
    assert not_utf8(encoded) == expected


def test_a_parameter_name_that_is_no_utf8_is_named_as_sent(live_server):
    """Cold review 29: `?%ff=1` was named "parameter `b'\\xff'`", Python's repr of its bytes."""
    response = requests.get(f"{live_server.url}/search.json?q=1&%ff=1", timeout=60)
    assert response.status_code == 400 and "parameter `%ff` is not valid utf-8" in response.text.lower(), response.text

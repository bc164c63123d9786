"""A list's page is paged: HTML, its JSON and its RDF twin show the same duties on the same pages, in 序号 order;
CSV and .xlsx stay the whole list. Over real HTTP, against the bundled store, served a second time with pages of 7
so that its lists span many (docs/linked-data.md, docs/compare.md).

A list of 66,000 synthetic items took 12–36 s shown whole; its timings are measured by bench/list_page_bench.py,
not asserted here.
"""

from __future__ import annotations

import csv
import io
import re
import time

import pytest
import requests
from compare_helpers import _select
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import Namespace
from sparql_server import serve

from luzhi.server import tables
from luzhi.server.views import list_tables

PAGE = 7
PREFIX = "PREFIX lz: <https://w3id.org/luzhi/def#>\n"
LZ = Namespace("https://w3id.org/luzhi/def#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
ROW = re.compile(r'<td class="num"><a href="/doc/(duty/[^"]+)">\d+</a></td>')


@pytest.fixture(scope="module")
def small(built_store):
    """The bundled store behind a second app whose lists have pages of 7 (other listings keep pages of 100)."""
    from conftest import make_config

    with serve(make_config(built_store, list_page_size=PAGE)) as server:
        yield server


@pytest.fixture(scope="module")
def longest(live_server) -> tuple[str, list[str]]:
    """The longest bundled list's `/doc/…` path and its duties (paths under /doc/) in 序号 order, by SPARQL."""
    iri = _select(live_server.url, PREFIX + "SELECT ?l (COUNT(?d) AS ?n) WHERE { ?d lz:inList ?l } GROUP BY ?l "
                                            "ORDER BY DESC(?n) ?l LIMIT 1")[0]["l"]
    rows = _select(live_server.url, PREFIX + f"SELECT ?d ?seq WHERE {{ ?d lz:inList <{iri}> ; lz:sequence ?seq }}")
    duties = [row["d"] for row in sorted(rows, key=lambda row: (int(row["seq"]), row["d"]))]
    assert len(duties) > 3 * PAGE, "the longest list must span several pages of 7"
    return _doc(live_server, iri), [_doc(live_server, duty) for duty in duties]


def _doc(live_server, iri: str) -> str:
    return iri[len(live_server.url + "/id/"):]


def _html(url: str, **params) -> requests.Response:
    return requests.get(url, params=params, headers={"Accept": BROWSER}, timeout=60)


def test_the_html_pages_walk_the_whole_list_in_order(small, longest):
    path, duties = longest
    last = -(-len(duties) // PAGE)
    url, seen, page = f"{small.base}/doc/{path}", [], 0
    while url:
        response = _html(url)
        page += 1
        assert response.status_code == 200, url
        shown = ROW.findall(response.text)
        assert 0 < len(shown) <= PAGE
        first = len(seen) + 1
        assert f"第 {first}–{first + len(shown) - 1} 项，共 {len(duties)} 项" in response.text
        assert f"第 {page} / {last} 页，共 {len(duties)} 项" in response.text  # the pager
        seen += shown
        found = re.search(r'<a rel="next" href="([^"]+)"', response.text)
        assert (found is None) == (page == last)
        assert ('rel="next"' in response.headers.get("Link", "")) == (found is not None)
        url = small.base + found.group(1).replace("&amp;", "&") if found else None
    assert seen == duties


def test_the_count_line_in_english(small, longest):
    path, duties = longest
    response = _html(f"{small.base}/doc/{path}", page=2, lang="en")
    assert f"items {PAGE + 1}–{2 * PAGE} of {len(duties)}" in response.text
    assert f'<a rel="next" href="/doc/{path}?page=3&amp;lang=en"' in response.text  # the language is kept


def test_the_json_pages_are_the_html_pages(small, live_server, longest):
    path, duties = longest
    last = -(-len(duties) // PAGE)
    url, page = f"{small.base}/doc/{path}.json", 0
    while url:
        body = requests.get(url, timeout=60).json()
        page += 1
        assert (body["page"], body["page_size"], body["pages"], body["total"], body["list_total"]) == (
            page, PAGE, last, len(duties), len(duties))
        html = ROW.findall(_html(f"{small.base}/doc/{path}", page=page).text)
        assert [_doc_of(row["duty"]) for row in body["rows"]] == html == duties[(page - 1) * PAGE:page * PAGE]
        assert [row["sequence"] for row in body["rows"]] == sorted(row["sequence"] for row in body["rows"])
        assert (body["next"] is None) == (body["next_url"] is None) == (page == last)
        assert (body["previous"] is None) == (page == 1)
        if body["next"]:
            # In full under the site's base (the IRIs' own: this app serves the same store on another port).
            assert body["next_url"] == live_server.url + body["next"] and body["next"].endswith(f"page={page + 1}")
        url = small.base + body["next"] if body["next"] else None
    assert page == last


def _doc_of(iri: str) -> str:
    return iri.split("/id/", 1)[1]


@pytest.fixture(scope="module")
def largest_category(live_server, longest) -> tuple[str, int]:
    path, _duties = longest
    row = _select(live_server.url, PREFIX + f"SELECT ?c (COUNT(?d) AS ?n) WHERE {{ ?d lz:inList <{live_server.url}"
                                            f"/id/{path}> ; lz:category ?c }} GROUP BY ?c ORDER BY DESC(?n) ?c LIMIT 1")
    category, n = row[0]["c"], int(row[0]["n"])
    assert n > PAGE, "the list's largest category must span pages of 7"
    return category, n


def test_a_filtered_list_pages_what_the_filter_keeps(small, longest, largest_category):
    path, duties = longest
    category, n = largest_category
    slug = category.rsplit("/", 1)[1]
    first = _html(f"{small.base}/doc/{path}", category=slug)
    assert f"第 1–{PAGE} 项，共 {n} / {len(duties)} 项" in first.text
    url, rows = f"{small.base}/doc/{path}.json?category={slug}", []
    while url:
        body = requests.get(url, timeout=60).json()
        assert body["total"] == n and body["list_total"] == len(duties) and body["filters"] == {"category": category}
        rows += body["rows"]
        url = small.base + body["next"] if body["next"] else None
        assert url is None or f"category={slug}" in url  # the filter is kept
    assert len(rows) == n and len({row["category"] for row in rows}) == 1
    assert [_doc_of(row["duty"]) for row in rows] == [d for d in duties if d in {
        _doc_of(row["duty"]) for row in rows}]  # in the list's order


@pytest.mark.parametrize("value", ["0", "-1", "abc", "1.5", "²", "99999999999", ""])
def test_a_bad_page_is_a_400_naming_it(small, longest, value):
    path, _duties = longest
    html = _html(f"{small.base}/doc/{path}", page=value)
    assert html.status_code == 400 and html.headers["Content-Type"].startswith("text/html")
    assert "`page`" in re.search(r'<p class="error-message">(.*?)</p>', html.text, re.S).group(1)
    as_json = requests.get(f"{small.base}/doc/{path}.json", params={"page": value}, timeout=60)
    assert as_json.status_code == 400 and "`page`" in as_json.json()["error"]
    plain = requests.get(f"{small.base}/doc/{path}", params={"page": value}, timeout=60)
    assert plain.status_code == 400 and plain.text.startswith("400 ") and "`page`" in plain.text


def test_a_page_past_the_last_is_a_404_saying_where_the_last_is(small, longest):
    path, duties = longest
    last = -(-len(duties) // PAGE)
    assert _html(f"{small.base}/doc/{path}", page=last).status_code == 200
    for past in (last + 1, 999):
        html = _html(f"{small.base}/doc/{path}", page=past)
        assert html.status_code == 404 and html.headers["Content-Type"].startswith("text/html")
        message = re.search(r'<p class="error-message">(.*?)</p>', html.text, re.S).group(1)
        assert "`page`" in message and f"{len(duties)} items" in message
        assert f"/doc/{path}?page={last}" in message
        as_json = requests.get(f"{small.base}/doc/{path}.json", params={"page": past}, timeout=60)
        assert as_json.status_code == 404 and list(as_json.json()) == ["error"]
        assert f"/doc/{path}.json?page={last}" in as_json.json()["error"]
        plain = requests.get(f"{small.base}/doc/{path}", params={"page": past}, timeout=60)
        assert plain.status_code == 404 and plain.text.startswith("404 ") and "`page`" in plain.text


def test_a_filter_that_keeps_nothing_is_one_empty_page(small, live_server, longest):
    path, duties = longest
    absent = _select(live_server.url, PREFIX + "SELECT ?c WHERE { ?x lz:category ?c FILTER NOT EXISTS { ?d lz:inList "
                                               f"<{live_server.url}/id/{path}> ; lz:category ?c }} }} LIMIT 1")[0]["c"]
    body = requests.get(f"{small.base}/doc/{path}.json", params={"category": absent}, timeout=60).json()
    assert (body["total"], body["pages"], body["rows"], body["next"]) == (0, 1, [], None)
    html = _html(f"{small.base}/doc/{path}", category=absent)
    assert html.status_code == 200 and not ROW.findall(html.text) and f"0 / {len(duties)} 项" in html.text
    assert _html(f"{small.base}/doc/{path}", category=absent, page=2).status_code == 404


def test_the_csv_is_the_whole_list_whatever_the_page(small, longest):
    path, duties = longest
    response = requests.get(f"{small.base}/doc/{path}.csv", params={"page": 2}, timeout=60)
    assert response.status_code == 200 and response.headers["Transfer-Encoding"] == "chunked"  # streamed
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [_doc_of(row["duty"]) for row in rows] == duties
    pages = [row for page in range(1, -(-len(duties) // PAGE) + 1)
             for row in requests.get(f"{small.base}/doc/{path}.json", params={"page": page}, timeout=60).json()["rows"]]
    assert [(str(row["sequence"]), row["title"]) for row in pages] == [(row["sequence"], row["title"]) for row in rows]


def test_a_csv_read_in_chunks_is_the_same_and_lets_its_snapshot_go(small, longest, monkeypatch):
    """The whole list is read a few duties a query and sent a few rows a chunk; each request holds its snapshot
    until the last chunk is sent, or the response is closed unsent (HEAD), and not after."""
    path, _duties = longest
    whole = requests.get(f"{small.base}/doc/{path}.csv", timeout=60).content
    monkeypatch.setattr(list_tables, "LIST_CHUNK", 5)
    monkeypatch.setattr(tables, "CSV_ROWS", 3)
    chunked = requests.get(f"{small.base}/doc/{path}.csv", timeout=60)
    assert chunked.content == whole
    assert requests.head(f"{small.base}/doc/{path}.csv", timeout=60).status_code == 200
    etag = chunked.headers["ETag"]
    assert requests.get(f"{small.base}/doc/{path}.csv", headers={"If-None-Match": etag}, timeout=60).status_code == 304
    live = small.app.extensions["luzhi.live"]
    deadline = time.monotonic() + 5
    while live.current.users and time.monotonic() < deadline:  # the server thread closes just after sending
        time.sleep(0.05)
    assert live.current.users == 0


def test_the_rdf_twin_pages_the_same_duties(small, live_server, longest):
    """A list's Turtle pages its duties by `list_page_size` too (its `page_size` is 100 here): `?page=2` of both
    holds the same duties."""
    path, duties = longest
    last = -(-len(duties) // PAGE)
    for page in (1, 2, last):
        turtle = requests.get(f"{small.base}/doc/{path}.ttl", params={"page": page}, timeout=60)
        graph = Graph().parse(data=turtle.text, format="turtle")
        listed = {_doc(live_server, str(s)) for s in graph.subjects(LZ.inList, URIRef(f"{live_server.url}/id/{path}"))}
        assert listed == set(ROW.findall(_html(f"{small.base}/doc/{path}", page=page).text)), page
        assert set(graph.objects(None, HYDRA.totalItems)) == {Literal(len(duties))}
    assert requests.get(f"{small.base}/doc/{path}.ttl", params={"page": last + 1}, timeout=60).status_code == 404


def test_every_bundled_list_is_one_page_by_default(live_server):
    """With the default `list_page_size` (200) a real list (at most ~150 items) is shown whole, as before lists
    were paged: no pager, the count line as it was."""
    lists = _select(live_server.url, PREFIX + "SELECT ?l (COUNT(?d) AS ?n) WHERE { ?d lz:inList ?l } GROUP BY ?l")
    assert len(lists) == 15
    for row in lists:
        path, n = _doc(live_server, row["l"]), int(row["n"])
        html = _html(f"{live_server.url}/doc/{path}")
        assert len(ROW.findall(html.text)) == n and 'class="pager"' not in html.text and f"· {n} 项</p>" in html.text
        body = requests.get(f"{live_server.url}/doc/{path}.json", timeout=60).json()
        assert (body["pages"], body["total"], len(body["rows"]), body["next"]) == (1, n, n, None)

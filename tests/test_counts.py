"""The counts a user gets (issue 11, finding 2): the query a user writes first, without DISTINCT,
equals the data-quality report and the pages, for every bundled township × list × category.

pyoxigraph 0.5 counts a triple once per named graph holding it in the union default graph
(oxigraph issue 1919), so this only holds while no triple is stated in two graphs; the natural
query must also not match list or section resources. Expected figures come from the build's
report (what the parser counted), never from running the query under test.
"""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser

import pyoxigraph as ox
import pytest
import requests

from luzhi.etl.build import bundled_documents
from luzhi.etl.categories import category_key
from luzhi.ontology.namespaces import sparql_prologue

LIST_TYPE = {"basic": "lz:BasicList", "cooperative": "lz:CooperativeList", "reclaimed": "lz:ReclaimedList"}


@pytest.fixture(scope="module")
def reports(built_store) -> list[dict]:
    documents = [r.to_dict() for r in built_store.result.documents]
    assert len(documents) == len(bundled_documents())  # every bundled township, none lost
    return documents


def _natural(store, township: str, list_type: str | None = None) -> Counter:
    """The query as a user writes it: no DISTINCT, no rdf:type, grouped by the category's label."""
    restriction = f"; lz:listType {list_type}" if list_type else ""
    rows = store.select(
        sparql_prologue()
        + f"SELECT ?label (COUNT(?d) AS ?n) WHERE {{ ?d lz:township <{township}> {restriction} ; lz:category ?c . "
        "?c skos:prefLabel ?label } GROUP BY ?label"
    )
    counts = Counter()
    for row in rows:
        key = category_key(str(row["label"]))
        assert key not in counts, f"two labels of one category: {row['label']}"
        counts[key] = int(row["n"])
    return counts


def _reported(document: dict, kind: str | None = None) -> Counter:
    counts = Counter()
    for listed in document["lists"]:
        if kind in (None, listed["kind"]):
            for category in listed["categories"]:
                counts[category_key(category["category"])] += category["parsed"]
    return counts


class _ListPage(HTMLParser):
    """Rows of a list page under each category heading (`tr.category-row`)."""

    def __init__(self):
        super().__init__()
        self.counts: Counter = Counter()
        self.current: str | None = None
        self._in_heading = False
        self._heading = ""
        self._in_body = False

    def handle_starttag(self, tag, attrs):
        if tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            if ("class", "category-row") in attrs:
                self._in_heading, self._heading = True, ""
            else:
                self.counts[self.current] += 1

    def handle_endtag(self, tag):
        if tag == "tr" and self._in_heading:
            self._in_heading = False
            self.current = category_key(self._heading.strip())

    def handle_data(self, data):
        if self._in_heading:
            self._heading += data


def _division(base: str, document: dict) -> str:
    return f"{base}/id/division/{document['township_code']}"


def test_the_natural_count_equals_the_report_per_township(store, reports, built_store):
    for document in reports:
        assert _natural(store, _division(built_store.base, document)) == _reported(document), document["file"]


def test_the_natural_count_equals_the_report_and_the_list_page_per_list(store, reports, live_server):
    checked = 0
    for document in reports:
        for listed in document["lists"]:
            kind = listed["kind"]
            natural = _natural(store, _division(live_server.url, document), LIST_TYPE[kind])
            assert natural == _reported(document, kind), (document["file"], kind)
            url = f"{live_server.url}/doc/list/{document['township_code']}/{kind}"
            page = _ListPage()
            page.feed(requests.get(url, headers={"Accept": "text/html"}, timeout=60).text)
            assert page.counts == natural, url
            checked += sum(1 for _ in natural)
    assert checked == sum(len(_reported(d, listed["kind"])) for d in reports for listed in d["lists"]) > 100


def test_the_home_page_counts_duties_not_sections(store, reports, live_server):
    """Home page, per category: 自然资源 said 52 (duties + 5 sections) where its page lists 47."""
    expected = Counter()
    for document in reports:
        expected.update(_reported(document))
    natural = Counter()
    for row in store.select(sparql_prologue() + "SELECT ?label (COUNT(?d) AS ?n) WHERE { ?d lz:category ?c . "
                            "?c skos:prefLabel ?label } GROUP BY ?label"):
        natural[category_key(str(row["label"]))] = int(row["n"])
    assert natural == expected
    html = requests.get(live_server.url + "/", timeout=60).text
    section = html[html.index("事项类别</h2>"):]
    shown = Counter({category_key(name): int(n) for name, n in
                     re.findall(r'<span lang="zh">([^<]+)</span></a> <small>(\d+)</small>', section)})
    assert shown == expected


def test_no_triple_is_stated_in_two_graphs(store):
    rows = store.select("SELECT (COUNT(*) AS ?n) WHERE { { SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } "
                        "GROUP BY ?s ?p ?o HAVING (COUNT(?g) > 1) } }")
    assert int(rows[0]["n"]) == 0


def test_spellings_of_one_category_are_one_concept(store, built_store):
    """应急管理及消防 (most documents) and 应急管理与消防 (sample 001's cooperative list) are one concept."""
    scheme = f"<{built_store.base}/id/category>"
    rows = store.select(sparql_prologue() + f"SELECT ?c ?pref ?alt WHERE {{ ?c skos:inScheme {scheme} ; "
                        "skos:prefLabel ?pref FILTER(CONTAINS(?pref, '应急管理')) OPTIONAL { ?c skos:altLabel ?alt } }")
    assert [(str(r["pref"]), str(r.get("alt"))) for r in rows] == [("应急管理及消防", "应急管理与消防")]
    assert str(rows[0]["c"]) == f"{built_store.base}/id/category/ying-ji-guan-li-xiao-fang"


def test_the_shared_graph_is_served(store, live_server):
    response = requests.get(f"{live_server.url}/graph/shared.nt", timeout=60)
    assert response.status_code == 200
    served = [line for line in response.text.splitlines() if line.strip()]
    rows = store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{live_server.url}/graph/shared> {{ ?s ?p ?o }} }}")
    assert len(served) == int(rows[0]["n"]) > 100


@pytest.mark.parametrize("graph", ["kinds", "shared"])
def test_store_wide_graphs_are_streamed_whole(store, live_server, graph):
    """They grow with the country (cold review: serialised whole per request): streamed N-Triples, also
    served as Turtle; `/graph/{name}.jsonld` (a format that needs the whole graph in memory) is no document, a 404
    naming the ones offered (it was a 406, cold review); asked for by `Accept`, JSON-LD alone is a 406."""
    iri = f"{live_server.url}/graph/{graph}"
    expected = {(q.subject, q.predicate, q.object) for q in store.graph_quads(iri)}
    for accept in ("application/n-triples", "text/turtle"):
        response = requests.get(iri, headers={"Accept": accept}, timeout=60)
        assert response.status_code == 200 and response.headers["Content-Type"].startswith(accept)
        fmt = ox.RdfFormat.N_TRIPLES if accept.endswith("triples") else ox.RdfFormat.TURTLE
        got = {(t.subject, t.predicate, t.object) for t in ox.parse(response.content, format=fmt)}
        assert got == expected and len(expected) > 100
    refused = requests.get(f"{iri}.jsonld", timeout=60)
    assert refused.status_code == 404 and f"/graph/{graph}.nt" in refused.text and f"/graph/{graph}.ttl" in refused.text
    negotiated = requests.get(iri, headers={"Accept": "application/ld+json"}, timeout=60)
    assert negotiated.status_code == 406 and "application/n-triples" in negotiated.text
    rather = requests.get(iri, headers={"Accept": "application/ld+json, */*;q=0.1"}, timeout=60)
    assert rather.status_code == 200 and rather.headers["Content-Type"].startswith("text/turtle")

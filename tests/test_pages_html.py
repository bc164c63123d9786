"""The pages people read: Chinese first, `?lang=en`, one page per kind with what issue 6 asks of it."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import requests
from rdflib import Graph, URIRef

PREFIX = "PREFIX lz: <https://w3id.org/luzhi/def#>\nPREFIX dct: <http://purl.org/dc/terms/>\n"


class _Anchors(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.html_lang = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "html":
            self.html_lang = attrs.get("lang")


def parse(html: str) -> _Anchors:
    parser = _Anchors()
    parser.feed(html)
    return parser


def page(live_server, iri: str, **params) -> requests.Response:
    url = live_server.url + "/doc/" + iri[len(live_server.url + "/id/") :]
    response = requests.get(url, params=params, headers={"Accept": "text/html"})
    assert response.status_code == 200, url
    return response


def test_home(live_server):
    response = requests.get(live_server.url + "/")
    parsed = parse(response.text)
    assert parsed.html_lang == "zh-Hans"
    assert "履行职责事项清单" in response.text
    for target in ("/sparql", "/dumps/", "/.well-known/void", "/def"):
        assert target in parsed.links
    english = requests.get(live_server.url + "/", params={"lang": "en"})
    assert parse(english.text).html_lang == "en" and "township" in english.text


def test_township_page_has_breadcrumbs_and_three_lists(live_server, store):
    row = store.select(PREFIX + "SELECT ?t WHERE { ?l a lz:DutyList ; lz:ofTownship ?t } LIMIT 1")[0]
    township = str(row["t"])
    response = page(live_server, township)
    chain = store.select(
        PREFIX + f"SELECT ?label WHERE {{ <{township}> lz:parentDivision* ?d . "
        "?d <http://www.w3.org/2000/01/rdf-schema#label> ?label }"
    )
    crumbs = re.search(r'<nav class="crumbs".*?</nav>', response.text, re.S).group(0)
    for label in chain:
        assert str(label["label"]) in crumbs
    lists = store.select(
        PREFIX + f"SELECT ?l ?n WHERE {{ ?l a lz:DutyList ; lz:ofTownship <{township}> ; lz:itemCount ?n }}"
    )
    assert len(lists) == 3
    for entry in lists:
        assert f'{entry["n"]} 项' in response.text


def test_list_page_is_the_full_table(live_server, store):
    row = store.select(
        PREFIX + "SELECT ?l (COUNT(?d) AS ?n) WHERE { ?l lz:ofListType lz:CooperativeList . ?d lz:inList ?l } "
        "GROUP BY ?l LIMIT 1"
    )[0]
    response = page(live_server, str(row["l"]))
    body = response.text.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    duty_rows = re.findall(r'<td class="num"><a href="[^"]+">(\d+)</a></td>', body)
    assert len(duty_rows) == int(row["n"])
    for header in ("序号", "事项名称", "对应上级部门", "上级部门职责"):
        assert header in response.text


def test_duty_page(live_server, store):
    row = store.select(
        PREFIX + "SELECT ?d ?title ?resp ?dept WHERE { ?d lz:participation ?p ; dct:title ?title . "
        "?p lz:responsibility ?resp ; lz:department ?dept } LIMIT 1"
    )[0]
    response = page(live_server, str(row["d"]))
    text = response.text
    assert str(row["title"]) in text
    assert str(row["resp"]) in text  # each department with its own responsibility
    assert "/doc/" + str(row["dept"])[len(live_server.url + "/id/") :] in text
    source = re.search(r'href="(/source/[^"#]+)#line=(\d+),(\d+)"', text)
    assert source, "the duty page links its source lines"
    assert requests.get(live_server.url + source.group(1)).status_code == 200


def test_reclaimed_duty_says_who_took_over(live_server, store):
    row = store.select(
        PREFIX + "SELECT ?d ?org WHERE { ?d lz:listType lz:ReclaimedList ; lz:upperDepartment ?org } LIMIT 1"
    )[0]
    response = page(live_server, str(row["d"]))
    assert "承接部门及工作方式" in response.text
    assert "/doc/" + str(row["org"])[len(live_server.url + "/id/") :] in response.text


def test_department_page_groups_by_township(live_server, store):
    row = store.select(
        PREFIX + "SELECT ?o (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d lz:upperDepartment ?o } "
        "GROUP BY ?o ORDER BY DESC(?n) LIMIT 1"
    )[0]
    response = page(live_server, str(row["o"]))
    assert '<section class="duties">' in response.text
    assert re.search(r'<span class="count">\d+</span>', response.text)


def test_category_page_and_english_fallback(live_server, store):
    row = store.select(PREFIX + "SELECT ?c WHERE { ?d lz:category ?c } LIMIT 1")[0]
    zh = page(live_server, str(row["c"]))
    en = page(live_server, str(row["c"]), lang="en")
    # Categories have only Chinese labels: English pages fall back to them, marked lang="zh".
    assert 'lang="zh"' in en.text and parse(en.text).html_lang == "en"
    assert parse(zh.text).html_lang == "zh-Hans"


def test_search_page(live_server):
    response = requests.get(live_server.url + "/search", params={"q": "森林防火"})
    assert response.status_code == 200
    assert "森林防火" in response.text and "/doc/duty/" in response.text
    assert requests.get(live_server.url + "/search", params={"q": "森林防火", "kind": "bogus"}).status_code == 400
    nothing = requests.get(live_server.url + "/search", params={"q": "不存在的事项名称ZZZ"})
    assert nothing.status_code == 200 and "没有结果" in nothing.text


def test_def_has_an_anchor_for_every_term(live_server):
    html = requests.get(live_server.url + "/def", headers={"Accept": "text/html"}).text
    turtle = requests.get(live_server.url + "/def", headers={"Accept": "text/turtle"})
    assert turtle.headers["Content-Type"].startswith("text/turtle")
    graph = Graph().parse(data=turtle.text, format="turtle")
    namespace = "https://w3id.org/luzhi/def#"
    terms = {
        str(s)[len(namespace) :] for s in graph.subjects() if isinstance(s, URIRef) and str(s).startswith(namespace)
    }
    terms.discard("")
    assert len(terms) > 20
    missing = terms - parse(html).ids
    assert not missing
    redirect = requests.get(live_server.url + "/def/Duty", allow_redirects=False)
    assert redirect.status_code == 303 and redirect.headers["Location"].endswith("/def#Duty")


def test_source_is_plain_utf8(live_server, store):
    # Every source document: each is a real list, whose text names at least one of the lists.
    rows = store.select(PREFIX + "SELECT ?s WHERE { ?s a lz:SourceDocument } ORDER BY ?s")
    assert len(rows) == 5
    for row in rows:
        response = requests.get(str(row["s"]))
        assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
        assert "基本履职事项清单" in response.text
    assert requests.get(live_server.url + "/source/../pyproject.toml").status_code == 404

"""Comparison pages (issue 14) over real HTTP: /compare and its twins, duty kind pages, "the same duty
elsewhere", a township's chart, list filters and downloads, and the worked SPARQL examples that
answer the same questions, each checked against an answer computed another way.
"""

from __future__ import annotations

import csv
import io
from collections import Counter

import pytest
import requests
from compare_helpers import GENGZHUANG, XIAOJINGZHUANG, XIJIAO, _compare, _report, _select
from openpyxl import load_workbook

from luzhi.ontology.namespaces import sparql_prologue


def test_reform_pairs_in_both_directions_against_sparql(live_server):
    """Every ordered pair of three townships: the page's (doer, reclaimer, kind) set equals SPARQL's."""
    codes = (XIAOJINGZHUANG, XIJIAO, GENGZHUANG)
    page = _compare(live_server.url, *codes).json()
    got = {(r["basic"]["township"], r["reclaimed"]["township"], r["kind"]) for r in page["basic_here_reclaimed_there"]}
    rows = _select(live_server.url, sparql_prologue() + f"""
        SELECT DISTINCT ?a ?b ?kind WHERE {{
          VALUES ?a {{ "{codes[0]}" "{codes[1]}" "{codes[2]}" }} VALUES ?b {{ "{codes[0]}" "{codes[1]}" "{codes[2]}" }}
          ?x lz:township/skos:notation ?a ; lz:listType lz:BasicList ; lz:dutyKind ?kind .
          ?y lz:township/skos:notation ?b ; lz:listType lz:ReclaimedList ; lz:dutyKind ?kind .
          FILTER(?a != ?b)
        }}""")
    assert got == {(r["a"], r["b"], r["kind"]) for r in rows}


def test_counts_match_the_build_report(live_server, built_store):
    """Per list and category, /compare's counts are the ETL's parsed counts (the build report)."""
    page = _compare(live_server.url, XIAOJINGZHUANG, GENGZHUANG).json()
    for position, code in enumerate((XIAOJINGZHUANG, GENGZHUANG)):
        expected = Counter()
        for listed in _report(built_store, code).lists:
            for category in listed.categories:
                expected[(listed.kind, category["category"])] += category["parsed"]
        got = Counter({(r["list"], r["label"]): r["counts"][position] for r in page["counts"]})
        assert +got == +expected
        totals = {listed.kind: listed.parsed for listed in _report(built_store, code).lists}
        assert {k: sum(n for (lk, _c), n in got.items() if lk == k) for k in totals} == totals


def test_shared_and_only_kinds(live_server):
    page = _compare(live_server.url, XIAOJINGZHUANG, XIJIAO, GENGZHUANG).json()
    kinds = {k["kind"]: k["lists"] for k in page["kinds"]}
    assert page["shared_by_all"] and all(all(kinds[k]) for k in page["shared_by_all"])
    for position, code in enumerate((XIAOJINGZHUANG, XIJIAO, GENGZHUANG)):
        for kind in page["only"][code]:
            assert [bool(lists) for lists in kinds[kind]] == [i == position for i in range(3)]
    everyone = _select(live_server.url, sparql_prologue() + f"""
        SELECT ?kind WHERE {{ ?kind a lz:DutyKind .
          {" ".join(f'FILTER EXISTS {{ ?d{c} lz:dutyKind ?kind ; lz:township/skos:notation "{c}" }}'
                    for c in (XIAOJINGZHUANG, XIJIAO, GENGZHUANG))} }}""")
    assert set(page["shared_by_all"]) == {r["kind"] for r in everyone}


def test_compare_csv_has_a_bom_and_reads_back(live_server):
    response = _compare(live_server.url, XIAOJINGZHUANG, XIJIAO, ext="csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    page = _compare(live_server.url, XIAOJINGZHUANG, XIJIAO).json()
    assert len(rows) == len(page["counts"]) + len(page["kinds"])
    assert f"{XIAOJINGZHUANG} 小京庄乡" in rows[0]
    assert any(r["label"] == "党的建设" for r in rows)


def test_compare_xlsx_reads_back(live_server):
    response = _compare(live_server.url, XIAOJINGZHUANG, XIJIAO, ext="xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][4:] == (f"{XIAOJINGZHUANG} 小京庄乡", f"{XIJIAO} 西郊乡")
    assert any(r[3] == "党的建设" and isinstance(r[4], int) for r in rows[1:])


def test_compare_negotiates_by_accept(live_server):
    url = f"{live_server.url}/compare?t={XIAOJINGZHUANG}&t={XIJIAO}"
    assert requests.get(url, headers={"Accept": "application/json"}, timeout=60).json()["townships"][0]["code"] \
        == XIAOJINGZHUANG
    assert requests.get(url, headers={"Accept": "text/csv"}, timeout=60).content.startswith(b"\xef\xbb\xbf")


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("", "2 to 5"),
        (f"t={XIAOJINGZHUANG}", "got 1"),
        ("&".join(f"t={c}" for c in ("140226207", "230302201", "210381121", "150783106", "110101001", "110101002")),
         "got 6"),
        (f"t={XIAOJINGZHUANG}&t=abc", "'abc'"),
        (f"t={XIAOJINGZHUANG}&t=%3E%20%7D", "9-digit"),
        (f"t={XIAOJINGZHUANG}&t={XIAOJINGZHUANG}", "repeats"),
        (f"t={XIAOJINGZHUANG}&t=999999999", "999999999"),
    ],
)
def test_bad_compare_requests_are_400_naming_the_parameter(live_server, query, says):
    for path in ("/compare", "/compare.csv"):
        response = requests.get(f"{live_server.url}{path}?{query}", timeout=60)
        assert response.status_code == 400, (path, query)
        assert says in response.text


def test_a_browser_gets_the_form_to_choose_townships(live_server):
    """A bare /compare in a browser is the form (200); codes that cannot be compared are the form again, filled
    with them and saying why (400); fields left blank are no township. Scripts keep the plain 400."""
    html = {"Accept": "text/html"}
    bare = requests.get(f"{live_server.url}/compare", headers=html, timeout=60)
    assert bare.status_code == 200 and bare.text.count('name="t"') == 5 and 'role="alert"' not in bare.text
    one = requests.get(f"{live_server.url}/compare?t={XIAOJINGZHUANG}&t=", headers=html, timeout=60)
    assert one.status_code == 400 and "got 1" in one.text and f'value="{XIAOJINGZHUANG}"' in one.text
    blanks = requests.get(f"{live_server.url}/compare.json?t={XIAOJINGZHUANG}&t=&t={XIJIAO}&t=+", timeout=60)
    assert [t["code"] for t in blanks.json()["townships"]] == [XIAOJINGZHUANG, XIJIAO]
    assert requests.get(f"{live_server.url}/compare", timeout=60).status_code == 400


def test_list_downloads_read_back_with_the_chinese_text(live_server, built_store):
    listed = next(x for x in _report(built_store, XIAOJINGZHUANG).lists if x.kind == "cooperative")
    base = f"{live_server.url}/doc/list/{XIAOJINGZHUANG}/cooperative"
    response = requests.get(f"{base}.csv", timeout=60)
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == listed.parsed
    sheet = load_workbook(io.BytesIO(requests.get(f"{base}.xlsx", timeout=60).content), read_only=True).active
    sheet_rows = list(sheet.iter_rows(values_only=True))
    assert len(sheet_rows) == listed.parsed + 1
    assert [r[1] for r in sheet_rows[1:]] == [r["title"] for r in rows]
    assert any("县" in r["departments"] for r in rows)  # department names (县应急管理局 …), not IRIs


def test_list_filters_by_category_and_department(live_server, built_store):
    listed = next(x for x in _report(built_store, XIAOJINGZHUANG).lists if x.kind == "cooperative")
    category = max(listed.categories, key=lambda c: c["parsed"])
    iri = _select(live_server.url, sparql_prologue() + "SELECT ?c WHERE { ?c skos:prefLabel "
                  f'"{category["category"]}"@zh . FILTER(CONTAINS(STR(?c), "/id/category/")) }} LIMIT 1')[0]["c"]
    base = f"{live_server.url}/doc/list/{XIAOJINGZHUANG}/cooperative"
    rows = list(csv.DictReader(io.StringIO(
        requests.get(f"{base}.csv", params={"category": iri}, timeout=60).content.decode("utf-8-sig"))))
    assert len(rows) == category["parsed"] and {r["category"] for r in rows} == {category["category"]}
    # regression: the form showed 全部 under an active filter (rdflib's URIRef never equals a str)
    page = requests.get(base, params={"category": iri}, timeout=60).text
    assert f'value="{iri}" selected' in page and page.count(" selected>") == 1
    department = _select(live_server.url, sparql_prologue() + f"""
        SELECT ?o (COUNT(DISTINCT ?d) AS ?n) WHERE {{ ?d lz:inList <{base.replace('/doc/', '/id/')}> ;
        lz:upperDepartment ?o }} GROUP BY ?o ORDER BY DESC(?n) ?o LIMIT 1""")[0]
    path = department["o"][len(live_server.url):]
    html = requests.get(base, params={"department": path}, timeout=60)
    assert html.status_code == 200
    assert html.text.count('<td class="num">') == int(department["n"])
    assert ".csv?department=" in html.text  # the downloads keep the filter
    for bad in ("> }", "http://elsewhere.example/x"):
        assert requests.get(base, params={"category": bad}, timeout=60).status_code == 400


def test_sparql_permalink_is_the_page_for_browsers_and_results_for_clients(live_server):
    """GET /sparql?query= in a browser (Accept: text/html first) reopens the page with the query, its
    prologue folded away; `*/*` and SPARQL clients still get results (the Protocol is unchanged)."""
    query = sparql_prologue() + "SELECT ?d WHERE { ?d a lz:Duty } LIMIT 3"
    browser = requests.get(f"{live_server.url}/sparql", params={"query": query}, timeout=60, headers={
        "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})
    assert browser.status_code == 200 and browser.headers["Content-Type"].startswith("text/html")
    textarea = browser.text[browser.text.index('<textarea id="query"'):browser.text.index("</textarea>")]
    assert "SELECT ?d WHERE { ?d a lz:Duty } LIMIT 3" in textarea and "PREFIX" not in textarea
    assert "Accept" in browser.headers["Vary"]
    for accept in ("*/*", "application/sparql-results+json"):
        client = requests.get(f"{live_server.url}/sparql", params={"query": query}, headers={"Accept": accept},
                              timeout=60)
        assert client.headers["Content-Type"].startswith("application/sparql-results"), accept
    forced = requests.get(f"{live_server.url}/sparql", params={"query": query, "format": "csv"}, timeout=60,
                          headers={"Accept": "text/html"})
    assert forced.headers["Content-Type"].startswith("text/csv")

"""The comparison pages in real Chromium (issue 14): compare two townships, open a duty kind, read a
township's chart with JavaScript off, and reopen a SPARQL permalink with its results, paged, sorted and
charted. No request leaves 127.0.0.1. Screenshots go to tests/output/ for a person to look at.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import requests

from luzhi.ontology.namespaces import sparql_prologue

OUTPUT = Path(__file__).resolve().parent.parent / "output"
XIAOJINGZHUANG, XIJIAO = "140226207", "230302201"


def _page(browser, **options):
    page = browser.new_page(viewport={"width": 1100, "height": 900}, locale="zh-CN", **options)
    page.set_default_timeout(30_000)
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if urlsplit(r.url).hostname != "127.0.0.1" else None)
    return page, outside


def _shot(page, name: str) -> None:
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"{name}.png"), full_page=False)


def test_compare_then_a_kind_page(browser, live_server):
    page, outside = _page(browser)
    # From a township's page, as a person would: tick another township and compare.
    page.goto(f"{live_server.url}/doc/division/{XIAOJINGZHUANG}")
    page.check(f"form.compare input[value='{XIJIAO}']")
    page.click("form.compare button[type=submit]")
    page.wait_for_url("**/compare?*")
    assert page.locator("h1").inner_text() == "乡镇比较"
    reform = page.locator("table.reform tbody tr")
    assert reform.count() >= 1
    expected = requests.get(f"{live_server.url}/compare.json?t={XIAOJINGZHUANG}&t={XIJIAO}", timeout=60).json()
    assert reform.count() == len(expected["basic_here_reclaimed_there"])
    _shot(page, "compare")
    # The first kind of the reform table: every township's wording of it.
    label = reform.first.locator("td").first.inner_text()
    reform.first.locator("td a").first.click()
    page.wait_for_selector("table.kind-members")
    assert label in page.locator("h1").inner_text()
    members = page.locator("table.kind-members tbody tr")
    assert members.count() >= 2
    assert page.locator("table.kind-members").inner_text().count("小京庄乡") >= 1
    _shot(page, "kind")
    assert outside == []
    page.close()


def test_a_bare_compare_is_a_form_that_compares(browser, live_server):
    """A link to /compare (no townships) was a 400 page with nowhere to go; a township's form submitted with
    nothing ticked was one too. Both are now the form, the second saying what was missing."""
    page, outside = _page(browser)
    page.goto(f"{live_server.url}/doc/division/{XIAOJINGZHUANG}")
    page.click("form.compare button[type=submit]")  # nothing ticked
    page.wait_for_url("**/compare?*")
    assert "got 1" in page.locator("[role=alert]").inner_text()
    fields = page.locator("form.compare input[name=t]")
    assert fields.count() == 5 and fields.first.input_value() == XIAOJINGZHUANG
    fields.nth(1).fill(XIJIAO)
    page.click("form.compare button[type=submit]")
    page.wait_for_selector("table.reform")
    assert page.locator("h1").inner_text() == "乡镇比较"
    assert "小京庄乡" in page.locator("main p").first.inner_text()
    page.goto(f"{live_server.url}/compare")  # a bare link: the form, no error
    assert page.locator("[role=alert]").count() == 0 and page.locator("form.compare input[name=t]").count() == 5
    assert outside == []
    page.close()


def test_township_chart_without_javascript(browser, live_server):
    page, outside = _page(browser, java_script_enabled=False)
    page.goto(f"{live_server.url}/doc/division/{XIAOJINGZHUANG}")
    chart = page.locator("figure.chart svg")
    assert chart.is_visible()
    box = chart.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 200
    assert chart.locator("rect").count() > 10
    assert "党的建设" in chart.text_content()
    assert page.locator("a.source").count() == 1 and page.locator("a.graph").count() == 1
    chart.scroll_into_view_if_needed()
    _shot(page, "township-chart")
    assert outside == []
    page.close()


def test_sparql_permalink_reopens_query_and_results(browser, live_server):
    query = ("SELECT ?category (COUNT(DISTINCT ?duty) AS ?duties) WHERE {\n"
             "  ?duty a lz:Duty ; lz:category/skos:prefLabel ?category .\n}\nGROUP BY ?category")
    page, outside = _page(browser)
    page.goto(f"{live_server.url}/sparql?query={quote(query)}")
    assert page.input_value("#query") == query  # the prefixes are folded away, the query shows
    assert "PREFIX lz:" in page.text_content("details.prologue pre")
    assert page.locator("details.prologue pre").is_hidden()  # folded until asked for
    page.wait_for_selector("#results table.results tbody tr")
    rows = page.locator("#results tbody tr")
    expected = requests.post(f"{live_server.url}/sparql", data={"query": sparql_prologue() + query},
                             headers={"Accept": "application/sparql-results+json"}, timeout=60).json()
    assert rows.count() == len(expected["results"]["bindings"]) > 1
    # a two-column numeric result draws as bars, one per row
    assert page.locator("figure#chart svg rect").count() == rows.count()
    # sortable: click ?duties twice → descending numeric order
    page.click("#results th button:has-text('?duties')")
    page.click("#results th button:has-text('?duties')")
    counts = [int(t.split()[0]) for t in rows.locator("td:nth-child(2)").all_inner_texts()]
    assert counts == sorted(counts, reverse=True)
    assert page.locator("#results th").nth(1).get_attribute("aria-sort") == "descending"
    widths = page.locator("figure#chart svg rect").evaluate_all("rs => rs.map(r => r.getAttribute('width'))")
    bars = [float(w) for w in widths]
    assert bars == sorted(bars, reverse=True)  # the chart follows the table's order
    # the site's header like every other page, and the permalink itself
    assert page.locator("header.site form.search").count() == 1
    assert page.locator("header.site nav.langs a").inner_text() == "English"
    link = urlsplit(page.get_attribute("#permalink", "href"))
    assert link.path.endswith("/sparql") and parse_qs(link.query) == {"query": [query]}
    page.evaluate("window.scrollTo(0, 0)")
    _shot(page, "sparql-permalink")
    assert outside == []
    page.close()


def test_sparql_results_are_paged(browser, live_server):
    query = "SELECT ?duty ?title WHERE { ?duty a lz:Duty ; dct:title ?title }"
    page, _outside = _page(browser)
    page.goto(f"{live_server.url}/sparql?query={quote(query)}")
    page.wait_for_selector("#results table.results tbody tr")
    assert page.locator("#results tbody tr").count() == 100
    total = int(page.inner_text("#status").split()[0])
    assert total > 100
    pages = page.inner_text(".page-number")
    assert pages == f"1 / {(total + 99) // 100}"
    first = page.locator("#results tbody tr").first.inner_text()
    page.click("nav.pager button.next")
    assert page.inner_text(".page-number").startswith("2 /")
    assert page.locator("#results tbody tr").first.inner_text() != first
    assert page.locator("figure#chart").is_hidden()  # not two columns of numbers: no chart
    page.close()

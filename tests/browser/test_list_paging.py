"""A list's pages in real Chromium, as a person walks them: the bundled store served with pages of 7 duties,
the next and previous links, a filter chosen in the form (back on page 1, the filter kept by the pager).
No request leaves 127.0.0.1.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sparql_server import serve

PAGE = 7
XIAOJINGZHUANG = "140226207"


@pytest.fixture(scope="module")
def small(built_store):
    from conftest import make_config

    with serve(make_config(built_store, list_page_size=PAGE)) as server:
        yield server.base


def test_walk_a_list_and_filter_it(browser, small):
    page = browser.new_page(viewport={"width": 1100, "height": 900}, locale="zh-CN")
    page.set_default_timeout(30_000)
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if urlsplit(r.url).hostname != "127.0.0.1" else None)
    page.goto(f"{small}/doc/list/{XIAOJINGZHUANG}/cooperative")
    rows = page.locator("table.duty-list td.num a")
    first = rows.all_inner_texts()
    assert len(first) == PAGE and first[0] == "1"
    count = page.locator("p.iri").inner_text()
    assert f"第 1–{PAGE} 项，共 " in count
    page.click("nav.pager a[rel=next]")
    page.wait_for_url("**?page=2")
    assert rows.all_inner_texts()[0] == str(PAGE + 1)
    assert page.locator("table.duty-list tr.category-row").count() >= 1  # the page opens with its category
    page.click("nav.pager a[rel=prev]")
    page.wait_for_url("**?page=1")
    assert rows.all_inner_texts() == first

    # The list's largest category, chosen in the form: page 1 of that category, and the pager keeps it.
    values = [v for v in page.locator("select[name=category] option").evaluate_all("os => os.map(o => o.value)") if v]
    sizes = {v: requests.get(f"{small}/doc/list/{XIAOJINGZHUANG}/cooperative.json", params={"category": v},
                             timeout=60).json()["total"] for v in values}
    chosen = max(values, key=lambda v: sizes[v])
    assert sizes[chosen] > PAGE, "the largest category must span pages of 7"
    page.select_option("select[name=category]", value=chosen)
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**category=*")
    assert "page" not in parse_qs(urlsplit(page.url).query)
    assert len(set(page.locator("table.duty-list tr.category-row").all_inner_texts())) == 1  # that category only
    assert f"共 {sizes[chosen]} / " in page.locator("p.iri").inner_text()
    page.click("nav.pager a[rel=next]")
    page.wait_for_url("**page=2*")
    assert parse_qs(urlsplit(page.url).query)["category"] == [chosen]
    page.close()
    assert outside == []

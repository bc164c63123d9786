"""A form a resource has not, asked for by extension, is a 404 naming and linking every form it has; by `Accept`, a
406 doing the same (server/offers.py), over real HTTP.

`.csv`, `.tsv`, `.xlsx` of a duty, a division, a department or a category, `/def.csv`, `/.well-known/void.xlsx`,
`/compare.tsv` were the site's bare 404 ("no such address"), though the resource is there in other forms; only
`.json` named its `.jsonld` (cold review 21). A list's 406 named its RDF but not its tables.
"""

from __future__ import annotations

import re

import pytest
import requests
from test_review_messages import in_both_languages

TOWNSHIP = "140226207"  # 小京庄乡
OTHER = "654221100"  # 额敏镇
RDF = ("", ".ttl", ".jsonld", ".nt", ".rdf")
TABLES = (".json", ".csv", ".xlsx")
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.fixture(scope="module")
def department(store) -> str:
    row = store.select("SELECT ?x WHERE { ?x a <http://data.europa.eu/m8g/PublicOrganisation> } LIMIT 1")[0]
    return "/doc/" + str(row["x"]).split("/id/", 1)[1]


# (address without extension, the extensions it is offered in, with the page's "")
RESOURCES = {
    "duty": (f"/doc/duty/{TOWNSHIP}/basic/1", RDF),
    "division": (f"/doc/division/{TOWNSHIP}", RDF),
    "category": ("/doc/category/ping-an-fa-zhi", RDF),
    "list": (f"/doc/list/{TOWNSHIP}/basic", RDF + TABLES),
    "def": ("/def", RDF),
    "void": ("/.well-known/void", RDF),
}
ASKED = (".csv", ".tsv", ".xlsx", ".nq", ".srj")


def _offered(url: str, path: str, extensions) -> list[str]:
    return [f"{url}{path}{ext}" for ext in extensions]


def _assert_names_every_form(text: str, offered: list[str]) -> None:
    for address in offered:
        # each whole address, not a prefix of a longer one (`/def` of `/def.ttl`)
        assert re.search(re.escape(address) + r" \(", text), (address, text)


@pytest.mark.parametrize("name", list(RESOURCES))
def test_a_form_a_resource_has_not_is_a_404_naming_those_it_has(live_server, name):
    path, extensions = RESOURCES[name]
    offered = _offered(live_server.url, path, extensions)
    for ext in ASKED:
        if ext in extensions:
            continue
        answer = requests.get(f"{live_server.url}{path}{ext}", timeout=60)  # `Accept: */*`: plain text
        assert answer.status_code == 404, (ext, answer.text[:300])
        assert answer.headers["Content-Type"].startswith("text/plain")
        message = answer.text.removeprefix("404 Not Found: ").strip()
        assert in_both_languages(message) and f"{path}{ext}" in message and f".{ext[1:]} 形式" in message, message
        _assert_names_every_form(message, offered)
        as_json = requests.get(f"{live_server.url}{path}{ext}", headers={"Accept": "application/json"}, timeout=60)
        assert as_json.status_code == 404 and list(as_json.json()) == ["error"]
        _assert_names_every_form(as_json.json()["error"], offered)
    # and each form named is there
    assert [requests.head(address, timeout=60).status_code for address in offered] == [200] * len(offered)


def test_a_department_in_a_table_format_names_its_forms(live_server, department):
    offered = _offered(live_server.url, department, RDF)
    for ext in TABLES:
        answer = requests.get(f"{live_server.url}{department}{ext}", timeout=60)
        assert answer.status_code == 404 and "只用于清单与事项种类的表格" in answer.text, answer.text[:300]
        _assert_names_every_form(answer.text, offered)


def test_a_browser_gets_the_error_page_with_a_link_to_each_form(live_server):
    path, extensions = RESOURCES["division"]
    page = requests.get(f"{live_server.url}{path}.csv", headers=BROWSER, timeout=60)
    assert page.status_code == 404 and page.headers["Content-Type"].startswith("text/html")
    hrefs = re.findall(r'<li><a href="([^"]+)" type="([^"]+)">', page.text)
    assert [href for href, _type in hrefs] == [f"{path}{ext}" for ext in extensions]
    assert "不存在" in page.text and "does not exist" in page.text


def test_compare_in_a_format_it_has_not_names_its_forms_with_the_townships(live_server):
    query = f"?t={TOWNSHIP}&t={OTHER}"
    answer = requests.get(f"{live_server.url}/compare.tsv{query}", timeout=60)
    assert answer.status_code == 404, answer.text[:300]
    offered = [f"{live_server.url}/compare{query}"] + [f"{live_server.url}/compare{ext}{query}" for ext in TABLES]
    _assert_names_every_form(answer.text, offered)


def test_a_missing_resource_stays_a_plain_404_in_any_form(live_server):
    # `X.` has no extension: no resource is `X.` (it was "no . form")
    for path in ("/doc/division/999999999.csv", "/doc/division/999999999.tsv", f"/doc/division/{TOWNSHIP}.",
                 f"/id/division/{TOWNSHIP}."):
        answer = requests.get(live_server.url + path, timeout=60)
        assert answer.status_code == 404 and "形式" not in answer.text, answer.text[:300]
    refused = requests.get(f"{live_server.url}/doc/division/999999999", headers={"Accept": "text/csv"}, timeout=60)
    assert refused.status_code == 404, refused.text[:300]  # not a 406 naming forms of nothing


def test_a_lists_406_names_its_tables_too(live_server):
    path = RESOURCES["list"][0]
    for accept in ("text/csv", "text/tab-separated-values"):
        answer = requests.get(live_server.url + path, headers={"Accept": accept}, timeout=60)
        assert answer.status_code == 406 and "Accept" in answer.headers["Vary"]
        message = answer.text.removeprefix("406 Not Acceptable: ").strip()
        assert in_both_languages(message), message
        _assert_names_every_form(message, _offered(live_server.url, path, RDF + TABLES))
    duty = RESOURCES["duty"][0]
    answer = requests.get(live_server.url + duty, headers={"Accept": "text/csv"}, timeout=60)
    assert answer.status_code == 406 and ".csv" not in answer.text
    _assert_names_every_form(answer.text, _offered(live_server.url, duty, RDF))


def test_a_search_in_a_format_it_has_not_names_its_html_and_json_with_the_search_kept(live_server):
    """`/search.csv` matched no route: the site's bare 404, though the search is there as HTML and JSON."""
    answer = requests.get(f"{live_server.url}/search.csv", params={"q": "森林防火"}, timeout=60)
    assert answer.status_code == 404, answer.text[:300]
    query = "?q=%E6%A3%AE%E6%9E%97%E9%98%B2%E7%81%AB"
    _assert_names_every_form(answer.text, [f"{live_server.url}/search{query}", f"{live_server.url}/search.json{query}"])
    assert in_both_languages(answer.text.removeprefix("404 Not Found: ").strip())
    assert requests.get(f"{live_server.url}/search.json{query}", timeout=60).status_code == 200


@pytest.mark.parametrize("ext", [".ttl", ".csv"])
def test_a_things_iri_with_an_extension_names_the_forms_of_its_description(live_server, ext):
    """`/id/division/X.ttl` was the bare 404: the thing is there, its description at `/doc/division/X.ttl`."""
    path, extensions = RESOURCES["division"]
    answer = requests.get(live_server.url + path.replace("/doc/", "/id/") + ext, timeout=60, allow_redirects=False)
    assert answer.status_code == 404, answer.text[:300]
    _assert_names_every_form(answer.text, _offered(live_server.url, path, extensions))
    assert requests.get(f"{live_server.url}/id/division/999999999{ext}", timeout=60).text.count("形式") == 0

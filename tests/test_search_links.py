"""Regression (issue 9): /search.json's `next` link dropped `kind` and sent `q` unencoded.

Every paging link now comes from one builder (server/links.py `link`), which keeps the request's
parameters and encodes them; these tests follow the links a client gets, as a client would.
"""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import requests


def _search(live_server, params):
    response = requests.get(f"{live_server.url}/search.json", params=params, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def test_search_json_next_keeps_kind_and_lang_and_encodes_q(live_server):
    first = _search(live_server, {"q": "工作", "kind": "duty", "lang": "en"})
    assert first["total"] > live_server.config.page_size, "the query must need a second page"
    assert first["next"] is not None
    parts = urlsplit(first["next"])
    assert parts.path == "/search.json"
    assert "工作" not in first["next"]  # percent-encoded, as a URL must be
    assert parse_qs(parts.query) == {"q": ["工作"], "kind": ["duty"], "lang": ["en"], "page": ["2"]}
    second = requests.get(f"{live_server.url}{first['next']}", timeout=30).json()
    assert second["page"] == 2 and second["kind"] == "duty" and second["q"] == "工作"
    assert second["results"] and all(r["kind"] == first["results"][0]["kind"] for r in second["results"])
    seen = {r["iri"] for r in first["results"]}
    assert not seen & {r["iri"] for r in second["results"]}


def test_rdf_description_next_link_keeps_the_language(live_server):
    # A township's description pages its incoming links (one per duty); the RDF `Link: rel=next` is built
    # by the same builder as the HTML pager, so an English reader stays in English on page 2.
    code = live_server.store.result.documents[0].township_code
    response = requests.get(f"{live_server.url}/doc/division/{code}", params={"lang": "en"},
                            headers={"Accept": "text/turtle"}, timeout=30)
    assert response.status_code == 200
    nexts = [part for part in response.headers["Link"].split(", ") if part.endswith('rel="next"')]
    assert nexts == [f'</doc/division/{code}?lang=en&page=2>; rel="next"']


def test_a_page_past_the_last_says_how_many_and_links_the_last(live_server):
    """`/search?q=森林防火&page=9999` said "not found", as if nothing matched (cold review): it says the page is
    past the last, how many matches and pages there are, and links the last page, in HTML and JSON."""
    first = _search(live_server, {"q": "工作", "kind": "duty"})
    pages = -(-first["total"] // first["page_size"])
    assert pages > 1 and first["total_is_exact"]
    wanted = {"q": ["工作"], "kind": ["duty"], "page": [str(pages)]}

    past = requests.get(f"{live_server.url}/search.json", params={"q": "工作", "kind": "duty", "page": 9999},
                        timeout=30)
    assert past.status_code == 404
    message = past.json()["error"]
    assert f"第 9999 页超出了范围：「工作」共 {first['total']} 条结果，{pages} 页" in message, message
    english = f"page 9999 of /search.json is past the last: “工作” has {first['total']} results on {pages} pages"
    assert english in message, message
    last = past.links["last"]["url"]
    assert last in message and urlsplit(last).path == "/search.json" and parse_qs(urlsplit(last).query) == wanted
    assert requests.get(live_server.url + last, timeout=30).json()["results"]  # the last page has results

    page = requests.get(f"{live_server.url}/search", params={"q": "工作", "kind": "duty", "page": 9999, "lang": "en"},
                        headers={"Accept": "text/html"}, timeout=30)
    assert page.status_code == 404 and page.headers["Content-Type"].startswith("text/html")
    assert f"page 9999 is past the last: “工作” has {first['total']} results on {pages} pages" in page.text
    link = re.search(r'<a rel="last" href="([^"]+)">Go to page (\d+)</a>', page.text)
    assert link and link.group(2) == str(pages)
    assert parse_qs(urlsplit(html.unescape(link.group(1))).query) == {**wanted, "lang": ["en"]}


def test_a_page_past_the_last_of_no_matches_says_there_are_none(live_server):
    past = requests.get(f"{live_server.url}/search", params={"q": "履职不存在的词语", "page": 3},
                        headers={"Accept": "text/html"}, timeout=30)
    assert past.status_code == 404
    assert "第 3 页超出了范围：「履职不存在的词语」没有任何结果" in past.text
    assert re.search(r'<a rel="last" href="/search\?q=[^"&]+">到第 1 页</a>', past.text), past.text


def test_a_page_past_the_first_without_words_is_a_404_as_for_no_matches(live_server):
    """`/search.json?q=&page=2` answered 200 with page 1 (cold review), where a search that found nothing answers
    404 past its one page: without words the one page is the form, in HTML and JSON alike; page 1 stays 200."""
    for path, params in (("/search.json", {"q": "", "page": 2}), ("/search.json", {"page": 2})):
        past = requests.get(f"{live_server.url}{path}", params=params, timeout=30)
        assert past.status_code == 404, past.text
        message = past.json()["error"]
        assert "page 2 of /search.json is past the last: no search words (q) were given" in message, message
        assert urlsplit(past.links["last"]["url"]).path == "/search.json"
        assert requests.get(live_server.url + past.links["last"]["url"], timeout=30).status_code == 200
    page = requests.get(f"{live_server.url}/search", params={"q": "", "page": 2}, headers={"Accept": "text/html"},
                        timeout=30)
    assert page.status_code == 404 and "第 2 页超出了范围：没有给出检索词（q），只有第 1 页" in page.text
    assert re.search(r'<a rel="last" href="/search[^"]*">到第 1 页</a>', page.text), page.text
    assert requests.get(f"{live_server.url}/search", params={"q": ""}, timeout=30).status_code == 200

"""Regression (issue 9): /search.json's `next` link dropped `kind` and sent `q` unencoded.

Every paging link now comes from one builder (server/links.py `link`), which keeps the request's
parameters and encodes them; these tests follow the links a client gets, as a client would.
"""

from __future__ import annotations

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

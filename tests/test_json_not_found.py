"""Every JSON 404 the server gives has one shape, `{"error": "…"}`, the shape of its other JSON errors
(docs/linked-data.md), over real HTTP.

A cold review found two: a client asking by `Accept: application/json` got `{"error": "not found", "path": …}`,
a `.json` route `{"error": "not found: …"}` (English only).
"""

from __future__ import annotations

import pytest
import requests
from test_review_messages import in_both_languages

JSON = {"Accept": "application/json"}
ANY = {"Accept": "*/*"}
LINKED = {"Accept": "application/ld+json, application/json;q=0.9"}  # a JSON-LD client, its errors as JSON

MISSING = [
    ("/id/division/999999999", JSON),  # a thing that is not in the store
    ("/id/no-such-kind/1", JSON),
    ("/doc/division/999999999", LINKED),
    ("/doc/division/999999999.jsonld", JSON),
    ("/doc/kind/no-such-kind.json", ANY),  # a table of a missing thing, by its extension
    ("/doc/list/999999999/basic.json", JSON),
    ("/search.json?q=%E6%A3%AE%E6%9E%97&page=999", ANY),  # a page past the last
    ("/search?q=%E6%A3%AE%E6%9E%97&page=999", JSON),
    ("/compare.nothing", JSON),
    ("/graph/999999999", LINKED),
    ("/dumps/nothing.nq.gz", JSON),
    ("/def/NoSuchTerm", JSON),
    ("/sitemap/999999999.xml", JSON),
    ("/source/nothing.txt", JSON),
    ("/sparql/nothing", JSON),  # no route under /sparql
    ("/no/such/thing.json", ANY),  # no route, a `.json` ending
    ("/no/such/thing", JSON),
]


@pytest.mark.parametrize(("path", "headers"), MISSING, ids=[path for path, _ in MISSING])
def test_every_json_404_has_the_one_error_shape(live_server, path, headers):
    response = requests.get(live_server.url + path, headers=headers, timeout=60)
    assert response.status_code == 404, response.text
    assert response.headers["Content-Type"].startswith("application/json"), response.headers["Content-Type"]
    body = response.json()
    assert list(body) == ["error"], body  # no `path` beside it, as no other JSON error has
    assert in_both_languages(body["error"]), body
    assert path.split("?")[0] in body["error"], body  # it names the address

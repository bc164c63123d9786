"""One rule for an `Accept` nothing matches, on every route (docs/linked-data.md, "Content negotiation").

`Accept: application/x-nonsense` answered 406 at some addresses and HTML or JSON at others that negotiate the
same way (`/search`, `/dumps/`, `POST /validate`; cold review). A URL that offers several media types answers
406 naming them; a URL of one representation sends it (RFC 9110 §12.5.1); a redirect redirects. The table below
names every route of server/routes.py, so a new route must be given its expectation here.
"""

from __future__ import annotations

import pytest
import requests
from test_review_messages import in_both_languages

from luzhi.server.routes import ROUTES
from luzhi.store.snapshots import state_dir_of
from luzhi.store.state import source_keys

NONSENSE = {"Accept": "application/x-nonsense"}
TURTLE = b"<http://a/> <http://b/> <http://c/> .\n"

# (rule, method) → [(path, status, a media type a 406 must name)]; {code} {source} are filled in below.
EXPECTED: dict[tuple[str, str], list[tuple[str, int, str | None]]] = {
    ("/", "GET"): [("/", 200, None)],
    ("/search", "GET"): [("/search?q=%E9%98%B2%E7%81%AB", 406, "application/json")],
    ("/search.<ext>", "GET"): [("/search.json?q=%E9%98%B2%E7%81%AB", 200, None)],
    ("/compare", "GET"): [("/compare?t={code}&t={other}", 406, "text/csv")],
    ("/compare.<ext>", "GET"): [("/compare.csv?t={code}&t={other}", 200, None)],
    ("/id/<path:rest>", "GET"): [("/id/category", 303, None)],
    ("/doc/<path:rest>", "GET"): [("/doc/category", 406, "/doc/category.ttl"), ("/doc/category.ttl", 200, None)],
    ("/source/<path:filename>", "GET"): [("/source/{source}", 200, None)],
    ("/def", "GET"): [("/def", 406, "text/turtle")],
    ("/def.<ext>", "GET"): [("/def.ttl", 200, None)],
    ("/def/<name>", "GET"): [("/def/Duty", 303, None)],
    ("/.well-known/void", "GET"): [("/.well-known/void", 406, "text/turtle")],
    ("/.well-known/void.<ext>", "GET"): [("/.well-known/void.ttl", 200, None)],
    ("/graph/<code>", "GET"): [("/graph/{code}", 406, "text/turtle"), ("/graph/{code}.ttl", 200, None),
                               ("/graph/kinds", 406, "application/n-triples")],
    ("/dumps/", "GET"): [("/dumps/", 406, "application/json")],
    ("/dumps/SHA256SUMS", "GET"): [("/dumps/SHA256SUMS", 200, None)],
    ("/dumps/<name>", "GET"): [("/dumps/luzhi.nq.gz", 200, None)],
    ("/robots.txt", "GET"): [("/robots.txt", 200, None)],
    ("/sitemap.xml", "GET"): [("/sitemap.xml", 200, None)],
    ("/sitemap/<name>.xml", "GET"): [("/sitemap/main.xml", 200, None)],
    ("/sparql", "GET"): [("/sparql", 406, "text/turtle"), ("/sparql?query=ASK%20%7B%7D", 406,
                                                         "application/sparql-results+json")],
    ("/sparql", "POST"): [("/sparql", 406, "application/sparql-results+json")],
    ("/validate", "GET"): [("/validate", 200, None)],
    ("/validate", "POST"): [("/validate", 406, "text/turtle")],
    ("/health", "GET"): [("/health", 200, None)],
}


def test_the_table_names_every_route():
    routes = {(route.rule, method) for route in ROUTES for method in route.methods if method != "OPTIONS"}
    assert routes == set(EXPECTED)


@pytest.mark.parametrize(("rule", "method"), list(EXPECTED), ids=[" ".join(key) for key in EXPECTED])
def test_an_accept_nothing_matches(live_server, rule, method):
    documents = live_server.store.result.documents
    names = {"code": documents[0].township_code, "other": documents[1].township_code,
             "source": source_keys(state_dir_of(live_server.store.path))[0]}
    for path, status, offered in EXPECTED[rule, method]:
        url = live_server.url + path.format(**names)
        if method == "POST" and rule == "/sparql":
            response = requests.post(url, data={"query": "ASK {}"}, headers=NONSENSE, timeout=60)
        elif method == "POST":
            response = requests.post(url, data=TURTLE, headers={**NONSENSE, "Content-Type": "text/turtle"}, timeout=60)
        else:
            response = requests.get(url, headers=NONSENSE, timeout=60, allow_redirects=False)
        assert response.status_code == status, (path, response.status_code, response.text[:300])
        if status == 406:
            assert offered in response.text and "Accept" in response.headers.get("Vary", ""), (path, response.text)
            message = response.text.strip().removeprefix("406 Not Acceptable: ")
            assert in_both_languages(message), (path, message)

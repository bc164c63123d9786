"""CORS on every read route, each route of server/routes.py asked for by name (issue 11: only /sparql had it).

`SAMPLES` gives one real URL per GET rule; a rule added to the route list without a sample fails
`test_every_read_route_has_a_sample`, so a new route cannot slip past the check.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
import requests

from luzhi.server.cors import EXPOSED
from luzhi.server.routes import ROUTES
from luzhi.store.snapshots import state_dir_of
from luzhi.store.state import source_keys

TOWNSHIP = "140226207"  # 小京庄乡, one of the bundled documents
SAMPLES = {
    "/": "/",
    "/search": "/search?q=森林防火",
    "/search.<ext>": "/search.json?q=森林防火",
    "/compare": f"/compare?t={TOWNSHIP}&t=230302201",
    "/compare.<ext>": f"/compare.csv?t={TOWNSHIP}&t=230302201",
    "/id/<path:rest>": f"/id/duty/{TOWNSHIP}/basic/1",
    "/doc/<path:rest>": f"/doc/duty/{TOWNSHIP}/basic/1.jsonld",
    "/source/<path:filename>": "/source/{source}",
    "/def": "/def",
    "/def.<ext>": "/def.ttl",
    "/def/<name>": "/def/Duty",
    "/.well-known/void": "/.well-known/void",
    "/.well-known/void.<ext>": "/.well-known/void.jsonld",
    "/graph/<code>": f"/graph/{TOWNSHIP}.ttl",
    "/dumps/": "/dumps/",
    "/dumps/SHA256SUMS": "/dumps/SHA256SUMS",
    "/dumps/<name>": "/dumps/luzhi.nq.gz",
    "/robots.txt": "/robots.txt",
    "/sitemap.xml": "/sitemap.xml",
    "/sitemap/<name>.xml": "{sitemap}",
    "/sparql": "/sparql?query=ASK%20%7B%7D",
    "/validate": "/validate",
    "/health": "/health",
}
READ_RULES = sorted({route.rule for route in ROUTES if route.read and "GET" in route.methods})
ORIGIN = {"Origin": "https://portal.example"}


def test_every_read_route_has_a_sample():
    assert sorted(SAMPLES) == READ_RULES


@pytest.fixture(scope="module")
def urls(live_server) -> dict[str, str]:
    index = ET.fromstring(requests.get(live_server.url + "/sitemap.xml").content)
    sitemap = index.find("{http://www.sitemaps.org/schemas/sitemap/0.9}sitemap/{*}loc").text
    fill = {"source": source_keys(state_dir_of(live_server.store.path))[0],
            "sitemap": sitemap.removeprefix(live_server.url)}
    return {rule: live_server.url + path.format(**fill) for rule, path in SAMPLES.items()}


@pytest.mark.parametrize("rule", READ_RULES)
def test_read_route_answers_any_origin(urls, rule):
    response = requests.get(urls[rule], headers=ORIGIN, allow_redirects=False)
    assert response.status_code in (200, 303), (rule, response.status_code)
    assert response.headers.get("Access-Control-Allow-Origin") == "*", rule
    assert response.headers["Access-Control-Expose-Headers"] == EXPOSED


@pytest.mark.parametrize("rule", READ_RULES)
def test_read_route_preflight(urls, rule):
    response = requests.options(urls[rule], headers={**ORIGIN, "Access-Control-Request-Method": "GET",
                                                      "Access-Control-Request-Headers": "accept"})
    assert response.status_code in (200, 204), rule
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response.headers["Access-Control-Allow-Methods"]
    assert "accept" in response.headers["Access-Control-Allow-Headers"]


def test_errors_of_read_routes_are_readable_cross_origin(live_server):
    # A script must see the 404 (and its text), not an opaque network error.
    for path in ("/doc/duty/000000000/basic/1", "/no/such/route", "/search?page=0"):
        response = requests.get(live_server.url + path, headers=ORIGIN)
        assert response.status_code in (400, 404) and response.headers["Access-Control-Allow-Origin"] == "*", path


def test_submission_upload_is_not_opened(live_server):
    response = requests.post(live_server.url + "/validate", headers=ORIGIN, files={"file": ("x.ttl", b"")})
    assert "Access-Control-Allow-Origin" not in response.headers

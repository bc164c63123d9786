"""Every IRI of the bundled graph under the base dereferences (issue 6, "done when").

`/id/…` answers 303 to `/doc/…`, which answers 200 with Turtle that parses and says something
about the IRI; `/source/…` (with its `#line=` fragments) answers 200 text/plain. The walk
uses one keep-alive session and a few threads, so it covers every IRI in seconds.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urldefrag

import pyoxigraph as ox
import pytest
import requests

from luzhi.store.oxigraph import OxigraphStore


@pytest.fixture(scope="module")
def all_iris(built_store) -> list[str]:
    """Every IRI under the base that occurs as subject or object (fragments dropped), but named graphs."""
    store = OxigraphStore(built_store.path, read_only=True)
    try:
        rows = store.select(
            "SELECT DISTINCT ?x WHERE { { ?x ?p ?o } UNION { ?s ?p ?x } FILTER(isIRI(?x)) }"
        )
    finally:
        store.close()
    prefix = built_store.base + "/"
    iris = sorted({urldefrag(str(row["x"]))[0] for row in rows if str(row["x"]).startswith(prefix)})
    return iris


def _check(session: requests.Session, base: str, iri: str) -> str | None:
    """None when `iri` dereferences as it should, else what went wrong."""
    path = iri[len(base) :]
    if path.startswith("/source/"):
        response = session.get(iri)
        if response.status_code != 200 or response.headers["Content-Type"] != "text/plain; charset=utf-8":
            return f"{iri}: {response.status_code} {response.headers.get('Content-Type')}"
        return None
    if not path.startswith("/id/"):
        return f"{iri}: minted outside /id/ and /source/"
    first = session.get(iri, headers={"Accept": "text/turtle"}, allow_redirects=False)
    if first.status_code != 303:
        return f"{iri}: /id answered {first.status_code}, not 303"
    location = first.headers["Location"]
    second = session.get(requests.compat.urljoin(iri, location), headers={"Accept": "text/turtle"})
    if second.status_code != 200 or not second.headers["Content-Type"].startswith("text/turtle"):
        return f"{iri}: {location} answered {second.status_code} {second.headers.get('Content-Type')}"
    node = ox.NamedNode(iri)
    triples = list(ox.parse(second.content, format=ox.RdfFormat.TURTLE))  # raises on bad Turtle
    if not any(t.subject == node or t.object == node for t in triples):
        return f"{iri}: its Turtle says nothing about it"
    return None


def test_every_iri_dereferences(live_server, all_iris):
    kinds = {iri[len(live_server.url) :].split("/")[2] if "/id/" in iri else "source" for iri in all_iris}
    # The walk must really cover every kind of resource the ETL mints, or it proves little.
    assert {"division", "duty", "list", "org", "category", "source"} <= kinds, kinds
    assert len(all_iris) > 1000

    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=4)
    session.mount("http://", adapter)
    with ThreadPoolExecutor(max_workers=4) as pool:
        failures = [f for f in pool.map(lambda iri: _check(session, live_server.url, iri), all_iris) if f]
    assert not failures, f"{len(failures)} of {len(all_iris)} IRIs fail, e.g.\n" + "\n".join(failures[:20])

"""The ceiling for luzhi's stack: a bare SPARQL endpoint, pyoxigraph under gunicorn, nothing else (issue 13).

No request checks, no time limit, no row limit, no query processes: each gunicorn worker opens the store
read-only after the fork and runs the query in its own thread (pyoxigraph releases the GIL while it
evaluates). It answers the same requests the benchmark sends luzhi (POST urlencoded `query=`, results
as SPARQL JSON, graphs as Turtle, the union of the named graphs as default graph), so the two differ
only by what luzhi adds around the query. For bench/sparql_bench.py only; never serve this.

    BENCH_STORE=DIR gunicorn -w 2 -k gthread --threads 4 --chdir bench oxigraph_wsgi:app
"""

from __future__ import annotations

import os
from urllib.parse import parse_qs

import pyoxigraph as ox

_store: ox.Store | None = None


def _open() -> ox.Store:
    global _store
    if _store is None:
        _store = ox.Store.read_only(os.environ["BENCH_STORE"])
    return _store


def app(environ, start_response):
    if environ["REQUEST_METHOD"] == "POST":
        length = int(environ.get("CONTENT_LENGTH") or 0)
        form = parse_qs(environ["wsgi.input"].read(length).decode())
    else:
        form = parse_qs(environ.get("QUERY_STRING", ""))
    query = form.get("query", [""])[0]
    try:
        result = _open().query(query, use_default_graph_as_union=True)
    except SyntaxError as error:
        start_response("400 Bad Request", [("Content-Type", "text/plain")])
        return [str(error).encode()]
    if isinstance(result, ox.QueryTriples):
        body, mime = result.serialize(format=ox.RdfFormat.TURTLE), "text/turtle"
    else:
        body, mime = result.serialize(format=ox.QueryResultsFormat.JSON), "application/sparql-results+json"
    start_response("200 OK", [("Content-Type", mime), ("Content-Length", str(len(body)))])
    return [body]

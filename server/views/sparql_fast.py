"""`/sparql` queries answered beside Flask, not through it (issue 13).

A point lookup cost the web process ~0.57 ms outside HTTP, of which Flask's own request machinery (request
context, URL matching, before/after/teardown hooks, response finalisation) was about a third (cProfile),
against ~0.06 ms for the query itself in the bare pyoxigraph app. This WSGI middleware takes GET and POST
requests to `/sparql` that carry a query, and answers them with the very functions the Flask view uses
(`parse_request`, `answer`, `error_response`), holding the store snapshot as the view does and adding
the headers Flask's hooks add (security headers, CORS, `Vary: Accept`). Everything else goes on to Flask:
other paths, HEAD and OPTIONS, GET without a query (service description, query page), a permalink
opened in a browser, and every request to a remote store (its errors have their own handlers in Flask).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import Flask, Request, Response

from luzhi.server.context import get_config, snapshot_of
from luzhi.server.cors import open_to_any_origin
from luzhi.server.hardening import add_security_headers
from luzhi.server.sparql.protocol import ProtocolError, parse_request
from luzhi.server.views.sparql import answer, browser_wants_page, error_response

PATH = "/sparql"


def _added_headers() -> tuple[tuple[str, str], ...]:
    """What the view (`Vary: Accept`) and Flask's hooks (CORS, security headers) add to every /sparql answer.

    The same functions, applied once to an empty response: setting them one by one on each answer's
    werkzeug `Headers` was ~10% of a point lookup's time in the web process (issue 13, cProfile).
    """
    probe = Response()
    before = set(probe.headers.keys())
    probe.vary.add("Accept")
    open_to_any_origin(probe)
    add_security_headers(probe)
    return tuple((name, value) for name, value in probe.headers.items() if name not in before)


_ADDED = _added_headers()
_ADDED_NAMES = frozenset(name.lower() for name, _value in _ADDED)


class SparqlFastPath:
    """WSGI middleware in front of Flask's `wsgi_app`; `create_app` installs it."""

    def __init__(self, app: Flask, inner: Callable) -> None:
        self.app = app
        self.inner = inner
        self.config = get_config(app)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD")
        if environ.get("PATH_INFO") != PATH or method not in ("GET", "POST") or self.config.store_url:
            return self.inner(environ, start_response)
        request = Request(environ)
        accept = request.headers.get("Accept")
        try:
            parsed = parse_request(request, self.config.max_request_bytes)
            if parsed.query is None or (method == "GET" and not parsed.formats and browser_wants_page(accept)):
                return self.inner(environ, start_response)  # a GET: no body was read
            with snapshot_of(self.app) as snapshot:
                response = answer(parsed, accept, self.config, snapshot.executor)
        except ProtocolError as error:
            response = error_response(error)
        headers = response.headers.to_wsgi_list()
        if _ADDED_NAMES.isdisjoint(name.lower() for name, _value in headers):
            # A body of bytes, its Content-Length set by werkzeug: what Response.__call__ would send.
            start_response(response.status, headers + list(_ADDED))
            return [response.get_data()]
        response.vary.add("Accept")
        open_to_any_origin(response)
        add_security_headers(response)
        return response(environ, start_response)

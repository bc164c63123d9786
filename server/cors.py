"""CORS on every read route (issue 11: only /sparql sent it, so a web page elsewhere could not fetch
`/doc/….jsonld`, `/search.json`, `/.well-known/void`, `/def.ttl` or `/graph/…`).

One mechanism for all of them: an `after_request` that opens every response of a route marked `read`
in server/routes.py (the default), errors included, so a new route is open unless it says otherwise.
luzhi has no cookies and no credentials, so `*` exposes nothing that is not already public
(Fetch standard, CORS protocol: a wildcard is never sent with credentials).
"""

from __future__ import annotations

from flask import Flask, Response, request

from luzhi.server.routes import ROUTES

# Beyond the CORS-safelisted response headers a script may read: the links to other formats and pages,
# the validator for caching, and the endpoint's row count.
EXPOSED = "Link, ETag, Content-Length, Content-Disposition, Digest, X-Result-Rows"
_READ_ENDPOINTS = frozenset(route.endpoint for route in ROUTES if route.read)
# Methods of a rule that are not read routes (`POST /validate`): its preflight must not offer them, since
# their answers carry no Access-Control-Allow-Origin (the preflight offered POST, cold review).
_CLOSED_METHODS = {rule: frozenset(m for r in ROUTES if r.rule == rule and not r.read for m in r.methods)
                   for rule in {r.rule for r in ROUTES if not r.read}}


def init_app(app: Flask) -> None:
    app.after_request(add_cors)


def add_cors(response: Response) -> Response:
    """`Access-Control-Allow-Origin: *` on read routes (and on 404s for URLs no route matched)."""
    endpoint = request.endpoint
    if endpoint in _READ_ENDPOINTS or (endpoint is None and request.method in ("GET", "HEAD", "OPTIONS")):
        open_to_any_origin(response)
        if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
            _preflight(response)
    return response


def open_to_any_origin(response: Response) -> None:
    """The headers of a read route's answer (also server/views/sparql_fast.py's, outside Flask)."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = EXPOSED


def _preflight(response: Response) -> None:
    """Answer a CORS preflight: what may follow, and for how long the browser may remember it."""
    allowed = [m.strip() for m in (response.headers.get("Allow") or "GET, HEAD, OPTIONS").split(",")]
    closed = _CLOSED_METHODS.get(request.url_rule.rule if request.url_rule else "", frozenset())
    response.headers["Access-Control-Allow-Methods"] = ", ".join(m for m in allowed if m not in closed)
    response.headers["Access-Control-Allow-Headers"] = (
        request.headers.get("Access-Control-Request-Headers") or "Accept, Content-Type"
    )
    response.headers["Access-Control-Max-Age"] = "86400"

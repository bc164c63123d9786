"""What every response gets (issue 10): security headers, and 503 + Retry-After when the store is down.

Headers: the pages load nothing from elsewhere and are never framed, so the policy says so
(Content-Security-Policy with `frame-ancestors 'none'`, and X-Frame-Options for older browsers);
`nosniff` on everything, `/source` texts included (they are user-supplied documents served as
text/plain: a browser must not sniff them into HTML; /source sets its own, sandboxed policy and serves an
HTML original as a download, server/views/resource.py). The query page's script and styles are
same-origin files, so `'self'` suffices.

A remote store that is down or hung is not a bug of ours: every page answers 503 with
Retry-After and a message that does not show the store's internal URL (it goes to the log).
"""

from __future__ import annotations

import logging

from flask import Flask, Response, request

from luzhi.server.limits import RETRY_AFTER
from luzhi.store.executor import StoreUnavailable
from luzhi.store.remote import RemoteStoreError

_log = logging.getLogger(__name__)

HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
                               "form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def init_app(app: Flask) -> None:
    app.after_request(_headers)
    app.register_error_handler(RemoteStoreError, _store_unavailable)
    app.register_error_handler(StoreUnavailable, _store_unavailable)


def _headers(response: Response) -> Response:
    add_security_headers(response)
    # Werkzeug's slash redirects (308) are absolute URLs built from the request's Host header, which
    # the client chose (issue 10): send the path only (RFC 9110 §10.2.2 allows a relative Location).
    location = response.headers.get("Location")
    if location and 300 <= response.status_code < 400:
        host = request.host_url.rstrip("/")
        if location.startswith(host + "/"):
            response.headers["Location"] = location[len(host):]
    return response


def add_security_headers(response: Response) -> None:
    """What every response carries (also server/views/sparql_fast.py's, outside Flask), unless it set its own
    (/source's policy). The names present are read in one pass: `setdefault` looked each up by raising and
    catching a KeyError, ~25 µs a response (issue 13)."""
    headers = response.headers
    present = {name.lower() for name, _value in headers}
    for name, value in HEADERS.items():
        if name.lower() not in present:
            headers.add(name, value)


def _store_unavailable(error: Exception) -> Response:
    _log.warning("store unavailable for %s: %s", request.path, error)
    response = Response("503 数据存储暂时不可用，请稍后重试 / the store is unavailable; retry shortly\n", status=503,
                        mimetype="text/plain")
    response.headers["Retry-After"] = str(RETRY_AFTER)
    return response

"""Raw UTF-8 bytes in a query string mean UTF-8, as their percent-encoded form does.

curl sends `?q=森林防火` as raw bytes; PEP 3333 hands QUERY_STRING to the app as latin-1
characters, and Werkzeug then read it as "æ£®æ..." (0 search results), and a 303 from
`/id/…?x=森` encoded it twice (cold review). Percent-encoding the non-ASCII bytes once, before
the app sees them, makes both forms one, for every route.

Werkzeug's development server (`luzhi serve`, the tests' live server) adds one more layer: it
reads the request line as latin-1 (http.server) and then encodes that text as UTF-8 and decodes
it as latin-1 again (`_wsgi_encoding_dance`), so its QUERY_STRING must be un-danced first to
recover the bytes. gunicorn hands over the bytes as latin-1 directly.

A parameter whose bytes are not UTF-8 (`%FF%FE`, the overlong `%C0%AF`) is a 400 naming it:
Werkzeug decoded it with errors="replace" and the replacement text was searched (cold review). /sparql's is
answered here, as plain text like its other refusals (its queries skip Flask: server/views/sparql_fast.py); every
other route's by Flask (`init_app`), so a browser gets the site's error page, as for its other 400s (`?page=%FF`
answered a browser plain text, cold review), and a `.json` route JSON.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

from flask import Flask, abort, request
from werkzeug.wrappers import Response

from luzhi.server.hardening import add_security_headers
from luzhi.server.limits import not_utf8


class PercentEncodeQueryString:
    """WSGI middleware: percent-encode the bytes ≥ 0x80 of QUERY_STRING (PEP 3333: latin-1 str)."""

    def __init__(self, app: Callable) -> None:
        self.app = app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        query = environ.get("QUERY_STRING", "")
        if not query.isascii():
            raw = query.encode("latin-1", "replace")
            if environ.get("SERVER_SOFTWARE", "").startswith("Werkzeug/"):
                raw = raw.decode("utf-8", "replace").encode("latin-1", "replace")
            environ["QUERY_STRING"] = "".join(chr(b) if b < 0x80 else f"%{b:02X}" for b in raw)
        bad = not_utf8(environ["QUERY_STRING"]) if "%" in environ.get("QUERY_STRING", "") else None
        if bad is not None:
            if environ.get("PATH_INFO") != SPARQL_PATH:
                environ[_NOT_UTF8] = bad  # answered by Flask (`init_app`)
            else:
                return _refuse(environ, start_response, bad)
        return self.app(environ, start_response)


SPARQL_PATH = "/sparql"
_NOT_UTF8 = "luzhi.not_utf8"  # the environ key naming the parameter that is not UTF-8


def init_app(app: Flask) -> None:
    """Refuse, through Flask's error handlers, a request whose query string `PercentEncodeQueryString` found a
    parameter of that is not UTF-8. After the other `before_request` hooks: the error page reads the snapshot."""
    app.before_request(_refuse_in_flask)


def _refuse_in_flask() -> None:
    name = request.environ.get(_NOT_UTF8)
    if name is not None:
        abort(400, description=_message(name))


def _message(name: str) -> str:
    return (f"参数 {name} 不是有效的 UTF-8 / parameter `{name}` is not valid UTF-8 "
            "(its percent-escapes must encode UTF-8)")


def _refuse(environ: dict, start_response: Callable, name: str) -> Iterable[bytes]:
    message = _message(name)
    if environ.get("PATH_INFO", "").endswith(".json") or "application/json" in environ.get("HTTP_ACCEPT", ""):
        body, mime = json.dumps({"error": message}, ensure_ascii=False).encode(), "application/json"
    else:
        body, mime = f"400 {message}\n".encode(), "text/plain; charset=utf-8"
    response = Response(body, status=400, content_type=mime)
    # Answered before Flask, so without its after-request hooks: the headers every answer carries
    # (a cold review found this 400 without them).
    add_security_headers(response)
    return response(environ, start_response)

"""Raw UTF-8 bytes in a query string mean UTF-8, as their percent-encoded form does.

curl sends `?q=森林防火` as raw bytes; PEP 3333 hands QUERY_STRING to the app as latin-1
characters, and Werkzeug then read it as "æ£®æ..." (0 search results), and a 303 from
`/id/…?x=森` encoded it twice (cold review). Percent-encoding the non-ASCII bytes once, before
the app sees them, makes both forms one, for every route.

Werkzeug's development server (`luzhi serve`, the tests' live server) adds one more layer: it
reads the request line as latin-1 (http.server) and then encodes that text as UTF-8 and decodes
it as latin-1 again (`_wsgi_encoding_dance`), so its QUERY_STRING must be un-danced first to
recover the bytes. gunicorn hands over the bytes as latin-1 directly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable


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
        return self.app(environ, start_response)

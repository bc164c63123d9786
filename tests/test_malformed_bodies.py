"""A body that cannot be read as sent is a 400 saying what is wrong with it, under both servers (cold review).

A `\\xff` byte in a form-encoded body made Werkzeug's form parser drop the whole form ("missing query parameter",
"nothing was submitted"); a malformed chunked body was a 500 under gunicorn (its ParseException out of the view)
or its own English HTML page, and under Werkzeug's server "the 0 bytes its Content-Length announced" of a body
that had no Content-Length; a multipart body cut short read as an empty form. Each request is sent byte for byte
on a socket, to `luzhi serve`'s server (Werkzeug's, with TimedRequestHandler) and to gunicorn (gunicorn.conf.py),
as tests/test_short_body.py does; its well-formed twin is answered 200 by both.
"""

from __future__ import annotations

import json

import pytest
from sparql_server import fill_small_store, gunicorn, serve
from test_review_messages import in_both_languages
from test_short_body import post_bytes

from luzhi.server.config import Config

FORM = "application/x-www-form-urlencoded"
TRIPLE = b"<http://a/> <http://b/> <http://c/> .\n"
PART = (b'--XX\r\nContent-Disposition: form-data; name="file"; filename="a.ttl"\r\nContent-Type: text/turtle\r\n\r\n'
        + TRIPLE)


def chunks(*parts: bytes) -> bytes:
    return b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in parts) + b"0\r\n\r\n"


# (path, Content-Type, chunked, malformed body, its well-formed twin, what the 400's message must name)
CASES = {
    "sparql form, \\xff": ("/sparql", FORM, False, b"query=ASK%7B%7D\xff", b"query=ASK%7B%7D",
                           "form parameter `query` of the body is not valid UTF-8"),
    "validate form, \\xff": ("/validate", FORM, False, b"format=turtle&text=\xff",
                             b"format=turtle&text=" + TRIPLE, "form parameter `text` of the body is not valid UTF-8"),
    "sparql form, bad chunk size": ("/sparql", FORM, True, b"zz\r\nquery=ASK%7B%7D\r\n0\r\n\r\n",
                                    chunks(b"query=ASK%7B%7D"), "chunked framing (Transfer-Encoding: chunked)"),
    "sparql query, bad chunk end": ("/sparql", "application/sparql-query", True, b"6\r\nASK {}zz\r\n0\r\n\r\n",
                                    chunks(b"ASK {}"), "chunked framing (Transfer-Encoding: chunked)"),
    "validate, chunk longer than said": ("/validate?format=turtle", "text/turtle", True,
                                         b"5\r\n" + TRIPLE + b"\r\n0\r\n\r\n", chunks(TRIPLE),
                                         "chunked framing (Transfer-Encoding: chunked)"),
    "validate, multipart cut short": ("/validate", "multipart/form-data; boundary=XX", False, PART,
                                      PART + b"\r\n--XX--\r\n", "closing delimiter --XX--"),
}


def send(url: str, path: str, content_type: str, chunked: bool, body: bytes) -> tuple[int, str]:
    framing = {"Transfer-Encoding": "chunked"} if chunked else {"Content-Length": str(len(body))}
    return post_bytes(url, path, {"Content-Type": content_type, **framing, "Accept": "application/json"}, body)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return fill_small_store(tmp_path_factory.mktemp("malformed") / "store")


@pytest.fixture(scope="module")
def development(store):
    """`luzhi serve`'s server: Werkzeug's, with TimedRequestHandler."""
    with serve(Config(store_path=store, validation_timeout=120.0), luzhi_serve=True) as server:
        yield server.base


@pytest.fixture(scope="module")
def production(store, tmp_path_factory):
    with gunicorn(store, tmp_path_factory.mktemp("gunicorn"), workers=1) as url:
        yield url


@pytest.mark.parametrize("server", ["development", "production"])
@pytest.mark.parametrize("case", CASES)
def test_a_malformed_body_is_a_400_naming_what_is_wrong(request, server, case):
    url = request.getfixturevalue(server)
    path, content_type, chunked, malformed, well_formed, named = CASES[case]
    status, text = send(url, path, content_type, chunked, malformed)
    message = json.loads(text)["error"] if path.startswith("/validate") else text.strip()
    assert status == 400, text
    assert named in message and in_both_languages(message), message
    assert send(url, path, content_type, chunked, well_formed)[0] == 200  # the same request, well formed

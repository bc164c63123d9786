"""A body shorter than its Content-Length is refused with 400, under both servers (session 14's cold review).

The client announces 100 bytes, sends `ASK {}` and closes its side. Werkzeug's server raised
ClientDisconnected out of the SPARQL fast path (a 500); gunicorn handed over the bytes it got, so a cut query
was run, and a cut document validated, as if whole (200).
"""

from __future__ import annotations

import json
import socket
from urllib.parse import urlsplit

import pytest
from sparql_server import fill_small_store, gunicorn
from test_review_messages import in_both_languages

CUT = [("/sparql", "application/sparql-query", b"ASK {}"),
       ("/sparql", "application/x-www-form-urlencoded", b"query=ASK%20%7B%7D"),
       ("/validate?format=turtle", "text/turtle", b"<http://a/> <http://b/> <http://c/> .\n")]


def send_cut(url: str, path: str, content_type: str, body: bytes, announced: int | str = 100) -> tuple[int, str]:
    """Announce `announced` bytes (or a Content-Length of any text), send `body`, close the writing side: the
    status and body of the answer."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=60) as conn:
        conn.sendall(f"POST {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Type: {content_type}\r\n"
                     f"Content-Length: {announced}\r\nAccept: application/json\r\nConnection: close\r\n\r\n"
                     .encode() + body)
        conn.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    head, _, text = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), text.decode("utf-8", "replace")


@pytest.mark.parametrize(("path", "content_type", "body"), CUT)
def test_a_cut_body_is_a_400_under_werkzeug(live_server, path, content_type, body):
    status, text = send_cut(live_server.url, path, content_type, body)
    assert status == 400, text
    assert "100 bytes its Content-Length announced" in text
    if path == "/sparql":  # /validate's is JSON: {"error": …}
        assert in_both_languages(text.strip()), text  # /sparql's was English only


@pytest.mark.parametrize("declared", ["abc", "-5", "1e3", "12abc"])
@pytest.mark.parametrize(("path", "content_type", "body"), CUT)
def test_a_content_length_that_is_no_number_is_a_400_naming_it(live_server, path, content_type, body, declared):
    """`Content-Length: abc` was read as no length, so no body: "nothing was submitted" / "empty query body"
    (cold review). The answer names the header and its value, in both languages, and says what to do."""
    status, text = send_cut(live_server.url, path, content_type, body, announced=declared)
    assert status == 400, text
    message = json.loads(text)["error"] if path.startswith("/validate") else text.strip()
    assert "Content-Length" in message and repr(declared) in message, message
    assert "not a number of bytes" in message and "send the request again" in message, message
    assert in_both_languages(message), message


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    folder = tmp_path_factory.mktemp("short-body")
    with gunicorn(fill_small_store(folder / "store"), folder, workers=1) as url:
        yield url


@pytest.mark.parametrize(("path", "content_type", "body"), CUT)
def test_a_cut_body_is_a_400_under_gunicorn(production, path, content_type, body):
    status, text = send_cut(production, path, content_type, body)
    assert status == 400, text
    assert f"after {len(body)} before the 100 bytes its Content-Length announced" in text
    assert send_cut(production, path, content_type, body, announced=len(body))[0] == 200  # whole: answered

"""A body shorter than its Content-Length is refused with 400, under both servers (session 14's cold review).

The client announces 100 bytes, sends `ASK {}` and closes its side. Werkzeug's server raised
ClientDisconnected out of the SPARQL fast path (a 500); gunicorn handed over the bytes it got, so a cut query
was run, and a cut document validated, as if whole (200).

A client that sends the short body and keeps the connection open, waiting (the last cold review): gunicorn
never answered (its thread waited for the rest without a limit), Werkzeug's server answered after its socket
timeout and then logged a traceback. Both answer 408 after `BODY_WAIT` seconds without a byte, naming
Content-Length, and close the connection; the worker lives on.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
from sparql_server import fill_small_store, gunicorn
from test_review_messages import in_both_languages
from werkzeug.serving import make_server

from luzhi.server.http_servers import TimedRequestHandler
from luzhi.server.limits import BODY_WAIT

CUT = [("/sparql", "application/sparql-query", b"ASK {}"),
       ("/sparql", "application/x-www-form-urlencoded", b"query=ASK%20%7B%7D"),
       ("/validate?format=turtle", "text/turtle", b"<http://a/> <http://b/> <http://c/> .\n")]


def send_cut(url: str, path: str, content_type: str, body: bytes, announced: int | str = 100, *,
             hold_open: bool = False) -> tuple[int, str]:
    """Announce `announced` bytes (or a Content-Length of any text), send `body`, close the writing side (or,
    `hold_open`, keep it open and wait): the status and body of the answer, read until the server closes."""
    headers = {"Content-Type": content_type, "Content-Length": str(announced), "Accept": "application/json"}
    # Past BODY_WAIT and under gunicorn's own worker timeout (60 s): an unanswered request fails here.
    return post_bytes(url, path, headers, body, hold_open=hold_open, timeout=BODY_WAIT + 40)


def post_bytes(url: str, path: str, headers: dict[str, str], body: bytes, *, hold_open: bool = False,
               timeout: float = 60) -> tuple[int, str]:
    """A POST written byte for byte on a socket (no client library to mend its framing), with `Connection: close`
    and its writing side closed unless `hold_open`: the answer's status and body, read until the server closes."""
    parts = urlsplit(url)
    lines = "".join(f"{name}: {value}\r\n" for name, value in
                    {"Host": parts.netloc, **headers, **({} if hold_open else {"Connection": "close"})}.items())
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as conn:
        conn.sendall(f"POST {path} HTTP/1.1\r\n{lines}\r\n".encode() + body)
        if not hold_open:
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


STALLED = [CUT[0], CUT[2]]  # /sparql's fast path and /validate


def send_stalled_at_once(url: str) -> list[tuple[tuple, int, str]]:
    """Each STALLED request, all held open together (each answer comes after `BODY_WAIT` seconds: one wait, not
    one per request; both servers give each request a thread of its own): (case, status, body) in STALLED order."""
    with ThreadPoolExecutor(len(STALLED)) as pool:
        answers = list(pool.map(lambda case: send_cut(url, *case, hold_open=True), STALLED))
    return [(case, status, text) for case, (status, text) in zip(STALLED, answers, strict=True)]


def test_a_stalled_body_is_a_408_under_gunicorn(production):
    for (path, content_type, body), status, text in send_stalled_at_once(production):
        assert status == 408, (path, text)
        message = json.loads(text)["error"] if path.startswith("/validate") else text.strip()
        assert "Content-Length" in message and f"nothing for {BODY_WAIT} s before the 100 bytes" in message, message
        assert in_both_languages(message), message
        # the worker still answers
        assert send_cut(production, path, content_type, body, announced=len(body))[0] == 200, path


@pytest.fixture(scope="module")
def development(built_store):
    """`luzhi serve`'s server: Werkzeug's, with TimedRequestHandler."""
    from conftest import make_config

    from luzhi.server.app import create_app

    server = make_server("127.0.0.1", 0, create_app(make_config(built_store)), threaded=True,
                         request_handler=TimedRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_a_stalled_body_is_a_408_under_werkzeug_without_a_traceback(development, caplog):
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        answers = send_stalled_at_once(development)
    for (path, _content_type, _body), status, text in answers:
        assert status == 408, (path, text)
        assert "Content-Length" in text and in_both_languages(
            json.loads(text)["error"] if path.startswith("/validate") else text.strip())
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING or "Traceback" in
                record.getMessage()], [record.getMessage() for record in caplog.records]


def test_the_development_servers_reader_reads_nothing_after_a_timeout():
    """After answering, Werkzeug drains what is left of the body; once the socket has timed out its file
    raises OSError ("cannot read from timed out object") on every read, logged as an error with a traceback
    whenever the client's close (or a late byte) made the socket readable. The handler's reader ends instead."""
    from luzhi.server.http_servers import _EndsAtTimeout

    ours, client = socket.socketpair()
    with ours, client:
        ours.settimeout(0.05)
        reader = _EndsAtTimeout(ours.makefile("rb"))
        with pytest.raises(TimeoutError):
            reader.read(10)
        client.sendall(b"late")
        assert reader.read(10_000_000) == b"" and reader.readinto(bytearray(4)) == 0

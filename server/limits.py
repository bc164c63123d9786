"""Limits every request shares (issue 10): bodies read whole or refused, bounded slots with a short wait.

Werkzeug stops reading a body without Content-Length (chunked) at `max_content_length` and
hands over what it read *without an error* (werkzeug.wsgi.LimitedStream: the limit is only
enforced on the next read). Issue 10 measured it: `ASK {}` + 1 MB of spaces + garbage
answered 200 `true`, and a 9 MB Turtle with garbage after 5 MB "conformed". `read_body`
therefore reads one byte past the limit: over the limit is 413, however the body was sent.

A body that stops short of its Content-Length while the client keeps the connection open waits for bytes
that never come: gunicorn's worker thread read with no time limit (the request was never answered; cold
review), Werkzeug's server timed out after `TimedRequestHandler.timeout` and then logged a traceback while
it drained the socket. `read_body` waits at most `BODY_WAIT` seconds for each part of the body, under both
servers, and answers 408 naming Content-Length.
"""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Request
from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge
from werkzeug.serving import WSGIRequestHandler

_DIGITS = re.compile(r"[ \t]*[0-9]+[ \t]*")  # RFC 9110 §8.6 Content-Length = 1*DIGIT (str.isdigit takes '²')
RETRY_AFTER = 5  # seconds, on every 503 that a retry can cure (a full pool, a store that is down)
# Seconds a request body may go without a byte before it is refused (408): a client on a slow line still sends
# something every few seconds; one that announced more than it sends would otherwise hold a thread for ever.
BODY_WAIT = 10


def retry_after_timeout(timeout: float) -> int:
    """Retry-After for a 503 after a query was stopped at `timeout` seconds (a page's, /sparql's): the same
    query may well pass when the server is less busy, which takes about as long as the query was given."""
    return max(1, int(timeout))


class BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"request body exceeds the limit of {limit} bytes")
        self.limit = limit


class BodyIncomplete(Exception):
    """The body ended before the bytes its Content-Length announced (the client stopped sending).

    Werkzeug's server raises ClientDisconnected then (a 500 before session 14's cold review); gunicorn
    hands over the bytes it got, and the cut query or document was answered as if whole (200)."""

    status = 400

    def __init__(self, announced: int, received: int | None = None) -> None:
        got_zh, got_en = ("", "") if received is None else (f"（只收到 {received} 字节）", f"after {received} ")
        # Chinese, then English after " / ", as every message a user meets (/sparql and /validate show it).
        self.message = (f"请求体在 Content-Length 所述的 {announced} 字节之前中断{got_zh} / the request body ended "
                        f"{got_en}before the {announced} bytes its Content-Length announced")
        super().__init__(self.message)
        self.announced, self.received = announced, received


class BodyStalled(BodyIncomplete):
    """No byte of the body came for `BODY_WAIT` seconds, the connection still open, before the bytes its
    Content-Length announced: 408 (RFC 9110 §15.5.9), and the connection is closed."""

    status = 408

    def __init__(self, announced: int, waited: float) -> None:
        super().__init__(announced)
        self.message = (f"请求体在 Content-Length 所述的 {announced} 字节之前停了 {waited:g} 秒没有数据，已放弃等待："
                        f"请发送完整的请求体，或让 Content-Length 与实际发送的字节数一致 / the request body sent "
                        f"nothing for {waited:g} s before the {announced} bytes its Content-Length announced: send "
                        "the whole body, or a Content-Length that matches the bytes you send")
        self.args = (self.message,)


class BadContentLength(Exception):
    """A Content-Length that is not a number of bytes (`abc`, `-1`, `1e3`).

    Werkzeug reads such a header as absent and its development server then hands over an empty body, so
    `/validate` answered "nothing was submitted" and `/sparql` "empty query body" (cold review); gunicorn
    refuses it itself. RFC 9110 §8.6: one or more digits, nothing else."""

    def __init__(self, value: str) -> None:
        shown = value[:40]
        self.message = (f"请求头 Content-Length 的值 {shown!r} 不是字节数（应为非负整数）；请修正或去掉这个请求头后"
                        f"重新发送 / the request header Content-Length is {shown!r}, not a number of bytes (it must "
                        "be a non-negative integer); fix the header, or leave it out, and send the request again")
        super().__init__(self.message)
        self.value = value


def read_body(request: Request, limit: int) -> bytes:
    """The whole body (cached, so `request.form`/`files` parse it afterwards), or BodyTooLarge, or
    BodyIncomplete when fewer bytes came than its Content-Length said, or BadContentLength when that
    header is not a number."""
    declared = request.headers.get("Content-Length")
    if declared is not None and _DIGITS.fullmatch(declared) is None:
        raise BadContentLength(declared)
    if request.content_length is not None and request.content_length > limit:
        raise BodyTooLarge(limit)
    request.max_content_length = limit + 1  # one byte past: a cut body shows up as too long
    # gunicorn's worker reads the body from a blocking socket: bound each wait (Werkzeug's server has its own,
    # TimedRequestHandler). The timeout is the socket's, restored afterwards for gunicorn's keep-alive.
    connection = request.environ.get("gunicorn.socket")
    previous = connection.gettimeout() if connection is not None else None
    if connection is not None:
        connection.settimeout(BODY_WAIT)
    try:
        data = request.get_data(cache=True)
    except RequestEntityTooLarge:
        raise BodyTooLarge(limit) from None
    except (ClientDisconnected, OSError) as error:  # gunicorn's stream raises the socket's own errors
        if not _timed_out(error):
            raise BodyIncomplete(request.content_length or 0) from None
        if connection is not None:
            # gunicorn would read on for the rest of the body before the next request of the connection:
            # nothing more is read from it, so the answer goes out and the connection closes.
            connection.shutdown(socket.SHUT_RD)
        raise BodyStalled(request.content_length or 0, BODY_WAIT) from None
    finally:
        if connection is not None:
            connection.settimeout(previous)
    if len(data) > limit:
        raise BodyTooLarge(limit)
    if request.content_length is not None and len(data) < request.content_length:
        raise BodyIncomplete(request.content_length, len(data))
    request.max_content_length = limit + 1
    request.max_form_memory_size = limit + 1
    return data


def _timed_out(error: BaseException) -> bool:
    """Whether a read failed by a socket timeout (Werkzeug raises ClientDisconnected from it)."""
    while error is not None:
        if isinstance(error, TimeoutError):
            return True
        error = error.__cause__ or error.__context__
    return False


class Busy(Exception):
    """No slot became free within the wait."""


class Slots:
    """At most `size` holders at once; a newcomer waits up to `wait` seconds, then Busy."""

    def __init__(self, size: int, wait: float) -> None:
        self._semaphore = threading.BoundedSemaphore(max(1, size))
        self.wait = wait

    @contextmanager
    def hold(self) -> Iterator[None]:
        if not self._semaphore.acquire(timeout=self.wait):
            raise Busy
        try:
            yield
        finally:
            self._semaphore.release()


class TimedRequestHandler(WSGIRequestHandler):
    """The development server's handler with a socket timeout: a client that sends a request line and then
    nothing (an HTTP/0.9-style line, a slowloris) is dropped after `timeout` seconds instead of holding a
    thread (issue 10 measured 40 s). Production runs behind a buffering proxy (docs/security.md)."""

    timeout = BODY_WAIT

    def setup(self) -> None:
        super().setup()
        self.rfile = _EndsAtTimeout(self.rfile)


class _EndsAtTimeout:
    """A connection's reader that reads nothing more once a read has timed out. The socket's file refuses
    every read after a timeout ("cannot read from timed out object"), and Werkzeug, which drains the unread
    body after answering, logged that as an error with a traceback after each 408 (cold review)."""

    def __init__(self, stream) -> None:
        self._stream = stream
        self._timed_out = False

    def _read(self, method, *args, empty):
        if self._timed_out:
            return empty
        try:
            return method(*args)
        except TimeoutError:
            self._timed_out = True
            raise

    def read(self, *args) -> bytes:
        return self._read(self._stream.read, *args, empty=b"")

    def read1(self, *args) -> bytes:
        return self._read(self._stream.read1, *args, empty=b"")

    def readline(self, *args) -> bytes:
        return self._read(self._stream.readline, *args, empty=b"")

    def readinto(self, buffer) -> int:
        return self._read(self._stream.readinto, buffer, empty=0)

    def __getattr__(self, name: str):
        return getattr(self._stream, name)

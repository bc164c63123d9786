"""Limits every request shares (issue 10): bodies read whole or refused, bounded slots with a short wait.

Werkzeug stops reading a body without Content-Length (chunked) at `max_content_length` and
hands over what it read *without an error* (werkzeug.wsgi.LimitedStream: the limit is only
enforced on the next read). Issue 10 measured it: `ASK {}` + 1 MB of spaces + garbage
answered 200 `true`, and a 9 MB Turtle with garbage after 5 MB "conformed". `read_body`
therefore reads one byte past the limit: over the limit is 413, however the body was sent.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Request
from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge
from werkzeug.serving import WSGIRequestHandler

_DIGITS = re.compile(r"[ \t]*[0-9]+[ \t]*")  # RFC 9110 §8.6 Content-Length = 1*DIGIT (str.isdigit takes '²')
RETRY_AFTER = 5  # seconds, on every 503 that a retry can cure (a full pool, a store that is down)


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

    def __init__(self, announced: int, received: int | None = None) -> None:
        got_zh, got_en = ("", "") if received is None else (f"（只收到 {received} 字节）", f"after {received} ")
        # Chinese, then English after " / ", as every message a user meets (/sparql and /validate show it).
        self.message = (f"请求体在 Content-Length 所述的 {announced} 字节之前中断{got_zh} / the request body ended "
                        f"{got_en}before the {announced} bytes its Content-Length announced")
        super().__init__(self.message)
        self.announced, self.received = announced, received


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
    try:
        data = request.get_data(cache=True)
    except RequestEntityTooLarge:
        raise BodyTooLarge(limit) from None
    except ClientDisconnected:
        raise BodyIncomplete(request.content_length or 0) from None
    if len(data) > limit:
        raise BodyTooLarge(limit)
    if request.content_length is not None and len(data) < request.content_length:
        raise BodyIncomplete(request.content_length, len(data))
    request.max_content_length = limit + 1
    request.max_form_memory_size = limit + 1
    return data


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

    timeout = 10

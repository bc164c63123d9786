"""Limits every request shares (issue 10): bodies read whole or refused, bounded slots with a short wait.

Werkzeug stops reading a body without Content-Length (chunked) at `max_content_length` and
hands over what it read *without an error* (werkzeug.wsgi.LimitedStream: the limit is only
enforced on the next read). Issue 10 measured it: `ASK {}` + 1 MB of spaces + garbage
answered 200 `true`, and a 9 MB Turtle with garbage after 5 MB "conformed". `read_body`
therefore reads one byte past the limit: over the limit is 413, however the body was sent.

A body that stops short of its Content-Length while the client keeps the connection open waits for bytes
that never come: gunicorn's worker thread read with no time limit (the request was never answered; cold
review), Werkzeug's server timed out after `TimedRequestHandler.timeout` (server/http_servers.py) and then logged
a traceback while it drained the socket. `read_body` waits at most `BODY_WAIT` seconds for each part of the body,
under both servers, and answers 408 naming Content-Length.

A body whose framing or form is broken is refused by name (`BadBody`, 400), under both servers: a malformed or cut
chunked body (gunicorn raised its ParseException out of the view, a 500, or answered its own English HTML page;
Werkzeug's server said "the 0 bytes its Content-Length announced" of a body that had no Content-Length), a form
parameter whose bytes are not UTF-8 (Werkzeug's form parser dropped the whole form: "missing query parameter",
"nothing was submitted") and a multipart body cut short (read as an empty form the same way; cold review).
"""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from urllib.parse import unquote_to_bytes

from flask import Request
from gunicorn.http.errors import ParseException
from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge
from werkzeug.formparser import FormDataParser, default_stream_factory

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


class BadBody(Exception):
    """A body that cannot be read as sent: `status` and a message (Chinese, then English after " / ") naming what is
    wrong with it, which /sparql and /validate answer as they answer their other refusals."""

    status = 400

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status or self.status


class BodyIncomplete(BadBody):
    """The body ended before the bytes its Content-Length announced (the client stopped sending).

    Werkzeug's server raises ClientDisconnected then (a 500 before session 14's cold review); gunicorn
    hands over the bytes it got, and the cut query or document was answered as if whole (200)."""

    status = 400

    def __init__(self, announced: int, received: int | None = None) -> None:
        got_zh, got_en = ("", "") if received is None else (f"（只收到 {received} 字节）", f"after {received} ")
        # Chinese, then English after " / ", as every message a user meets (/sparql and /validate show it).
        super().__init__(f"请求体在 Content-Length 所述的 {announced} 字节之前中断{got_zh} / the request body ended "
                         f"{got_en}before the {announced} bytes its Content-Length announced")
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


class BadContentLength(BadBody):
    """A Content-Length that is not a number of bytes (`abc`, `-1`, `1e3`).

    Werkzeug reads such a header as absent and its development server then hands over an empty body, so
    `/validate` answered "nothing was submitted" and `/sparql` "empty query body" (cold review); gunicorn
    refuses it itself. RFC 9110 §8.6: one or more digits, nothing else."""

    def __init__(self, value: str) -> None:
        shown = value[:40]
        super().__init__(f"请求头 Content-Length 的值 {shown!r} 不是字节数（应为非负整数）；请修正或去掉这个请求头后"
                         f"重新发送 / the request header Content-Length is {shown!r}, not a number of bytes (it must "
                         "be a non-negative integer); fix the header, or leave it out, and send the request again")
        self.value = value


CHUNKS_MALFORMED = ("请求体的分块传输编码（Transfer-Encoding: chunked）格式错误或不完整：每一块应为十六进制的长度、"
                    "CRLF、数据、CRLF，并以长度为 0 的块结束 / the request body's chunked framing (Transfer-Encoding: "
                    "chunked) is malformed or cut short: each chunk is its size in hexadecimal, CRLF, its bytes, CRLF, "
                    "and a chunk of size 0 ends the body")
FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"


class _StrictFormParser(FormDataParser):
    """Werkzeug's form parser, except that a form it cannot read raises ValueError (its `silent` default read it
    as an empty form), having closed the files it had opened for its parts (they were left to the garbage
    collector, a ResourceWarning)."""

    def __init__(self, stream_factory=None, *args, **kwargs) -> None:
        self.opened: list = []

        def tracked(*factory_args, **factory_kwargs):
            self.opened.append((stream_factory or default_stream_factory)(*factory_args, **factory_kwargs))
            return self.opened[-1]

        super().__init__(tracked, *args, **kwargs)
        self.silent = False

    def parse(self, *args, **kwargs):
        try:
            return super().parse(*args, **kwargs)
        except ValueError:
            for stream in self.opened:
                stream.close()
            raise


def transfer_codings(lines: Iterable[str]) -> list[str]:
    """The codings Transfer-Encoding header lines name, in order, lower case; empty list elements (`chunked,`) are
    none (RFC 9110 §5.6.1). Read the same by `luzhi serve`'s check of a request head and by `read_body`."""
    return [coding for line in lines for coding in (part.strip(" \t").lower() for part in line.split(",")) if coding]


def not_decoded(codings: list[str]) -> list[str]:
    """The codings of `codings` that neither server undoes: `identity` changes nothing, `chunked` both read."""
    return [coding for coding in codings if coding not in ("chunked", "identity")]


def coding_not_supported(codings: str) -> str:
    """The words (zh / en) of the 501 for a body in `codings`, the same from either server and from the app."""
    return (f"服务器不支持请求体的传输编码 {codings}，只支持 chunked，请求没有处理 / the server does not decode the "
            f"body's transfer coding {codings}, only chunked, and the request was not handled")


def read_body(request: Request, limit: int) -> bytes:
    """The whole body (cached, and a form's fields and files parsed from it), or BodyTooLarge, or a BadBody:
    BodyIncomplete when fewer bytes came than its Content-Length said, BadContentLength when that header is not a
    number, a malformed chunked body, a form that cannot be read (`_parse_form`)."""
    declared = request.headers.get("Content-Length")
    if declared is not None and _DIGITS.fullmatch(declared) is None:
        raise BadContentLength(declared)
    if unsupported := not_decoded(transfer_codings(request.headers.getlist("Transfer-Encoding"))):
        # gunicorn takes `gzip, chunked`, undoes the chunks and passes the body on still compressed (the form was
        # then "%1F%8B%08…"); luzhi serve refuses it before the app (server/http_servers.py; cold review 31)
        raise BadBody(coding_not_supported(", ".join(unsupported)), status=501)
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
    except (ClientDisconnected, OSError, ParseException) as error:  # gunicorn's: the socket's own, and its parser's
        if not _timed_out(error):
            if "chunked" in request.headers.get("Transfer-Encoding", "").lower():
                raise BadBody(CHUNKS_MALFORMED) from None
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
    if request.mimetype in (FORM, MULTIPART):
        _parse_form(request, data)
    return data


def _parse_form(request: Request, data: bytes) -> None:
    """Parse the form now, refusing what Werkzeug would read as an empty form: a parameter that is not UTF-8,
    named; a multipart body without its boundary or cut short (its closing delimiter missing)."""
    if request.mimetype == FORM:
        bad = not_utf8(data)
        if bad is not None:
            raise BadBody(f"请求体中的表单参数 {bad} 不是有效的 UTF-8 / form parameter `{bad}` of the body is not "
                          "valid UTF-8 (its bytes and percent-escapes must encode UTF-8)")
    request.form_data_parser_class = _StrictFormParser
    try:
        request.form  # noqa: B018 (parsed from the cached body, kept for the view)
    except RequestEntityTooLarge:  # the parts, not the bytes: /sparql's fast path has no Flask to answer it
        parts = request.max_form_parts
        raise BadBody(f"表单超过 {parts} 个部分 / the form has more than {parts} parts", status=413) from None
    except ValueError:
        boundary = request.mimetype_params.get("boundary")
        if not boundary:
            raise BadBody("Content-Type multipart/form-data 缺少 boundary 参数 / the Content-Type "
                          "multipart/form-data has no boundary parameter") from None
        raise BadBody(f"multipart/form-data 请求体格式错误或不完整：应以结束分隔行 --{boundary}-- 结尾 / the "
                      f"multipart/form-data body is malformed or cut short: it must end with its closing delimiter "
                      f"--{boundary}--") from None


def as_sent(name: bytes) -> str:
    """A parameter name that is no UTF-8, as it was sent: its escapes kept, a raw byte past ASCII written as one
    (`%FF`); Python's `b'\\xff'` named it before (cold review 29)."""
    return "".join(chr(byte) if 0x20 < byte < 0x7F else f"%{byte:02X}" for byte in name)


def not_utf8(encoded: str | bytes) -> str | None:
    """The first parameter of an `application/x-www-form-urlencoded` text (a query string, percent-encoded by
    `PercentEncodeQueryString`) or body (bytes) whose name or value, percent-decoded, is not UTF-8: its name (as
    sent, `as_sent`, when the name itself is the bad part); None when all are. A body's raw byte counts as itself:
    its `\xff` was read as the latin-1 character ÿ, valid once re-encoded, and Werkzeug then dropped the whole form."""
    raw = encoded.encode("utf-8") if isinstance(encoded, str) else encoded
    if raw.isascii() and _HIGH_ESCAPE.search(raw) is None:
        # Only a raw byte or an escape of a byte ≥ 0x80 can make a bad sequence: decoding every pair was ~0.1 ms
        # of a /sparql point lookup (issue 13).
        return None
    for pair in raw.split(b"&"):
        name, _eq, value = pair.partition(b"=")
        name_bytes = unquote_to_bytes(name.replace(b"+", b" "))
        try:
            name_text = name_bytes.decode("utf-8")
        except UnicodeDecodeError:
            return as_sent(name)
        try:
            unquote_to_bytes(value.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            return name_text
    return None


_HIGH_ESCAPE = re.compile(rb"%[89a-fA-F][0-9a-fA-F]")


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

"""What luzhi adds to the two HTTP servers it runs under: Werkzeug's development server (`luzhi serve`) and
gunicorn's threaded worker (gunicorn.conf.py).

**Socket timeouts** (`luzhi serve`): a client that sends a request line and then nothing (an HTTP/0.9-style
line, a slowloris) is dropped after `BODY_WAIT` seconds instead of holding a thread (issue 10 measured 40 s).
Production runs behind a buffering proxy (docs/security.md).

**One bound on the request line, and luzhi's own 414 past it.** A GET carries its SPARQL query in the URL.
gunicorn reads a request line of at most `limit_request_line` bytes, 8,190 at most short of no bound at all
(0, which reads a line of any length into memory: a client could send gigabytes), and answered a longer one
with its own English HTML page; Werkzeug's server (http.server) allowed 65,536 bytes and answered past them with
its own English page too, and a client still sending a 1 MB line then met a reset connection instead of any
answer (cold review). Both now take `REQUEST_LINE_LIMIT` bytes, the same under `luzhi serve` as in production,
and past it read (and drop) the rest of the request head, up to `DRAIN_LIMIT` bytes, so the client has sent it
all, then answer 414 in both languages, advising POST, with the headers every answer carries.
"""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Callable
from email.errors import InvalidHeaderDefect, MissingHeaderBodySeparatorDefect

from gunicorn.http.errors import (
    ChunkMissingTerminator,
    ExpectationFailed,
    InvalidChunkExtension,
    InvalidChunkSize,
    InvalidHeader,
    InvalidHeaderName,
    InvalidHTTPVersion,
    InvalidRequestLine,
    InvalidRequestMethod,
    LimitRequestHeaders,
    LimitRequestLine,
    ObsoleteFolding,
    UnsupportedTransferCoding,
)
from gunicorn.workers.gthread import ThreadWorker as GunicornThreadWorker
from werkzeug.serving import WSGIRequestHandler
from werkzeug.wrappers import Response

from luzhi.server import worker_balance
from luzhi.server.cors import open_to_any_origin
from luzhi.server.hardening import add_security_headers
from luzhi.server.limits import (
    BODY_WAIT,
    CHUNKS_MALFORMED,
    coding_not_supported,
    not_decoded,
    transfer_codings,
)

# Bytes of a request line (method, target, version; without its CRLF): gunicorn's largest bound short of none
# (gunicorn.http.message.MAX_REQUEST_LINE), and nginx's default buffer for one (large_client_header_buffers 8k).
REQUEST_LINE_LIMIT = 8190
# Bytes of an over-long request head read and dropped before the 414 (a client that sends more is cut off);
# reading stops sooner at the blank line that ends the head, or when nothing comes for `DRAIN_PAUSE` seconds.
DRAIN_LIMIT = 16 * 1024 * 1024
DRAIN_PAUSE = 1.0
# RFC 9112 §2.3: HTTP-version = "HTTP/" DIGIT "." DIGIT, one digit each (gunicorn's rule too).
_VERSION = re.compile(r"HTTP/(\d)\.(\d)")
# What the email parser behind http.server notes of a header line it could not read: one without a colon ends the
# headers there (those after it are lost), one without a name. Not the defects it notes of a multipart
# Content-Type's (absent) body.
_HEADER_LINE_DEFECTS = (MissingHeaderBodySeparatorDefect, InvalidHeaderDefect)


def request_line_too_long(limit: int) -> bytes:
    """The whole HTTP/1.1 answer to a request line over `limit` bytes: 414, plain text, zh + en."""
    text = (f"414 请求地址过长：请求行（方法、地址和 HTTP 版本）超过 {limit} 字节，服务器没有读它。SPARQL 查询请改用 "
            "POST 发送（Content-Type: application/x-www-form-urlencoded 的 query=…，或 application/sparql-query） / "
            f"URI Too Long: the request line (method, URL and HTTP version) is longer than {limit} bytes, and was not "
            "read. Send a SPARQL query by POST instead (query=… as application/x-www-form-urlencoded, or the query "
            "itself as application/sparql-query)\n")
    return _plain_answer(414, text)


def header_fields_too_large() -> bytes:
    """The whole HTTP/1.1 answer to a request head over the servers' bounds (a header line too long, too many
    header lines): 431, plain text, zh + en. Both servers answered with their own English page (cold review 21)."""
    text = ("431 请求头过大：请求头（某一行的长度，或行数）超过服务器的上限，服务器没有读它：请删去不需要的请求头"
            "或 Cookie 后再试 / Request Header Fields Too Large: the request's header fields (one line's length, or "
            "their number) are over the server's limit, and were not read: remove the headers or cookies it does not "
            "need and try again\n")
    return _plain_answer(431, text)


def malformed_request(status: int, detail: str) -> bytes:
    """The whole HTTP/1.1 answer to a request line or head that is not HTTP (400), of a version not served (505),
    with a body in a transfer coding not decoded (501) or an expectation not known (417): plain text, zh + en.
    `luzhi serve` answered with http.server's English HTML page, gunicorn with its own (cold review)."""
    if status == 501:  # `detail`: the codings not decoded; the app's own 501 says the same (server/limits.py)
        return _plain_answer(501, f"501 {coding_not_supported(detail)}\n")
    if status == 417:
        text = (f"417 无法满足预期：服务器只认得请求头 Expect 的 100-continue，不认得 {detail}，服务器没有处理它 / "
                f"Expectation Failed: the server knows only `Expect: 100-continue`, not {detail}, and the request "
                "was not handled\n")
        return _plain_answer(417, text)
    zh, en = ("不支持的 HTTP 版本", "HTTP Version Not Supported") if status == 505 else ("请求无效", "Bad Request")
    text = (f"{status} {zh}：请求行或请求头不合 HTTP/1.1 的格式（{detail}），服务器没有处理它 / {en}: the request line "
            f"or a header is not valid HTTP/1.1 ({detail}), and was not handled\n")
    return _plain_answer(status, text)


def body_framing_problem(lengths: list[str], codings: list[str], version: str) -> tuple[int, str]:
    """(status, what is wrong) of a request body's framing that gunicorn refuses (gunicorn.http.message
    `set_body_reader`, RFC 9112 §6), or (0, ""). Werkzeug's server read `Content-Length: -1` as no body,
    took the first of two Content-Lengths, and let Transfer-Encoding override a Content-Length, which a proxy in
    front may have read the other way (request smuggling; cold review 29)."""
    if len(lengths) > 1:
        return 400, "Content-Length given more than once"
    lengths = [length.strip(" \t") for length in lengths]  # RFC 9110 §5.5: white space around a value is no part of it
    if lengths and not (lengths[0].isascii() and lengths[0].isdigit()):
        return 400, f"Content-Length is not a number of bytes: {lengths[0][:20]!r}"
    if not codings:
        return 0, ""
    named = transfer_codings(codings)
    if not named or named[-1] != "chunked" or named.count("chunked") > 1:
        return 400, "Transfer-Encoding does not end in one chunked"
    if lengths:
        return 400, "both Content-Length and Transfer-Encoding"
    if version != "HTTP/1.1":
        return 400, f"Transfer-Encoding in an {version} request"
    if unsupported := not_decoded(named):  # before the one chunked; `identity` changes nothing (gunicorn's rule)
        return 501, ", ".join(unsupported)[:40]
    return 0, ""


def _plain_answer(status: int, text: str) -> bytes:
    """A whole HTTP/1.1 answer, plain text, with the headers every answer carries, closing the connection."""
    response = Response(text, status=status, content_type="text/plain; charset=utf-8")
    response.headers["Connection"] = "close"
    open_to_any_origin(response)
    add_security_headers(response)
    head = [f"HTTP/1.1 {response.status}"] + [f"{name}: {value}" for name, value in response.headers.items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + response.get_data()


def drain_request_head(read: Callable[[int], bytes], seen: bytes = b"") -> int:
    """Read and drop the rest of a request head (`read(n)` gives the next bytes, b"" at the end, or raises
    TimeoutError), until the blank line that ends it, the end of the stream, `DRAIN_LIMIT` bytes or a pause of
    `DRAIN_PAUSE` seconds (the caller sets it as the socket's timeout); how many bytes were dropped."""
    dropped = 0
    tail = seen[-3:]
    deadline = time.monotonic() + 60  # a client trickling a byte a second gets no more than a minute
    while dropped < DRAIN_LIMIT and time.monotonic() < deadline:
        try:
            chunk = read(65536)
        except (TimeoutError, OSError):
            break
        if not chunk:
            break
        dropped += len(chunk)
        if b"\r\n\r\n" in tail + chunk or b"\n\n" in tail + chunk:
            break
        tail = (tail + chunk)[-3:]
    return dropped


class TimedRequestHandler(WSGIRequestHandler):
    """The development server's handler (`luzhi serve`): a socket timeout, and a bounded request line answered
    with luzhi's 414 (the module's docstring)."""

    timeout = BODY_WAIT

    def setup(self) -> None:
        super().setup()
        self.rfile = _EndsAtTimeout(self.rfile)

    def handle_one_request(self) -> None:
        """http.server's `handle_one_request` (Python 3.11-3.13), with `REQUEST_LINE_LIMIT` for its 65,536 and
        luzhi's 414 for its English HTML page."""
        try:
            self.raw_requestline = self.rfile.readline(REQUEST_LINE_LIMIT + 3)  # the line, CRLF, one byte past
            if len(self.raw_requestline.rstrip(b"\r\n")) > REQUEST_LINE_LIMIT:
                self._refuse_long_line()
                return
            if not self.raw_requestline:
                self.close_connection = True
                return
            if not self.parse_request():
                return  # an error has been sent
            self.run_wsgi()  # every method goes to the WSGI app (Werkzeug's `do_*` are all this)
            self.wfile.flush()
        except TimeoutError as error:
            self.log_error("Request timed out: %r", error)
            self.close_connection = True

    def _refuse_long_line(self) -> None:
        self.requestline = self.raw_requestline[:60].decode("latin-1") + "…"
        self.request_version = self.command = ""
        self._drain_and_answer(414, request_line_too_long(REQUEST_LINE_LIMIT), self.raw_requestline)

    def parse_request(self) -> bool:
        """http.server's `parse_request`, held to HTTP/1.x as gunicorn holds it (cold review 28): a line without a
        version (HTTP/0.9, answered without a status line), a version of more than one digit a side (`HTTP/1.10`,
        answered 200) or outside 1.0–1.1 (505), a header line without a colon (read as the start of the body, the
        headers after it lost) and an obsolete folded header line (RFC 9112 §5.2) are refused."""
        self.requestline = self.raw_requestline.decode("latin-1").rstrip("\r\n")
        self.command = self.request_version = ""  # what the log line shows of a request refused here
        self.__dict__.pop("path", None)  # a kept-alive connection's last request's: not this one's
        words = self.requestline.split()
        version = _VERSION.fullmatch(words[-1]) if len(words) == 3 else None
        if len(words) in (2, 3) and version is None:
            self.send_error(400, f"no HTTP/1.x version: {words[-1][:40]!r}" if len(words) == 3 else "no HTTP version")
            return False
        if version is not None and version[1] != "1":
            self.send_error(505, f"HTTP/{version[1]}.{version[2]}")
            return False
        if not super().parse_request():
            return False
        if any(isinstance(defect, _HEADER_LINE_DEFECTS) for defect in self.headers.defects):
            self.send_error(400, "a header line without a colon or a name")
            return False
        if any("\n" in value for value in self.headers.values()):
            self.send_error(400, "obsolete line folding")
            return False
        status, problem = body_framing_problem(self.headers.get_all("Content-Length", []),
                                               self.headers.get_all("Transfer-Encoding", []), self.request_version)
        if problem:
            self.send_error(status, problem)
            return False
        # http.server ignored any other expectation, and a second Expect line; gunicorn answers 417.
        expectations = self.headers.get_all("Expect", [])
        unknown = [value for value in expectations if value.strip(" \t").lower() != "100-continue"]
        if unknown:
            self.send_error(417, repr(unknown[0][:40]))
            return False
        if expectations and self.request_version == "HTTP/1.0":
            del self.headers["Expect"]  # RFC 9110 §10.1.1: ignored in HTTP/1.0, where Werkzeug answered it
        return True

    def handle_expect_100(self) -> bool:
        """Send no `100 Continue` here: http.server sent one before the checks above (inviting a body it then
        refused) and Werkzeug's `run_wsgi` sends another when it starts the app (cold review 31: two)."""
        return True

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """luzhi's own answers in both languages where http.server's `parse_request` sends its English HTML page:
        431 for a request head past its bounds (a header line over 65,536 bytes, more than 100 header lines), 400
        and 505 for a request line that is not HTTP/1.x, 400 and 501 for a body's framing (`body_framing_problem`),
        417 for an expectation other than 100-continue."""
        if code == 431:
            self._drain_and_answer(431, header_fields_too_large())
        elif code in (400, 417, 501, 505):
            self._drain_and_answer(code, malformed_request(code, message or ""))
        else:
            super().send_error(code, message, explain)

    def _drain_and_answer(self, status: int, answer: bytes, seen: bytes = b"") -> None:
        """Read and drop the rest of the request head (so the client has sent it all), send `answer`, close."""
        self.close_connection = True
        self.connection.settimeout(DRAIN_PAUSE)
        drain_request_head(self.rfile.read1, seen)
        try:
            self.wfile.write(answer)
            self.wfile.flush()
        except OSError:
            return  # the client is gone
        self.log_request(status, len(answer))


# gunicorn's parse errors answered here rather than by its English HTML page (`ThreadWorker.handle_error`). A body
# gunicorn reads itself to keep the connection alive (the app read none of it) had its chunk errors answered so
# after the app's answer (cold review 28); one the app reads is the app's 400 (server/limits.py).
_CHUNK_ERRORS = (InvalidChunkSize, ChunkMissingTerminator, InvalidChunkExtension)
_OURS = (LimitRequestLine, LimitRequestHeaders, InvalidRequestLine, InvalidRequestMethod, InvalidHTTPVersion,
         InvalidHeader, InvalidHeaderName, ObsoleteFolding, UnsupportedTransferCoding, ExpectationFailed,
         *_CHUNK_ERRORS)


class ThreadWorker(GunicornThreadWorker):
    """gunicorn's threaded worker (gunicorn.conf.py `worker_class`), answering a request line over its
    `limit_request_line` with luzhi's 414, a head over its header limits with luzhi's 431, and a request that is
    not HTTP with luzhi's 400, rather than gunicorn's own pages (the module's docstring); and leaving a new
    connection to a worker that holds fewer (server/worker_balance.py)."""

    _connections = 0

    @property
    def nr_conns(self) -> int:
        """gthread's count of the connections this worker holds, published to the other workers as it changes."""
        return self._connections

    @nr_conns.setter
    def nr_conns(self, value: int) -> None:
        self._connections = value
        worker_balance.publish(self, value)

    def accept(self, listener) -> None:
        worker_balance.defer(self, self._connections, listener)
        super().accept(listener)

    def handle_error(self, req, client, addr, exc) -> None:
        if not isinstance(exc, _OURS) or not isinstance(client, socket.socket):
            super().handle_error(req, client, addr, exc)
            return
        if isinstance(exc, LimitRequestLine):
            status, answer = 414, request_line_too_long(self.cfg.limit_request_line or REQUEST_LINE_LIMIT)
        elif isinstance(exc, LimitRequestHeaders):
            status, answer = 431, header_fields_too_large()
        elif isinstance(exc, _CHUNK_ERRORS):
            status, answer = 400, _plain_answer(400, f"400 {CHUNKS_MALFORMED} ({exc})\n")
        elif isinstance(exc, InvalidHTTPVersion) and isinstance(exc.version, tuple):  # well-formed, not 1.x
            status, answer = 505, malformed_request(505, "HTTP/{}.{}".format(*exc.version))
        elif isinstance(exc, UnsupportedTransferCoding):  # exc.hdr: the whole header value (`br, chunked`)
            status, answer = 501, malformed_request(501, ", ".join(not_decoded(transfer_codings([exc.hdr]))) or exc.hdr)
        elif isinstance(exc, ExpectationFailed):
            status, answer = 417, malformed_request(417, repr(exc.expect[:40]))
        else:
            status, answer = 400, malformed_request(400, str(exc))
        self.log.warning("Invalid request from ip=%s: %s; answered %d", (addr or ("",))[0], exc, status)
        try:
            client.settimeout(DRAIN_PAUSE)
            drain_request_head(client.recv)
            client.settimeout(BODY_WAIT)
            client.sendall(answer)
        except OSError:
            self.log.debug("Failed to send the %d.", status)


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

"""Conditional and ranged answers (RFC 9110 §13, §14): every response's `ETag` and `Last-Modified` from the build,
304 and 412 to `If-*`, 206 and 416 to `Range` for files (split out of server/views/common.py, helper perf23).
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from functools import lru_cache
from typing import NoReturn

from flask import Response, request
from werkzeug.exceptions import PreconditionFailed, RequestedRangeNotSatisfiable
from werkzeug.http import http_date, parse_date, parse_etags, parse_range_header, quote_etag

from luzhi.server.context import build_info


def conditional(response: Response, *, vary_accept: bool = True, complete_length: int | None = None) -> Response:
    """Add `ETag`/`Last-Modified` from the build and answer `If-None-Match`/`If-Modified-Since` with 304.

    The ETag also covers the path, query and media type: one build serves many representations
    of one resource, and a cache must not hand Turtle to a client that negotiated HTML.
    With `complete_length` (a file's size), `Range` is answered too (206 / 416, `If-Range`): a
    national dump is ~1 GB, and a cut download should resume where it stopped (cold review).
    """
    if vary_accept:
        _vary_accept(response)
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return response
    info = build_info()
    tag = hashlib.sha256(
        f"{info.build_id}|{request.full_path}|{response.mimetype}".encode()
    ).hexdigest()[:24]
    environ = request.environ
    if complete_length is None and not any(name in environ for name in _CONDITIONAL):
        # Nothing to compare or cut (every duty page a crawler fetches): the two headers, written as `set_etag`
        # and `last_modified` write them. `make_conditional` would only add the Date header deleted below and a
        # Content-Length the WSGI layer adds anyway; with the header setters it was ~0.1 ms of a page (issue 13).
        response.headers["ETag"] = quote_etag(tag)
        response.headers["Last-Modified"] = _http_date(info.time)
        return response
    response.set_etag(tag)
    response.last_modified = info.time
    suffix = _SUFFIX_RANGE.fullmatch(environ.get("HTTP_RANGE", "")) if complete_length is not None else None
    if suffix is not None:
        # RFC 9110 §14.1.2: the last 0 bytes are unsatisfiable (416 with `Content-Range: bytes */LEN`; werkzeug
        # read `bytes=-0` as malformed and sent the whole file, 200, cold review), and a suffix longer than the file
        # means the whole file (206; werkzeug answered 416). Each is rewritten as the range werkzeug reads so.
        wanted = int(suffix[1])
        last = f"bytes={complete_length}-" if wanted == 0 else f"bytes=-{min(wanted, complete_length)}"
        environ = {**environ, "HTTP_RANGE": last}
    ranged = parse_range_header(environ.get("HTTP_RANGE"))
    if "HTTP_RANGE" in environ and (ranged is None or ranged.units != "bytes" or len(ranged.ranges) != 1):
        # RFC 9110 §14.2: a Range the server does not understand (another unit, several ranges, bad
        # syntax) is ignored, and the whole file sent; werkzeug answered them 416 (cold review).
        environ = {key: value for key, value in environ.items() if key != "HTTP_RANGE"}
    since = parse_date(environ.get("HTTP_IF_MODIFIED_SINCE"))
    if since is not None and since > datetime.now(UTC):
        # RFC 9110 §13.1.3 (and RFC 7232 §3.3: "a date which is later than the server's current time is
        # invalid"): ignored, not an answer 304 (werkzeug compared it with the build time; cold review).
        environ = {key: value for key, value in environ.items() if key != "HTTP_IF_MODIFIED_SINCE"}
    # The preconditions first (RFC 9110 §13.2.2), here: werkzeug reads no If-Unmodified-Since (it answered 200), and
    # checks If-Match after a Range, so a failed If-Match with a Range sent the part (206), and `If-Match: *`
    # failed (cold reviews 27, 28).
    if "HTTP_IF_MATCH" in environ:
        wanted = parse_etags(environ["HTTP_IF_MATCH"])
        if not (wanted.star_tag or wanted.is_strong(tag)):  # §13.1.1: the strong comparison
            _precondition_failed(response, "If-Match")
        environ = {key: value for key, value in environ.items() if key != "HTTP_IF_MATCH"}
    else:
        unmodified_since = parse_date(environ.get("HTTP_IF_UNMODIFIED_SINCE"))
        if unmodified_since is not None and info.time.replace(microsecond=0) > unmodified_since:  # §13.1.4
            _precondition_failed(response, "If-Unmodified-Since")
    try:
        response = response.make_conditional(environ, accept_ranges=complete_length is not None,
                                             complete_length=complete_length)
    except RequestedRangeNotSatisfiable:
        response.close()  # werkzeug raises the 416 and leaves the file it was to send open
        raise
    # make_conditional adds a Date header, and the HTTP server (Werkzeug's and gunicorn's) adds its
    # own: two Date headers on every page (cold review). The server's one is enough (RFC 9110 §6.6.1).
    del response.headers["Date"]
    return response


def _precondition_failed(response: Response, header: str) -> NoReturn:
    """412 as the site's errors are (server/views/common.py `http_error`), without the body: werkzeug's own 412 kept
    the whole representation, a 557 kB dump for a failed `If-Match` (cold review)."""
    response.close()
    raise PreconditionFailed(f"{header} 的条件不成立：这个资源已不是所给的版本（ETag {response.headers.get('ETag')}，"
                             f"Last-Modified {response.headers.get('Last-Modified')}），什么也没有发送 / the {header} "
                             "condition is false: the resource is no longer the version given (ETag "
                             f"{response.headers.get('ETag')}, Last-Modified {response.headers.get('Last-Modified')}); "
                             "nothing was sent")


def _vary_accept(response: Response) -> None:
    """`Accept` added to the response's `Vary`: `response.vary.add` parses and rewrites the header (~15 µs), while
    a page has none yet and gets `Vary: Accept`, as `vary.add` writes it."""
    if any(name.lower() == "vary" for name, _value in response.headers):
        response.vary.add("Accept")
    else:
        response.headers.add("Vary", "Accept")


# The request headers that make `make_conditional` answer other than 200 with the whole body (RFC 9110 §13.1, §14).
_CONDITIONAL = ("HTTP_IF_MATCH", "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_UNMODIFIED_SINCE",
                "HTTP_IF_RANGE", "HTTP_RANGE")


@lru_cache(maxsize=16)
def _http_date(when: datetime) -> str:
    """`Last-Modified` of a build: the same few builds' times on every page."""
    return http_date(when)


_SUFFIX_RANGE = re.compile(r"[ \t]*bytes[ \t]*=[ \t]*-[ \t]*([0-9]+)[ \t]*", re.IGNORECASE)  # the last N bytes

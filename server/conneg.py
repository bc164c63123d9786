"""Content negotiation: pick one of the offered media types from an `Accept` header (RFC 9110 §12.5.1).

werkzeug's `MIMEAccept` already parses q-values and wildcards; this module only adds the
policy luzhi needs everywhere: the *server's* order of preference breaks ties (so `*/*`
gets the first offer), `q=0` really means "not this one", and a malformed q-value counts as 1
(werkzeug drops the whole entry, so `application/sparql-results+json;q=abc` was a 406: be
liberal in what you accept, RFC 9413 notwithstanding, since the client plainly wants that type).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Protocol

from flask import request
from werkzeug.datastructures import MIMEAccept
from werkzeug.exceptions import NotAcceptable
from werkzeug.http import parse_accept_header

# Media types clients send for the same thing under another name.
_ALIASES: dict[str, str] = {
    "application/x-turtle": "text/turtle",
    "application/turtle": "text/turtle",
    "text/n3": "text/turtle",
    "text/plain": "application/n-triples",  # the N-Triples 2004 media type
    "application/json": "application/ld+json",
    "application/xml": "application/rdf+xml",
    "text/xml": "application/rdf+xml",
    # XHTML: some browsers and crawlers name it without text/html, and pages answered 406 (cold review). There
    # is no XHTML form of the pages; they get the HTML page, as text/html, which RFC 9110 §12.5.1 allows
    # ("disregard the header field" rather than 406) and which a browser renders all the same.
    "application/xhtml+xml": "text/html",
}

_Q_PARAMETER = re.compile(r";\s*q\s*=\s*([^;,]*)", re.IGNORECASE)
_Q_VALUE = re.compile(r"0(\.[0-9]{0,3})?|1(\.0{0,3})?")  # RFC 9110 §12.4.2


def negotiate(offered: Sequence[str], *, links: Callable[[], Sequence[Offer]] | None = None) -> str:
    """The media type this request gets at a URL that offers several, or a 406 listing them (and `links()`, the
    address of each form, where there are: the site's error page shows them as links; made only for a 406, as a
    page's dozen links cost); the one rule every route follows (docs/linked-data.md, "Content negotiation"):

    - a URL that offers several media types answers the best its `Accept` accepts (`choose`): the first offer for
      an absent or empty header and for `*/*`; a 406 when it accepts none of them (RFC 9110 §15.5.7: saying what
      is offered; `/search` and `/dumps/` sent HTML and `POST /validate` its HTML report instead, cold review);
    - a URL of one representation (a format's extension, `/search.json`, a file, `/`, `/robots.txt`, `/health` …)
      never calls this: it sends that representation whatever `Accept` says, as RFC 9110 §12.5.1 allows;
    - an error is never a 406: it comes in the best type the client accepts, else as plain text.

    `/sparql`'s results are negotiated by their query form and refused by the endpoint in its own words
    (server/views/sparql.py); its service description goes through `not_acceptable_message`.
    """
    mime = choose(request.headers.get("Accept"), offered)
    if mime is None:
        forms = links() if links is not None else ()
        raise _NotAcceptable(not_acceptable_message(offered, forms), links=forms)
    return mime


class Offer(Protocol):
    """One form of a resource at its own address (server/links.py `FormatLink`)."""

    mime: str
    name: str
    url: str  # a path on this server (with its mount point)


def offers_text(links: Sequence[Offer]) -> str:
    """Each form as `URL (media type)`, the URL whole (on the host the request came to): what a 404 or a 406 in
    JSON or plain text names, where the HTML error page shows links."""
    host = request.host_url.rstrip("/")
    return ", ".join(f"{host}{offer.url} ({offer.mime})" for offer in links)


def not_acceptable_message(offered: Sequence[str], links: Sequence[Offer] = ()) -> str:
    """What a 406 says: the media types offered, and where each form is, Chinese then English (it was English
    only, or bare)."""
    types = ", ".join(offered)
    if not links:
        return (f"此资源提供 {types}，请求的 Accept 不接受其中任何一种 / this resource is offered as {types}, none of "
                f"which the request's Accept accepts")
    where = offers_text(links)
    return (f"此资源提供 {types}，请求的 Accept 不接受其中任何一种；各形式的地址：{where} / this resource is offered "
            f"as {types}, none of which the request's Accept accepts; each form is at {where}")


class _NotAcceptable(NotAcceptable):
    """A 406 that varies by `Accept`, as the answer it replaces does (caches must not keep it for other clients),
    with the `links` its error page shows (server/views/common.py `http_error`)."""

    def __init__(self, description: str, *, links: Sequence[Offer] = ()) -> None:
        super().__init__(description)
        self.links = tuple(links)

    def get_headers(self, *args, **kwargs) -> list[tuple[str, str]]:
        return [*super().get_headers(*args, **kwargs), ("Vary", "Accept")]


def choose(accept_header: str | None, offered: Sequence[str]) -> str | None:
    """The best of `offered` for this `Accept` header, or None when the client accepts none of them.

    A missing or empty header accepts anything (RFC 9110 §12.5.1), so it gets `offered[0]`; so does one
    of empty members only (`,,,,`).
    Ties between equally acceptable types go to the earlier offer: pages put HTML first,
    so a browser's `text/html,…,*/*;q=0.8` gets HTML and curl's `*/*` gets it too.

    Answers for short headers are remembered (`_chosen`): parsing one was ~35 µs of every page (issue 13),
    and clients send a handful of distinct headers; a long one (anyone can send any) is parsed each time.
    """
    if accept_header is not None and len(accept_header) <= MAX_REMEMBERED:
        return _chosen(accept_header, tuple(offered))
    return _choose(accept_header, offered)


MAX_REMEMBERED = 256  # characters of an `Accept` header whose answer `choose` remembers (browsers send ~100)


@lru_cache(1024)
def _chosen(accept_header: str, offered: tuple[str, ...]) -> str | None:
    return _choose(accept_header, offered)


def _choose(accept_header: str | None, offered: Sequence[str]) -> str | None:
    if not offered:
        return None
    if not accept_header or not accept_header.strip():
        return offered[0]
    parsed = parse_accept_header(_malformed_q_as_1(accept_header), MIMEAccept)
    # Media-type parameters other than q are ignored: werkzeug matched `application/ld+json;profile="…#
    # compacted"` and `text/html;charset=gbk` to nothing, a 406 (cold review); luzhi's JSON-LD is compacted
    # and its HTML says its charset. A member that is no media range (`Accept: ,,,,`, `;q=0.5`: empty ones)
    # says nothing; a header of nothing else is as if absent, not a 406 (cold review).
    ranges = [(value.split(";", 1)[0].strip(), quality) for value, quality in parsed]
    ranges = [(value, quality) for value, quality in ranges if value]
    if not ranges:
        return offered[0]
    accept = MIMEAccept(ranges)
    best: str | None = None
    best_q = 0.0
    for mime in offered:
        quality = _quality(accept, mime)
        if quality > best_q:
            best, best_q = mime, quality
    return best


def _malformed_q_as_1(accept_header: str) -> str:
    return _Q_PARAMETER.sub(lambda m: m.group(0) if _Q_VALUE.fullmatch(m.group(1).strip()) else ";q=1", accept_header)


def _quality(accept: MIMEAccept, mime: str) -> float:
    # werkzeug's `accept[mime]` applies the most specific matching entry, wildcards included.
    quality = float(accept[mime])
    for alias, target in _ALIASES.items():
        if target == mime and alias in accept.values():
            # An alias counts only when written out exactly; its wildcard matches were counted above.
            quality = max(quality, float(accept[alias]) * 0.999)
    return quality

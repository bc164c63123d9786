"""Every link the server writes: IRI ↔ path under the base, links to resources, paging and format links.

The store holds IRIs under `Config.base`, while a request may arrive on any host (a proxy,
127.0.0.1, a test's port 0). So a request *path* is mapped to an IRI by prefixing the base,
and an IRI is turned back into a *path* for links, never into the request's host.

`link` is the one builder of a URL on this server with the request's parameters: HTML paging,
the RDF `Link: rel=next`, /search.json's `next` and the language switch all go through it, so
none of them drops `q`, `kind` or `lang` or forgets to encode them (issue 9: /search.json's next
link lost `kind` and sent `q` raw).
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import Response, redirect, request
from rdflib.term import Node

from luzhi.ontology.namespaces import LZ
from luzhi.server.context import get_config
from luzhi.server.i18n import lang
from luzhi.store.formats import DESCRIPTION_FORMATS


def link(path: str, *, keep: Iterable[str] | None = None, **changes: object) -> str:
    """`path` on this server with the request's parameters (all, or only `keep`), `changes` applied.

    A change to None removes that parameter. Values are URL-encoded (a Chinese `q` included).
    """
    if keep is not None and not keep:
        args = {}  # none kept (a page's format links, five a page): the request's parameters are not read (issue 13)
    else:
        args = request.args.to_dict(flat=False)
    if keep:
        kept = set(keep)
        args = {name: values for name, values in args.items() if name in kept}
    for name, value in changes.items():
        if value is None:
            args.pop(name, None)
        else:
            args[name] = [str(value)]
    query = urlencode(args, doseq=True)
    return f"{request.script_root}{path}" + (f"?{query}" if query else "")


def iri_for_path(path: str) -> str:
    """The IRI a request path names: the configured base plus the path (never the request's host)."""
    return f"{get_config().base}{path}"


def local_path(iri: str) -> str | None:
    """The path of an IRI under our base, or None for someone else's IRI."""
    return _path_under(get_config().base + "/", iri)


def _path_under(base: str, iri: str) -> str | None:
    """`local_path` with the base (ending in "/") given: `Here` reads it once per request."""
    return iri[len(base) - 1 :] if iri.startswith(base) else None


@dataclass(frozen=True)
class Here:
    """What every link of one request depends on: its mount point, the IRI base and its language.

    Read from the request once (`here`), not per link: a duty page writes ~50 links, and each reached
    Flask's request and app proxies 4-5 times (~0.6 µs each, a tenth of the page's CPU; issue 13).
    """

    root: str  # request.script_root
    base: str  # Config.base + "/": our IRIs start with it
    lang: str

    def href(self, node: Node | str) -> str:
        """`href` for this request."""
        iri = str(node)
        path = _path_under(self.base, iri)
        if path is not None:
            if path.startswith("/id/"):
                path = "/doc/" + path[len("/id/") :]
            return self.with_lang(self.root + path)
        if iri.startswith(_LZ):
            return self.with_lang(f"{self.root}/def") + "#" + iri[len(_LZ) :]
        if iri == _LZ[:-1]:
            return self.with_lang(f"{self.root}/def")
        return iri

    def with_lang(self, url: str) -> str:
        """`with_lang` for this request."""
        if self.lang == "zh":
            return url
        fragment = ""
        if "#" in url:
            url, fragment = url.split("#", 1)
            fragment = "#" + fragment
        return f"{url}{'&' if '?' in url else '?'}lang={self.lang}{fragment}"


_LZ = str(LZ)
_HERE = "luzhi.here"  # where `here` keeps its answer for the rest of the request (as i18n.lang does)


def here() -> Here:
    """This request's `Here`, made on first use and kept in its WSGI environ."""
    environ = request.environ
    found = environ.get(_HERE)
    if found is None:
        found = environ[_HERE] = Here(request.script_root, get_config().base + "/", lang())
    return found


def href(node: Node | str) -> str:
    """Where a link to `node` should point on this server: `/doc/…` for our `/id/…` IRIs (saving the 303
    round trip), `/def#Term` for vocabulary terms, the IRI itself for anyone else's."""
    return here().href(node)


def with_lang(url: str) -> str:
    """Keep `?lang=en` on links so an English reader stays in English."""
    return here().with_lang(url)


def page_url(page: int) -> str:
    """This URL with `page` replaced, every other parameter (q, kind, lang) kept."""
    return link(request.path, page=page)


def facet_url(name: str, value: str) -> str:
    """This search narrowed to one facet value (`township`, `list`, `category`), back on page 1."""
    return link(request.path, page=None, **{name: value})


def other_language_url() -> str:
    """This page in the other language, every other parameter kept (a search stays a search)."""
    return link(request.path, lang="en" if lang() == "zh" else None)


@dataclass(frozen=True)
class FormatLink:
    mime: str
    name: str
    url: str


def format_links(doc_path: str, page: int = 1) -> list[FormatLink]:
    """The RDF twins of the HTML page at `doc_path` (`/doc/…` without extension)."""
    return [
        FormatLink(f.mime, f.name, link(f"{doc_path}.{f.extension}", keep=(), page=page if page > 1 else None))
        for f in DESCRIPTION_FORMATS
    ]


def link_header(links: list[FormatLink]) -> list[str]:
    return [f'<{alternate.url}>; rel="alternate"; type="{alternate.mime}"' for alternate in links]


def redirect_to(path: str, code: int, fragment: str = "") -> Response:
    """A redirect to `path` on this server with the request's query (`?lang=en`) and then `fragment`; its body in
    both languages. Werkzeug's body said "Redirecting... You should be redirected automatically" in English (cold
    review 29), on every `/id/` IRI a portal links to; a moved source's 301 dropped the query (cold review 31).
    The query is ASCII: server/query_string.py percent-encodes any raw byte ≥ 0x80 before the app sees it."""
    query = request.query_string.decode("ascii")
    response = redirect(f"{request.script_root}{path}{'?' + query if query else ''}{fragment}", code=code)
    shown = html.escape(response.headers["Location"])
    response.set_data('<!doctype html>\n<html lang="zh-Hans">\n<meta charset="utf-8">\n'
                      f'<title>转到 Redirecting</title>\n<p>请前往 / go to <a href="{shown}">{shown}</a></p>\n')
    return response

"""What every view's response shares: HTML pages with their RDF twins, RDF bodies, terms as HTML.

Links are built in server/links.py, interface text in server/i18n.py, caching headers (ETag, 304, Range) in
server/views/conditional.py, the build's identity in store/state.py (issue 9 split this module out of a grab-bag
of six concerns).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import pyoxigraph as ox
from flask import Flask, Response, abort, render_template, request
from markupsafe import Markup
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.http import HTTP_STATUS_CODES

from luzhi.ontology.namespaces import PREFIXES
from luzhi.server.conneg import choose
from luzhi.server.context import per_snapshot
from luzhi.server.describe import Paging, pick_label
from luzhi.server.i18n import lang, messages, t
from luzhi.server.links import (
    FormatLink,
    Here,
    facet_url,
    here,
    href,
    link,
    link_header,
    other_language_url,
    page_url,
    with_lang,
)
from luzhi.server.views.arguments import single_arg
from luzhi.server.views.conditional import conditional
from luzhi.store.formats import GRAPH_FORMATS, serialise
from luzhi.store.oxigraph import to_oxigraph


def show(node: Node, labels: dict[URIRef, tuple[Literal, ...]] | None = None, *, link: bool = True) -> Markup:
    """HTML for an RDF term: a literal with its `lang` attribute, an IRI as a link named by its label."""
    return Markup(term_html(node, labels, here(), link=link))


def term_html(node: Node, labels: dict[URIRef, tuple[Literal, ...]] | None, links: Here, *, link: bool = True) -> str:
    """`show` as a plain `str`, for a request's `links` (server/links.py `here`, read once by the caller).

    Written with `html_text` rather than `Markup.format` (Python's string.Formatter) or `escape`: a list
    page calls this ~850 times, and `format` was a third of its rendering; each `escape` made a `Markup`
    (issue 13)."""
    if isinstance(node, Literal):
        return _in_language(str(node), node.language)
    label = pick_label(labels.get(node, ()), links.lang) if labels and isinstance(node, URIRef) else None
    text = (_in_language(str(label), label.language) if label is not None
            else html_text(_compact(str(node), links.base)))
    target = links.href(node)
    if not link or not target.lower().startswith(("/", "http://", "https://")):
        return text  # a javascript: or data: IRI in the data is shown, never made a link (issue 10)
    return f'<a href="{html_text(target)}">{text}</a>'


def fact_rows(facts: Iterable[tuple[Node, Node]], labels: dict[URIRef, tuple[Literal, ...]]) -> Markup:
    """A facts table's rows, (property, value) each: in Python, not a template loop, as a duty page's ~15
    rows cost two template calls and four escapes each (~a tenth of the page's rendering; issue 13)."""
    links = here()
    return Markup("".join(f'<tr><th scope="row">{term_html(p, labels, links)}</th>'
                          f'<td>{term_html(o, labels, links)}</td></tr>\n' for p, o in facts))


def html_text(text: str) -> str:
    """`text` escaped as markupsafe's `escape` does it (the same five characters, the same entities), as a
    plain `str`: every `escape` makes a `Markup` (~0.5 µs, a Python `__new__`), and a page's rows written in
    Python (`fact_rows`, comparing.py `elsewhere_items`) are wrapped in one `Markup` whole (issue 13)."""
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;").replace("'", "&#39;").replace(
        '"', "&#34;")


def _in_language(text: str, language: str | None) -> str:
    return f'<span lang="{html_text(language)}">{html_text(text)}</span>' if language else html_text(text)


def compact(iri: str) -> str:
    """A short name for an IRI without a label: `lz:Duty`, or the path under our base."""
    return _compact(iri, here().base)


def _compact(iri: str, base: str) -> str:
    for name, ns in _PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{name}:{iri[len(ns):]}"
    return iri[len(base) - 1 :] if iri.startswith(base) else iri


def rdf_response(graph: Graph, mime: str, *, links: list[str] | None = None, body: bytes | None = None) -> Response:
    """`graph` in the negotiated format (or `body`, that graph already serialised); `links` become the `Link` header."""
    return _rdf_response(serialize(graph, mime) if body is None else body, mime, links)


def triples_response(triples: list[tuple[Node, Node, Node]], mime: str, *, links: list[str] | None = None,
                     prefixes: dict[str, str] | None = None) -> Response:
    """Triples (rdflib terms) in the negotiated format, written by pyoxigraph without an rdflib Graph."""
    return _rdf_response(serialize_triples(triples, mime, prefixes or {}), mime, links)


def _rdf_response(body: bytes, mime: str, links: list[str] | None) -> Response:
    response = Response(body, mimetype=mime)
    if mime != "application/rdf+xml":
        response.charset = "utf-8"
    if links:
        response.headers["Link"] = ", ".join(links)
    return conditional(response)


def serialize(graph: Graph, mime: str) -> bytes:
    """An rdflib graph through the one serialiser (store/formats.py): sorted, only the prefixes it uses."""
    extra = {prefix: str(ns) for prefix, ns in graph.namespaces() if prefix and prefix not in _PREFIXES}
    return serialize_triples(graph, mime, extra)


def serialize_triples(triples, mime: str, extra_prefixes: dict[str, str]) -> bytes:
    """Triples through the one serialiser (store/formats.py), with luzhi's prefixes and `extra_prefixes`.

    pyoxigraph writes it: 5-10x faster than rdflib's Turtle writer. Measured on a duty page (tests'
    store, 60 requests): rdflib's Turtle writer took ~8 ms of ~25 ms per request.
    """
    converted = [ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in triples]
    return serialise(converted, GRAPH_FORMATS[mime], {**_PREFIXES, **extra_prefixes})


_PREFIXES = {name: str(ns) for name, ns in PREFIXES.items()}


def render_page(template: str, *, status: int = 200, alternates: list[FormatLink] | None = None,
                extra_links: list[str] | None = None, cache_key: str | None = None, **context: object) -> Response:
    """Render an HTML page that announces its RDF twins in `<link rel="alternate">` and the `Link` header.

    With `cache_key`, a page whose inputs are all per snapshot (home, VoID) is rendered once per
    snapshot, language and mount point, then served from memory (when `lang` is its only parameter).
    """
    alternates = alternates or []
    # Other parameters reach the page (the language switch keeps them): those requests are rendered,
    # not cached, so a query string can neither fill the cache nor leak into another reader's page.
    if cache_key is None or set(request.args) - {"lang"}:
        html = render_template(template, alternates=alternates, **context)
    else:
        html = per_snapshot(("html", cache_key, lang(), request.script_root),
                            lambda: render_template(template, alternates=alternates, **context))
    response = Response(html, status=status, mimetype="text/html")
    links = link_header(alternates) + (extra_links or [])
    if links:
        response.headers["Link"] = ", ".join(links)
    return conditional(response)


MAX_PAGE = 1_000_000  # OFFSET = (page-1) * page_size must stay a sane integer for the store


def positive_arg(name: str, default: int) -> int:
    """A positive integer query parameter up to MAX_PAGE, or a 400 naming it.

    ASCII digits only: `str.isdigit()` also accepts "²" (int() then fails: a 500, issue 10), and a
    20-digit page overflowed the store's OFFSET. Given twice, a 400 too (it was read as its first value).
    """
    raw = single_arg(name)
    raw = str(default) if raw is None else raw  # `?page=` is a 400 too: no integer was given
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_PAGE:
        abort(400, description=f"参数 {name} 必须是 1 到 {MAX_PAGE} 之间的整数 / parameter `{name}` must be an "
                               f"integer from 1 to {MAX_PAGE}, got {raw[:40]!r}")
    return int(raw)


def page_arg() -> int:
    """The `page` query parameter of paged pages and descriptions."""
    return positive_arg("page", 1)


def require_page(paging: Paging, items: tuple[str, str] | None = None) -> None:
    """404 for a page past the last one (`?page=99` of 2 answered 200 "第 99 / 2 页，共 0", cold review).

    Page 1 always exists (`Paging.last` is at least 1): an empty listing is an empty page, not a 404.
    An uncounted listing (a hub's links) has no last page to compare with. With `items` (what is paged,
    zh and en: `("项", "items")`), the 404 says why, naming `page`, how many there are and the last page's
    address, as /search's does; without, it is the site's plain 404.
    """
    if paging.last is None or paging.page <= paging.last:
        return
    if items is None:
        abort(404)
    last = link(request.path, page=paging.last if paging.last > 1 else None)
    pages_en = "page" if paging.last == 1 else "pages"
    abort(404, description=(
        f"参数 page 超出范围：没有第 {paging.page} 页，共 {paging.total} {items[0]}，每页 {paging.page_size} "
        f"{items[0]}，共 {paging.last} 页；最后一页：{last} / parameter `page` is past the last page: there is no "
        f"page {paging.page} of {paging.total} {items[1]} at {paging.page_size} a page, {paging.last} {pages_en}; "
        f"the last is {last}"))


def paging_links(paging: Paging) -> list[str]:
    """`Link` header entries to the next and previous pages of this request's listing, its parameters kept."""
    links = []
    if paging.has_next:
        links.append(f'<{link(request.path, page=paging.page + 1)}>; rel="next"')
    if paging.has_previous:
        links.append(f'<{link(request.path, page=paging.page - 1)}>; rel="prev"')
    return links


# Routes whose last segment is a file's own name, where `.json` is no format (`/source/x.json`, `/dumps/x.json`).
_FILE_NAME_ROUTES = frozenset({"resource.source", "dumps.dump_file"})


def json_by_extension() -> bool:
    """Whether the route asks for JSON by the path's `.json` ending (`/search.json`, `/compare.json`,
    `/doc/….json`). Not where the ending belongs to a file's name, nor where no route matched:
    `/source/%2e%2e/build.json` and `/dumps/../build.json` answered a browser JSON where every other
    unknown address answers the site's 404 page (cold review); they are negotiated (`error_media_types`)."""
    return (request.path.endswith(".json") and request.url_rule is not None
            and request.endpoint not in _FILE_NAME_ROUTES)


def error_media_types(offered: list[str]) -> list[str]:
    """The media types an error is negotiated among, in the server's order: `offered`, with JSON first for an
    address that matched no route and ends in `.json` (a script asking for `/no/such.json` with `*/*` gets
    JSON; a browser naming text/html gets the page)."""
    if request.url_rule is None and request.path.endswith(".json") and "application/json" in offered:
        return ["application/json", *(mime for mime in offered if mime != "application/json")]
    return offered


def wants_json() -> bool:
    """Whether this request's answers, errors included, are JSON: a `.json` route, or `Accept` preferring JSON."""
    offered = error_media_types(["text/html", "application/json"])
    return json_by_extension() or choose(request.headers.get("Accept"), offered) == "application/json"


def json_error(status: int, message: str) -> Response:
    """`{"error": message}` with `status`, the shape /validate's errors have (Chinese kept readable)."""
    return Response(json.dumps({"error": message}, ensure_ascii=False), status=status, mimetype="application/json")


def wants_html_page() -> bool:
    """Whether this request is a browser's: its `Accept` names text/html and prefers it to plain text.

    Named, not merely accepted: curl's and scripts' `*/*` (or no `Accept`) keep the plain-text errors
    they parse today, while every browser sends `text/html` first.
    """
    accept = request.headers.get("Accept") or ""
    named = "text/html" in accept or "application/xhtml+xml" in accept  # its alias (server/conneg.py)
    return named and choose(accept, ["text/html", "text/plain"]) == "text/html"


# The status's name on the error page, Chinese then English as every message of the site: Werkzeug names it in
# English only ("405 Method Not Allowed", cold review). One name for each status Werkzeug has an exception for
# (werkzeug.exceptions.default_exceptions), so no error the app raises goes without one (tests/test_error_names.py).
_STATUS_NAMES_ZH = {
    400: "请求无效", 401: "需要身份验证", 403: "禁止访问", 404: "未找到", 405: "不允许的请求方法",
    406: "无法提供可接受的格式", 408: "请求超时", 409: "冲突", 410: "已永久删除", 411: "需要 Content-Length",
    412: "前提条件不满足", 413: "请求体过大",
    414: "请求地址过长", 415: "不支持的媒体类型", 416: "请求范围无法满足", 417: "无法满足 Expect 要求", 418: "我是茶壶",
    421: "请求发错了服务器", 422: "无法处理的内容", 423: "已锁定", 424: "依赖的请求失败", 428: "需要前提条件",
    429: "请求过多", 431: "请求头过大", 451: "因法律原因不可用", 500: "服务器内部错误", 501: "未实现", 502: "网关错误",
    503: "服务暂时不可用", 504: "网关超时", 505: "不支持的 HTTP 版本",
}


def status_name(status: int) -> str:
    """`405` → `不允许的请求方法 / Method Not Allowed`: the heading of the error page (a status without a Chinese
    name here gets its English one alone rather than failing the error page itself)."""
    english = HTTP_STATUS_CODES.get(status, "Error")
    return f"{_STATUS_NAMES_ZH[status]} / {english}" if status in _STATUS_NAMES_ZH else english


def error_page(status: int, message: str, headers=(), links=()) -> Response:
    """The site's HTML error page (its header, search box and footer) saying what was wrong; `links`, the forms a
    resource has where it was asked for one it has not (server/offers.py), as links."""
    name = status_name(status)
    response = render_page("error.html", status=status, code=status, name=name, message=message, links=links,
                           title=f"{status} {name}")
    for header, value in headers:
        if header.lower() != "content-type":
            response.headers[header] = value
    return response


def http_error(error: HTTPException) -> Response | HTTPException:
    """Every HTTP error of a JSON request as JSON with the same status and headers (Retry-After, Allow); a
    browser's 4xx as the site's error page (Werkzeug's bare page looked like another site; cold review); any
    other client's, and a browser's 5xx, as plain text, as docs/sparql.md promises (a `DELETE /sparql` and
    a 406 from `/graph/kinds` answered Werkzeug's HTML to curl, cold review; a 5xx is plain text as the
    pages' own 503s are, since the error page needs the very store that may have failed).
    A `/search.json?page=0` answered a Werkzeug HTML page (cold review)."""
    if error.code is None or error.code < 400 or error.response is not None:  # a redirect (308), a made answer
        return error
    description = _description(error)
    if wants_json():
        response = json_error(error.code, description)
    elif wants_html_page() and error.code < 500:
        # A 404 or 406 naming the forms a resource has shows them as links (server/offers.py)
        return error_page(error.code, getattr(error, "page_message", description), error.get_headers(),
                          getattr(error, "links", ()))
    else:
        response = Response(f"{error.code} {error.name}: {description}\n", status=error.code, mimetype="text/plain")
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


# What an error raised without a message of ours says (Werkzeug's own are English only: routing's 405,
# a Range past the end's 416, an unexpected 500; cold review), Chinese then English as the site's others.
_DEFAULT_DESCRIPTIONS = {
    400: "请求无效 / the request is malformed",
    413: "请求体过大 / the request body is too large",
    414: "请求地址过长 / the request URL is too long",
    416: "请求的字节范围（Range）不在文件之内 / the requested Range lies outside the file",
    500: "服务器处理此请求时出错 / the server failed on this request",
}


def _description(error: HTTPException) -> str:
    """The error's own message; or, where it was raised without one, the site's."""
    if error.description != type(error).description:
        return error.description or error.name
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        allowed = ", ".join(error.valid_methods)
        return (f"此地址不接受 {request.method} 请求（可用：{allowed}） / {request.method} is not allowed at this "
                f"address; it takes {allowed}")
    return _DEFAULT_DESCRIPTIONS.get(error.code or 0, error.description or error.name)


def init_templates(app: Flask) -> None:
    """Make the helpers above callable from every template."""
    app.jinja_env.globals.update(
        t=t, messages=messages, href=href, show=show, fact_rows=fact_rows, lang=lang, compact=compact,
        with_lang=with_lang, page_url=page_url, other_language_url=other_language_url, facet_url=facet_url,
    )
    app.jinja_env.filters["iri"] = URIRef

"""What every linked-data view shares: IRI ↔ path under the base, languages, labels, caching headers, RDF output.

The store holds IRIs under `Config.base`, while a request may arrive on any host (a proxy,
127.0.0.1, a test's port 0). So a request *path* is mapped to an IRI by prefixing the base,
and an IRI is turned back into a *path* for links, never into the request's host.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Flask, Response, abort, current_app, render_template, request
from markupsafe import Markup, escape
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from luzhi.etl.build import read_build_info
from luzhi.ontology.namespaces import LZ, PREFIXES
from luzhi.server.app import get_config
from luzhi.server.conneg import RDF_FORMATS
from luzhi.server.describe import pick_label
from luzhi.server.store import to_oxigraph

LANGUAGES = ("zh", "en")

# Interface text. Chinese first (the data is Chinese); English for `?lang=en`.
MESSAGES: dict[str, dict[str, str]] = {
    "site": {"zh": "履职：乡镇履行职责事项清单", "en": "luzhi: township duty lists"},
    "search": {"zh": "搜索", "en": "Search"},
    "search_placeholder": {"zh": "事项、部门或地区，如 森林防火", "en": "duty, department or division, e.g. 森林防火"},
    "not_found": {"zh": "未找到", "en": "Not found"},
    "not_found_text": {
        "zh": "此地址没有对应的资源。可以搜索：",
        "en": "Nothing is published at this address. Try a search:",
    },
    "formats": {"zh": "其他格式", "en": "Other formats"},
    "home": {"zh": "首页", "en": "Home"},
    "endpoint": {"zh": "SPARQL 查询", "en": "SPARQL endpoint"},
    "dumps": {"zh": "数据下载", "en": "Data dumps"},
    "void": {"zh": "数据集描述 (VoID/DCAT)", "en": "Dataset description (VoID/DCAT)"},
    "ontology": {"zh": "词汇表", "en": "Vocabulary"},
    "property": {"zh": "属性", "en": "Property"},
    "value": {"zh": "值", "en": "Value"},
    "incoming": {"zh": "指向此资源的链接", "en": "Links to this resource"},
    "next": {"zh": "下一页", "en": "Next page"},
    "previous": {"zh": "上一页", "en": "Previous page"},
    "page": {"zh": "第 {page} / {last} 页，共 {total} 条", "en": "Page {page} of {last}, {total} in all"},
    "results": {"zh": "共 {total} 条结果", "en": "{total} results"},
    "no_results": {"zh": "没有结果。", "en": "No results."},
}


def lang() -> str:
    """The page language: `?lang=en` selects English labels where the data has them; Chinese otherwise."""
    wanted = request.args.get("lang", "zh")
    return wanted if wanted in LANGUAGES else "zh"


def t(key: str, **values: object) -> str:
    text = MESSAGES[key][lang()]
    return text.format(**values) if values else text


def iri_for_path(path: str) -> str:
    """The IRI a request path names: the configured base plus the path (never the request's host)."""
    return f"{get_config().base}{path}"


def local_path(iri: str) -> str | None:
    """The path of an IRI under our base, or None for someone else's IRI."""
    base = get_config().base
    if iri.startswith(base + "/"):
        return iri[len(base) :]
    return None


def href(node: Node | str) -> str:
    """Where a link to `node` should point on this server: `/doc/…` for our `/id/…` IRIs (saving the 303
    round trip), `/def#Term` for vocabulary terms, the IRI itself for anyone else's."""
    iri = str(node)
    path = local_path(iri)
    prefix = request.script_root
    if path is not None:
        if path.startswith("/id/"):
            path = "/doc/" + path[len("/id/") :]
        return with_lang(prefix + path)
    if iri.startswith(str(LZ)):
        return with_lang(f"{prefix}/def") + "#" + iri[len(str(LZ)) :]
    if iri == str(LZ)[:-1]:
        return with_lang(f"{prefix}/def")
    return iri


def with_lang(url: str) -> str:
    """Keep `?lang=en` on links so an English reader stays in English."""
    if lang() == "zh":
        return url
    fragment = ""
    if "#" in url:
        url, fragment = url.split("#", 1)
        fragment = "#" + fragment
    return f"{url}{'&' if '?' in url else '?'}lang={lang()}{fragment}"


def label_of(node: Node, labels: dict[URIRef, tuple[Literal, ...]]) -> Literal | None:
    return pick_label(labels.get(node, ()), lang()) if isinstance(node, URIRef) else None


def show(node: Node, labels: dict[URIRef, tuple[Literal, ...]] | None = None, *, link: bool = True) -> Markup:
    """HTML for an RDF term: a literal with its `lang` attribute, an IRI as a link named by its label."""
    if isinstance(node, Literal):
        if node.language:
            return Markup('<span lang="{}">{}</span>').format(node.language, str(node))
        return Markup("{}").format(str(node))
    label = label_of(node, labels or {})
    text = (
        Markup('<span lang="{}">{}</span>').format(label.language, str(label))
        if label is not None and label.language
        else escape(str(label) if label is not None else compact(str(node)))
    )
    target = href(node)
    if not link or not target.lower().startswith(("/", "http://", "https://")):
        return text  # a javascript: or data: IRI in the data is shown, never made a link (issue 10)
    return Markup('<a href="{}">{}</a>').format(target, text)


def compact(iri: str) -> str:
    """A short name for an IRI without a label: `lz:Duty`, or the path under our base."""
    from luzhi.ontology.namespaces import PREFIXES

    for name, ns in PREFIXES.items():
        if iri.startswith(str(ns)) and len(iri) > len(str(ns)):
            return f"{name}:{iri[len(str(ns)):]}"
    return local_path(iri) or iri


@dataclass(frozen=True)
class BuildInfo:
    """Identity and time of the store's build, for `ETag` and `Last-Modified`."""

    build_id: str
    time: datetime


def build_info(app: Flask | None = None) -> BuildInfo:
    """Read `build.json` (written by `luzhi build`) once; without it, derive both from the store's mtime."""
    app = app or current_app
    cached = app.extensions.get("luzhi.build_info")
    if cached is None:
        cached = _read_build_info(Path(get_config(app).store_path))
        app.extensions["luzhi.build_info"] = cached
    return cached


def _read_build_info(store_path: Path) -> BuildInfo:
    data = read_build_info(store_path)
    if data.get("build_id") and data.get("built_at"):
        return BuildInfo(data["build_id"], datetime.fromisoformat(data["built_at"]))
    # `dumps/` is written by the server itself (views/void.py); counting it would change the id it is keyed by.
    files = [p for p in store_path.iterdir() if p.name != "dumps"]
    mtime = max((p.stat().st_mtime for p in files), default=store_path.stat().st_mtime)
    when = datetime.fromtimestamp(int(mtime), tz=UTC)
    return BuildInfo(hashlib.sha256(f"{store_path.resolve()}:{mtime}".encode()).hexdigest()[:16], when)


def conditional(response: Response, *, vary_accept: bool = True) -> Response:
    """Add `ETag`/`Last-Modified` from the build and answer `If-None-Match`/`If-Modified-Since` with 304.

    The ETag also covers the path, query and media type: one build serves many representations
    of one resource, and a cache must not hand Turtle to a client that negotiated HTML.
    """
    if vary_accept:
        response.vary.add("Accept")
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return response
    info = build_info()
    tag = hashlib.sha256(
        f"{info.build_id}|{request.full_path}|{response.mimetype}".encode()
    ).hexdigest()[:24]
    response.set_etag(tag)
    response.last_modified = info.time
    return response.make_conditional(request)


def rdf_response(graph: Graph, mime: str, *, links: list[str] | None = None) -> Response:
    """Serialise with rdflib in the negotiated format; `links` become the `Link` header."""
    response = Response(serialize(graph, mime), mimetype=mime)
    if mime != "application/rdf+xml":
        response.charset = "utf-8"
    if links:
        response.headers["Link"] = ", ".join(links)
    return conditional(response)


def serialize(graph: Graph, mime: str) -> bytes:
    """Serialise with pyoxigraph: 5-10x faster than rdflib's Turtle writer, and it keeps our prefixes.

    Measured on a duty page (tests' store, 60 requests): rdflib's Turtle writer took ~8 ms of
    ~25 ms per request.
    """
    triples = [ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in graph]
    extra = {prefix: str(ns) for prefix, ns in graph.namespaces() if prefix and prefix not in _PREFIXES}
    prefixes = {**_PREFIXES, **extra} if mime != "application/n-triples" else None
    return ox.serialize(triples, format=ox.RdfFormat.from_media_type(mime), prefixes=prefixes)


_PREFIXES = {name: str(ns) for name, ns in PREFIXES.items()}


@dataclass(frozen=True)
class FormatLink:
    mime: str
    name: str
    url: str


FORMAT_NAMES = {
    "text/turtle": "Turtle",
    "application/ld+json": "JSON-LD",
    "application/n-triples": "N-Triples",
    "application/rdf+xml": "RDF/XML",
}


def format_links(doc_path: str, page: int = 1) -> list[FormatLink]:
    """The RDF twins of the HTML page at `doc_path` (`/doc/…` without extension)."""
    suffix = f"?page={page}" if page > 1 else ""
    prefix = request.script_root
    return [
        FormatLink(mime, FORMAT_NAMES[mime], f"{prefix}{doc_path}.{ext}{suffix}")
        for mime, (_fmt, ext) in RDF_FORMATS.items()
    ]


def link_header(links: list[FormatLink]) -> list[str]:
    return [f'<{link.url}>; rel="alternate"; type="{link.mime}"' for link in links]


def render_page(template: str, *, status: int = 200, alternates: list[FormatLink] | None = None,
                extra_links: list[str] | None = None, **context: object) -> Response:
    """Render an HTML page that announces its RDF twins in `<link rel="alternate">` and the `Link` header."""
    alternates = alternates or []
    html = render_template(template, alternates=alternates, **context)
    response = Response(html, status=status, mimetype="text/html")
    links = link_header(alternates) + (extra_links or [])
    if links:
        response.headers["Link"] = ", ".join(links)
    return conditional(response)


MAX_PAGE = 1_000_000  # OFFSET = (page-1) * page_size must stay a sane integer for the store


def positive_arg(name: str, default: int) -> int:
    """A positive integer query parameter up to MAX_PAGE, or a 400 naming it.

    ASCII digits only: `str.isdigit()` also accepts "²" (int() then fails: a 500, issue 10), and a
    20-digit page overflowed the store's OFFSET.
    """
    raw = request.args.get(name, str(default))
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_PAGE:
        abort(400, description=f"参数 {name} 必须是 1 到 {MAX_PAGE} 之间的整数 / parameter `{name}` must be an "
                               f"integer from 1 to {MAX_PAGE}, got {raw[:40]!r}")
    return int(raw)


def page_arg() -> int:
    """The `page` query parameter of paged pages and descriptions."""
    return positive_arg("page", 1)


def source_file(filename: str) -> Path | None:
    """The build's copy of a source document (`sources/` in the store or state directory), if there is one."""
    if "/" in filename or filename.startswith("."):
        return None
    candidate = Path(get_config().store_path) / "sources" / filename
    return candidate if candidate.is_file() else None


def page_url(page: int) -> str:
    """This URL with `page` replaced, every other parameter (q, kind, lang) kept."""
    args = request.args.to_dict(flat=False)
    args["page"] = [str(page)]
    return f"{request.script_root}{request.path}?{urlencode(args, doseq=True)}"


def other_language_url() -> str:
    """This page in the other language, every other parameter kept (a search stays a search)."""
    args = request.args.to_dict(flat=False)
    if lang() == "zh":
        args["lang"] = ["en"]
    else:
        args.pop("lang", None)
    query = urlencode(args, doseq=True)
    return f"{request.script_root}{request.path}" + (f"?{query}" if query else "")


def init_templates(app: Flask) -> None:
    """Make the helpers above callable from every template."""
    app.jinja_env.globals.update(
        t=t, href=href, show=show, lang=lang, compact=compact, with_lang=with_lang, page_url=page_url,
        other_language_url=other_language_url,
    )
    app.jinja_env.filters["iri"] = URIRef

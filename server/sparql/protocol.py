"""SPARQL 1.1 Protocol §2.1: turn one HTTP request into a `SparqlRequest`, or refuse it clearly.

Three ways to send a query: GET with `query=`, POST `application/x-www-form-urlencoded`
with `query=` in the body, POST `application/sparql-query` with the query as the body.
Protocol errors are raised as `ProtocolError(status, message)`; the view turns them into
plain-text responses, so every refusal names what was wrong.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from flask import Request
from werkzeug.datastructures import MultiDict

from luzhi.server.limits import BadBody, BodyTooLarge, read_body
from luzhi.server.sparql.formats import short_names, unknown_format
from luzhi.server.sparql.query_text import without_bom

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
FORMAT_PARAMETERS = ("format", "output", "results")


class ProtocolError(Exception):
    def __init__(self, status: int, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.retry_after = retry_after  # seconds, sent as Retry-After (a full pool, a store that is down)


@dataclass(frozen=True)
class SparqlRequest:
    query: str | None  # None: no query at all (GET → service description or query page)
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    formats: tuple[str, ...]  # values of format= / output= / results=, in that order

    @property
    def protocol_dataset(self) -> bool:
        """True when default-graph-uri or named-graph-uri was given (it then overrides FROM)."""
        return bool(self.default_graphs or self.named_graphs)


def parse_request(request: Request, max_bytes: int) -> SparqlRequest:
    """Read the query and its parameters from `request` (GET or POST), enforcing `max_bytes`."""
    if len(request.query_string) > max_bytes:
        raise ProtocolError(414, f"请求地址超过 {max_bytes} 字节，请改用 POST 发送查询 / request URI longer than "
                                 f"{max_bytes} bytes; POST the query instead")
    args = request.args
    if request.method in ("GET", "HEAD"):  # HEAD is GET without the body (RFC 9110 §9.3.2), not a POST
        _refuse_update(args)
        return _build(args, _single_query(args, required=False))
    # POST: the whole body, or 413 however it was sent (chunked included: server/limits.py)
    mimetype = request.mimetype
    if mimetype == UPDATE:
        raise _read_only("application/sparql-update")
    try:
        body = read_body(request, max_bytes)
    except BodyTooLarge:
        size = request.content_length
        size_zh, size_en = ("", "") if size is None else (f"（{size} 字节）", f" of {size} bytes")
        raise ProtocolError(413, f"请求体{size_zh}超过 {max_bytes} 字节的上限（max_request_bytes） / request body"
                                 f"{size_en} exceeds the limit of {max_bytes} bytes (max_request_bytes)") from None
    except BadBody as error:  # cut short, stalled (408), a bad Content-Length, chunks or form parameter
        raise ProtocolError(error.status, error.message) from None
    if mimetype == FORM:
        form = request.form  # parsed from the body read above
        merged = MultiDict(list(args.items(multi=True)) + list(form.items(multi=True)))
        _refuse_update(merged)
        return _build(merged, _single_query(merged, required=True))
    if mimetype == DIRECT:
        charset = request.mimetype_params.get("charset", "utf-8").lower()
        if charset not in ("utf-8", "utf8"):
            raise ProtocolError(415, f"application/sparql-query 必须是 UTF-8，不能是 charset={charset} / "
                                     f"application/sparql-query must be UTF-8, not charset={charset}")
        if "query" in args:
            raise ProtocolError(400, "查询已在请求体中（application/sparql-query），地址里再给 query= 参数会有歧义 / "
                                     "the query is in the body (application/sparql-query): "
                                     "a query= URL parameter as well is ambiguous")
        _refuse_update(args)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ProtocolError(400, f"查询请求体不是有效的 UTF-8（第 {error.start} 字节） / the query body is not "
                                     f"valid UTF-8 (byte {error.start})") from None
        if not text.strip():
            raise ProtocolError(400, "查询请求体为空 / empty query body")
        return _build(args, text)
    if not mimetype:
        raise ProtocolError(415, f"POST 请求需要 Content-Type：{FORM} 或 {DIRECT} / POST needs a Content-Type: "
                                 f"{FORM} or {DIRECT}")
    raise ProtocolError(415, f"不支持的 Content-Type {mimetype!r}，请用 {FORM} 或 {DIRECT} / unsupported "
                             f"Content-Type {mimetype!r}: use {FORM} or {DIRECT}")


def _read_only(what: str) -> ProtocolError:
    return ProtocolError(403, f"此端点只读，不接受 SPARQL Update（{what}） / this endpoint is read-only: SPARQL "
                              f"Update ({what}) is not accepted")


def _refuse_update(params: MultiDict) -> None:
    if "update" in params:
        raise _read_only("update=")


def _single_query(params: MultiDict, *, required: bool) -> str | None:
    queries = params.getlist("query")
    if len(queries) > 1:
        raise ProtocolError(400, f"给了 {len(queries)} 个 query 参数，协议只允许一个 / {len(queries)} query "
                                 "parameters given; the protocol allows exactly one")
    if not queries:
        if required:
            raise ProtocolError(400, "缺少 query 参数 / missing query parameter")
        return None
    if not queries[0].strip():
        raise ProtocolError(400, "query 参数为空 / empty query parameter")
    return queries[0]


def _build(params: MultiDict, query: str | None) -> SparqlRequest:
    if query is not None:
        for name in FORMAT_PARAMETERS:
            # An unknown value was silently ignored (cold review): say so, naming what is accepted.
            unknown = unknown_format(params.getlist(name))
            if unknown is not None:
                accepted = ", ".join(dict.fromkeys(short_names("results") + short_names("graph")))
                raise ProtocolError(400, f"未知的 {name}={unknown!r}；可用的值：{accepted}，或它们的媒体类型 / "
                                         f"unknown {name}={unknown!r}; accepted values: {accepted}, "
                                         "or one of their media types")
    return SparqlRequest(
        query=without_bom(query) if query is not None else None,
        default_graphs=_graph_iris(params, "default-graph-uri"),
        named_graphs=_graph_iris(params, "named-graph-uri"),
        formats=tuple(v for name in FORMAT_PARAMETERS for v in params.getlist(name) if v),
    )


# default-graph-uri / named-graph-uri values a request may give, each: 18,000 of them grew a query worker to 517 MB,
# which it kept (cold review). A dataset of more graphs is the union default graph (all of them), or FROM lines.
MAX_GRAPH_PARAMETERS = 1000


def _graph_iris(params: MultiDict, name: str) -> tuple[str, ...]:
    values = params.getlist(name)
    if len(values) > MAX_GRAPH_PARAMETERS:
        raise ProtocolError(400, f"给了 {len(values)} 个 {name} 参数，最多 {MAX_GRAPH_PARAMETERS} 个：要查询全部"
                                 "图，省去这个参数即可（默认图是所有命名图的并集），或在查询中用 FROM 或 FROM NAMED "
                                 f"写出数据集 / {len(values)} {name} parameters given; at most {MAX_GRAPH_PARAMETERS} "
                                 "are accepted: to query every graph leave the parameter out (the default graph is the "
                                 "union of all named graphs), or write the dataset in the query with FROM or FROM "
                                 "NAMED")
    iris = []
    for value in values:
        try:
            ox.NamedNode(value)  # check the IRI before it enters a query (STYLE.md)
        except ValueError as error:
            raise ProtocolError(400, f"{name}={value!r} 不是绝对 IRI / {name}={value!r} is not an absolute IRI: "
                                     f"{error}") from None
        iris.append(value)
    return tuple(dict.fromkeys(iris))

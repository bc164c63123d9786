"""`/sparql`: the SPARQL 1.1 Protocol endpoint (issue 5), read-only, with limits and CORS.

GET or POST with a query → run it on the store's executor (store/open.py chooses it) and answer
in the negotiated format. GET without a query → the Service Description (RDF) or, for
browsers, the query page. Every refusal is plain text naming what was wrong.
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Response, render_template, request

from luzhi.ontology.iris import Iris
from luzhi.ontology.namespaces import PREFIXES, sparql_prologue
from luzhi.server.config import Config
from luzhi.server.conneg import choose, not_acceptable_message
from luzhi.server.context import get_config, get_executor, get_store
from luzhi.server.limits import RETRY_AFTER, retry_after_timeout
from luzhi.server.sparql.description import service_description
from luzhi.server.sparql.examples import EXAMPLES, Example
from luzhi.server.sparql.formats import GRAPHS, ResultFormat, choose_format, formats_for, short_names
from luzhi.server.sparql.protocol import ProtocolError, SparqlRequest, parse_request
from luzhi.server.sparql.query_text import checker_refusal_message, syntax_error_message
from luzhi.server.views.common import serialize
from luzhi.store.executor import Executor, PoolBusy, QueryTimeout, StoreUnavailable, WorkerFailed
from luzhi.store.formats import serialise
from luzhi.store.query_worker import Job
from luzhi.store.service_check import SYNTAX_ERROR, QueryRefused, refuse_deep_nesting, refuse_many_patterns_cheaply

_PREFIX_PAIRS = tuple((name, str(ns)) for name, ns in PREFIXES.items())


def sparql() -> Response:
    """Every answer, errors included, varies by `Accept`; CORS comes from server/cors.py, as on every read route."""
    response = _respond()
    response.vary.add("Accept")
    return response


def _respond() -> Response:
    if request.method == "OPTIONS":
        # CORS preflight (Fetch standard): browsers ask before a POST with a SPARQL content type;
        # server/cors.py turns `Allow` into Access-Control-Allow-Methods.
        return Response(status=204, headers={"Allow": "GET, HEAD, POST, OPTIONS"})
    config = get_config()
    try:
        parsed = parse_request(request, config.max_request_bytes)
        if parsed.query is None:
            return _describe(parsed)
        if request.method == "GET" and not parsed.formats and browser_wants_page(request.headers.get("Accept")):
            return _page(parsed.query, autorun=True)  # a permalink opened in a browser (issue 14)
        return answer(parsed, request.headers.get("Accept"), config, get_executor())
    except ProtocolError as error:
        return error_response(error)


def answer(parsed: SparqlRequest, accept: str | None, config: Config, executor: Executor) -> Response:
    """Run the query in a worker, which checks it first (updates, SERVICE, syntax: worker.run_job).

    Needs no Flask context: server/views/sparql_fast.py calls it outside Flask for the hot path (issue 13).
    Refusals are raised as ProtocolError.
    """
    assert parsed.query is not None
    try:
        refuse_deep_nesting(parsed.query)  # here, not in a worker: it takes milliseconds (store/service_check.py)
        refuse_many_patterns_cheaply(parsed.query)  # so does this: a giant is refused before a worker parses it
    except QueryRefused as refusal:
        raise ProtocolError(refusal.status, refusal.message) from None
    chosen = {kind: choose_format(kind, accept, parsed.formats) for kind in ("results", "graph")}
    job = Job(
        query=parsed.query,
        protocol_dataset=parsed.protocol_dataset,
        default_graphs=parsed.default_graphs,
        named_graphs=parsed.named_graphs,
        results_serializer=_serializer(chosen["results"]),
        graph_serializer=_serializer(chosen["graph"]),
        max_rows=config.max_result_rows,
        prefixes=_PREFIX_PAIRS,
        allow_service=config.allow_service,
        base_iri=_endpoint_iri(config.base),
    )
    answer = _run(job, config, executor)
    if answer.status == "refused":
        message = answer.message
        if answer.code == 400 and message.startswith(SYNTAX_ERROR):  # the checker's words: made as specific
            message = checker_refusal_message(parsed.query, message)
        raise ProtocolError(answer.code, message)
    if answer.status == "not_acceptable":
        form = answer.message  # SELECT, ASK, CONSTRUCT or DESCRIBE
        kind = "results" if form in ("SELECT", "ASK") else "graph"
        offered = ", ".join(f.mime for f in formats_for(kind))
        names = "|".join(short_names(kind))
        article = "an" if form == "ASK" else "a"
        if parsed.formats:  # asked by name: the parameter is wrong for this query form (choose_format)
            given = ", ".join(parsed.formats)
            raise ProtocolError(400, f"参数 format（{given}）不是 {form} 结果可用的格式；可用 format={names} 或 "
                                     f"{offered} 之一 / parameter `format` ({given}) names no format {article} "
                                     f"{form} result has; it takes format={names} or one of {offered}")
        raise ProtocolError(406, f"所接受的媒体类型（Accept）都不适合 {form} 结果；可提供：{offered}"
                                 f"（或 format={names}） / none of the accepted media types fits {article} {form} "
                                 f"result; offered: {offered} (or format={names})")
    if answer.status == "syntax":
        raise ProtocolError(400, syntax_error_message(parsed.query, answer.message, dict(_PREFIX_PAIRS)))
    if answer.status == "too_many" and answer.message:  # the remote's own row cap (docs/remote-store.md)
        raise ProtocolError(400, f"结果过大，没有截断，也没有发送 / result too large: {answer.message}; nothing was "
                                 "cut, nothing sent")
    kind = answer.check.result_kind if answer.check else "results"
    if answer.status == "too_many":
        unit_zh, unit_en = ("行", "rows") if kind == "results" else ("个三元组", "triples")
        raise ProtocolError(400, f"结果过大：超过 {config.max_result_rows} {unit_zh}（max_result_rows），没有截断，"
                                 "也没有发送：请用 ORDER BY、LIMIT 和 OFFSET 分页 / result too large: more than "
                                 f"{config.max_result_rows} {unit_en} (max_result_rows); nothing was cut, nothing "
                                 "sent: page through it with ORDER BY, LIMIT and OFFSET")
    if answer.status != "ok":
        raise ProtocolError(502, f"查询失败 / query failed: {answer.message}")
    fmt = chosen[kind]
    assert fmt is not None  # the worker answers not_acceptable otherwise
    body = _jsonld(answer.body) if fmt.serializer == "JSON_LD_RDFLIB" else answer.body
    response = Response(body, content_type=fmt.content_type)
    response.headers["X-Result-Rows"] = str(answer.rows)
    return response


@functools.lru_cache(maxsize=8)
def _endpoint_iri(base: str) -> str:
    return str(Iris(base).sparql_endpoint())


def _serializer(fmt: ResultFormat | None) -> str | None:
    if fmt is None:
        return None
    return "N_TRIPLES" if fmt.serializer == "JSON_LD_RDFLIB" else fmt.serializer


def _run(job: Job, config: Config, executor: Executor):
    try:
        return executor.run(job)
    except QueryTimeout:
        raise ProtocolError(503, f"查询在 {config.query_timeout:g} 秒后被停止（query_timeout），请简化或加上 LIMIT / "
                                 f"query stopped after {config.query_timeout:g} s (query_timeout); simplify it or "
                                 "add LIMIT", retry_after=retry_after_timeout(config.query_timeout)) from None
    except PoolBusy:
        raise ProtocolError(503, f"所有查询进程都在忙（已等待 {config.queue_wait:g} 秒，queue_wait），请稍后重试 / "
                                 f"all query workers are busy (waited {config.queue_wait:g} s, queue_wait); "
                                 "retry shortly", retry_after=RETRY_AFTER) from None
    except WorkerFailed as error:  # a fresh worker replaces it at once (store/executor.py)
        raise ProtocolError(503, str(error), retry_after=RETRY_AFTER) from None
    except StoreUnavailable:
        raise ProtocolError(503, "数据存储暂时不可用，请稍后重试 / the store is unavailable; retry shortly",
                            retry_after=RETRY_AFTER) from None


def _jsonld(ntriples: bytes) -> bytes:
    """A CONSTRUCT result as compacted JSON-LD, by the one serialiser (the worker sends N-Triples)."""
    triples = ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)
    return serialise(triples, ox.RdfFormat.JSON_LD, dict(_PREFIX_PAIRS))


def _describe(parsed: SparqlRequest) -> Response:
    """GET /sparql without a query: Service Description for RDF clients, the query page for browsers."""
    config = get_config()
    fmt = choose_format("graph", None, parsed.formats) if parsed.formats else None
    if fmt is None:
        offered = [f.mime for f in GRAPHS] + ["text/html"]
        chosen = choose(request.headers.get("Accept"), offered)
        if chosen is None:  # the endpoint's refusals are ProtocolErrors: the fast path answers them outside Flask
            raise ProtocolError(406, not_acceptable_message(offered))
        if chosen == "text/html":
            return _page()
        fmt = next(f for f in GRAPHS if f.mime == chosen)
    graph = service_description(
        str(Iris(config.base).sparql_endpoint()),
        get_store().graph_names(),
        timeout=config.query_timeout,
        max_rows=config.max_result_rows,
        allow_service=config.allow_service,
    )
    return Response(serialize(graph, fmt.mime), content_type=fmt.content_type)


def browser_wants_page(accept: str | None) -> bool:
    """A browser following a permalink (`Accept: text/html` preferred) gets the query page with the query
    and its results, not a SPARQL XML download; `*/*` (curl) and every SPARQL client still get results."""
    offered = [f.mime for f in formats_for("results")] + [f.mime for f in GRAPHS] + ["text/html"]
    return choose(accept, offered) == "text/html"


def fold_prologue(query: str) -> str:
    """The query without the leading PREFIX lines the page declares anyway, so a permalink shows the query."""
    ours = {line.strip() for line in sparql_prologue().splitlines()}
    lines = query.splitlines()
    while lines and (lines[0].strip() in ours or not lines[0].strip()):
        lines.pop(0)
    return "\n".join(lines)


@dataclass(frozen=True)
class QueryPage:
    """Inputs of templates/sparql.html."""

    prologue: str
    examples: tuple[Example, ...]
    timeout: float
    max_rows: int
    query: str  # shown in the editor, without the folded prologue
    autorun: bool  # run it on load (a permalink)

    @property
    def prefix_names(self) -> list[str]:
        return [name for name, _ns in _PREFIX_PAIRS]

    @property
    def permalink(self) -> str:
        return f"{request.script_root}/sparql?" + urlencode({"query": self.query})

    @property
    def examples_data(self) -> list[dict[str, str]]:
        """The examples as plain dicts, for the page's script (tojson)."""
        return [asdict(example) for example in self.examples]


def _page(query: str | None = None, *, autorun: bool = False) -> Response:
    config = get_config()
    shown = fold_prologue(query) if query is not None else EXAMPLES[0].query
    page = QueryPage(sparql_prologue(), EXAMPLES, config.query_timeout, config.max_result_rows, shown, autorun)
    html = render_template("sparql.html", page=page, title="SPARQL", alternates=[])
    response = Response(html, content_type="text/html; charset=utf-8")
    response.vary.add("Accept")
    return response


def error_response(error: ProtocolError) -> Response:
    """A refusal as plain text naming what was wrong, with Retry-After when a retry can cure it."""
    response = Response(error.message + "\n", status=error.status, content_type="text/plain; charset=utf-8")
    if error.retry_after is not None:
        response.headers["Retry-After"] = str(error.retry_after)
    return response

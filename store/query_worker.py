"""The query worker process: opens the store read-only and answers one job at a time over a pipe.

Why a process: pyoxigraph cannot cancel a running query, and an aggregate over a cross
join can run for minutes without yielding one row, so checking a deadline between rows is
not enough. Killing the process is the only sure stop. The process is also where user input
is confined (issue 10, store/sandbox.py): its memory is capped and, unless it belongs to the
federation pool, it has no network, so it cannot reach out whatever the query says.

Every job is first checked with a real SPARQL parser (store/service_check.py), here rather than in
the web process, because that parse is itself work a hostile query can make expensive (16 s
for a 900 kB VALUES block): here it is bounded by the memory cap and the query timeout.
A worker started without a store only checks (the remote backend's checker pool).

Row limit without truncation: SELECT results are first serialised as TSV into a writer
that counts lines (TSV escapes newlines inside literals, so one line is one row) and aborts
as soon as the count passes the limit, which also stops the query's lazy evaluation. Below
the limit the TSV is parsed back and re-serialised in the requested format: lossless
(checked byte for byte against direct serialisation) and only ~15% slower than direct.
"""

from __future__ import annotations

import io
import re
import sys
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection

import pyoxigraph as ox

from luzhi.store.formats import serialise, serialise_results
from luzhi.store.sandbox import Confinement, confine
from luzhi.store.service_check import SYNTAX_ERROR, QueryCheck, QueryRefused
from luzhi.store.star_order import reorder_tsv, star_order
from luzhi.store.verdicts import check_templated


@dataclass(frozen=True)
class Job:
    query: str
    protocol_dataset: bool  # default-graph-uri / named-graph-uri given: they override the query's FROM
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    # QueryResultsFormat / RdfFormat member name per result kind; None: the client accepts no format of
    # that kind (a 406 once the query's form is known). Graphs for rdflib's JSON-LD come as N_TRIPLES.
    results_serializer: str | None
    graph_serializer: str | None
    max_rows: int
    prefixes: tuple[tuple[str, str], ...] = ()
    allow_service: tuple[str, ...] = ()  # Config.allow_service: exact SERVICE IRIs a query may call
    # Relative IRIs (`CONSTRUCT { <s> <p> 1 } WHERE {}`, W3C protocol test query_content_type_construct)
    # resolve against the endpoint's own IRI, as Fuseki does, instead of failing to parse (issue 11, finding 7).
    base_iri: str | None = None
    # The check a worker of the same pool gave this exact text before (store/executor.py remembers it):
    # the parse is not repeated. None: check it now.
    check: QueryCheck | None = None

    def serializer(self, kind: str) -> str | None:
        return self.results_serializer if kind == "results" else self.graph_serializer


@dataclass(frozen=True)
class Answer:
    # ok | syntax | too_many | not_acceptable (no accepted format for this form) | refused (`code`) |
    # federate (allowed SERVICE: run it where there is a network) | checked (checker-only worker) | error
    status: str
    body: bytes = b""
    rows: int = 0
    message: str = ""
    code: int = 0  # the HTTP status of a refusal
    check: QueryCheck | None = None
    template: bool = False  # `check` holds for every text of the query's template (store/verdicts.py)


class _TooManyRows(Exception):
    pass


class _LineCounter(io.RawIOBase):
    """A binary sink that counts newlines and stops the serialiser past `limit` lines."""

    def __init__(self, limit: int) -> None:
        self.buffer = io.BytesIO()
        self.lines = 0
        self.limit = limit

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.lines += bytes(data).count(b"\n")
        if self.lines > self.limit:
            raise _TooManyRows
        return self.buffer.write(data)


def run_job(store: ox.Store | None, job: Job, *, network: bool = False, confined: bool = False) -> Answer:
    """Check, then execute one job; every failure becomes an `Answer`, never an exception.

    `store` None: check only. `network` False: a query that calls an (allowed) SERVICE is handed
    back as "federate", to be run by a worker that can connect. `confined`: this process has no
    network (store/sandbox.py), so the engine may look at a query the checker refused.
    """
    try:
        check, template = (job.check, False) if job.check else check_templated(job.query)
    except QueryRefused as refusal:
        return _refusal(refusal, job.query, confined)
    refused = check.refused_services(job.allow_service)
    if refused:
        named, allowed = ", ".join(refused), ", ".join(job.allow_service)
        return Answer("refused", code=403, message=f"此处不允许 SERVICE：{named}（允许的端点：{allowed or '无'}），"
                                                   f"没有发出任何请求 / SERVICE not allowed here: {named} (allowed "
                                                   f"endpoints: {allowed or 'none'}); no request was made")
    serializer = job.serializer(check.result_kind)
    if serializer is None:
        return Answer("not_acceptable", message=check.form, check=check, template=template)
    if store is None:
        return Answer("checked", check=check, template=template)
    if check.services and not network:
        return Answer("federate", check=check)
    return replace(_xml_checked(_execute(store, job, check, serializer), serializer), check=check, template=template)


# XML 1.0 (§2.2) cannot carry the C0 controls but TAB, LF and CR, not even as character references, and
# pyoxigraph writes them raw: `VALUES ?o { "a\u0001b" }` answered XML no parser reads (cold review).
_NOT_IN_XML = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_XML_SERIALIZERS = ("XML", "RDF_XML")


# RDF/XML writes a predicate as an element named by a prefix and a local name. For an IRI that ends in no
# XML name (`http://x/1`, `http://x/`) pyoxigraph 0.5 writes `<oxprefix: xmlns:oxprefix="http://x/1">`, an
# element with an empty local name that no XML parser reads (cold review of session 14); RDF/XML has no way
# to write such a predicate at all (RDF 1.1 XML Syntax §2.2: a property is a QName).
_UNWRITABLE_PREDICATE = re.compile(rb'<[^\s<>/!?:]+: xmlns:[^=]+="([^"]*)"')


def _xml_checked(answer: Answer, serializer: str) -> Answer:
    """A 406 naming what XML cannot carry instead of an XML answer no parser reads."""
    if serializer not in _XML_SERIALIZERS or answer.status != "ok":
        return answer
    found = _NOT_IN_XML.search(answer.body)
    if found is not None:
        char = f"U+{found.group()[0]:04X}"
        return Answer("refused", code=406, message=f"结果中含有 XML 1.0 无法承载的控制字符 {char}：请改要 SPARQL JSON、"
                                                   "CSV 或 TSV（SELECT、ASK），或 Turtle、N-Triples（CONSTRUCT、"
                                                   f"DESCRIBE） / the result holds {char}, a control character "
                                                   "XML 1.0 cannot carry: ask for SPARQL JSON, CSV or TSV (a SELECT "
                                                   "or ASK) or Turtle or N-Triples (a CONSTRUCT or DESCRIBE)")
    predicate = _UNWRITABLE_PREDICATE.search(answer.body) if serializer == "RDF_XML" else None
    if predicate is not None:
        iri = predicate.group(1).decode("utf-8", "replace")
        return Answer("refused", code=406, message=f"RDF/XML 无法写出谓词 <{iri}>：它的 IRI 不以 XML 名称结尾；请改要 "
                                                   f"Turtle、N-Triples 或 JSON-LD / RDF/XML cannot write the predicate "
                                                   f"<{iri}>: its IRI does not end in an XML name; ask for Turtle, "
                                                   "N-Triples or JSON-LD")
    return answer


def _execute(store: ox.Store, job: Job, check: QueryCheck, serializer: str) -> Answer:
    def run_query():
        return store.query(job.query, base_iri=job.base_iri, **_dataset_options(job, check))

    try:
        result = run_query()
    except SyntaxError as error:
        return Answer("syntax", message=str(error))
    except (ValueError, RuntimeError) as error:
        # Raised before any evaluation, so the query itself is at fault (e.g. "The custom function <…> is
        # not supported"): a 400 for the user to fix, not a 502 (cold review of 2026-11-30).
        return Answer("refused", code=400, message=f"无法执行这个查询 / the query cannot be evaluated: {error}")
    except OSError as error:
        return Answer("error", message=f"{type(error).__name__}: {error}")
    try:
        if isinstance(result, ox.QueryBoolean):
            return Answer("ok", serialise_results(result, getattr(ox.QueryResultsFormat, serializer)), rows=1)
        if isinstance(result, ox.QuerySolutions):
            return _solutions(result, job, serializer, run_query)
        return _triples(result, job, serializer)
    except _TooManyRows:
        return Answer("too_many", rows=job.max_rows)
    except MemoryError:
        return Answer("refused", code=503, message="结果需要的内存超过查询进程的上限（query_memory_mb），没有发送："
                                                   "请少选一些，或分页 / the result needed more memory than a query "
                                                   "worker may use (query_memory_mb); nothing was sent: select less, "
                                                   "or page it")
    except (OSError, ValueError, RuntimeError) as error:
        # Evaluation is lazy: type errors and SERVICE failures surface while iterating.
        return Answer("error", message=f"{type(error).__name__}: {error}")


def _refusal(refusal: QueryRefused, text: str, confined: bool) -> Answer:
    """A query the checker refused. For a syntax error, the engine's own message is the clearer one."""
    if not confined or refusal.status != 400 or not refusal.message.startswith(SYNTAX_ERROR):
        return Answer("refused", code=refusal.status, message=refusal.message)
    try:
        # An empty in-memory store, and no network: pyoxigraph has no parse-only API, and it starts a
        # SERVICE call inside query() itself (measured), so this is only ever done where nothing connects.
        ox.Store().query(text)
    except SyntaxError as error:
        return Answer("syntax", message=f"{error} (near {_line_of(text, error)!r})")
    except (OSError, ValueError, RuntimeError):
        pass
    return Answer("refused", code=400, message=f"{refusal.message} — 查询检查器（rdflib 的 SPARQL 1.1 语法）读不懂"
                                               "这个查询，因此不执行 / the query checker (rdflib's SPARQL 1.1 "
                                               "grammar) cannot read this query, so it is not run (docs/security.md)")


def _line_of(text: str, error: SyntaxError) -> str:
    match = re.search(r"at (\d+):", str(error))
    lines = text.splitlines() or [""]
    number = int(match.group(1)) if match else 1
    return lines[min(max(number, 1), len(lines)) - 1].strip()[:100]


def _dataset_options(job: Job, check: QueryCheck) -> dict:
    if job.protocol_dataset:
        return {
            "default_graph": [ox.NamedNode(g) for g in job.default_graphs],
            "named_graphs": [ox.NamedNode(g) for g in job.named_graphs],
        }
    if check.has_dataset:
        return {}  # FROM / FROM NAMED in the query define the dataset (the union flag would ignore them)
    return {"use_default_graph_as_union": True}


def _solutions(result: ox.QuerySolutions, job: Job, serializer: str, again) -> Answer:
    order = star_order(job.query, [variable.value for variable in result.variables])
    counter = _LineCounter(job.max_rows + 1)  # +1: the TSV header line
    result.serialize(counter, format=ox.QueryResultsFormat.TSV)
    tsv = counter.buffer.getvalue()
    rows = max(counter.lines - 1, 0)
    if order is not None:  # SELECT *: the columns as the query names them, not alphabetically (store/star_order.py)
        tsv = reorder_tsv(tsv, order)
    if serializer == "TSV":
        return Answer("ok", tsv, rows=rows)
    fmt = getattr(ox.QueryResultsFormat, serializer)
    try:
        parsed = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
        return Answer("ok", serialise_results(parsed, fmt), rows=rows)
    except MemoryError as error:
        # pyoxigraph's TSV reader refuses a line over 16 MiB ("Reached the buffer maximal size") and says
        # so with MemoryError (issue 10: one 16 MB value → 500). The row count is known to be within the
        # limit by now, so run the query again and serialise it directly.
        # (A `SELECT *` then keeps the engine's alphabetical order: a value of 16 MiB is the rare case.)
        if "buffer maximal size" not in str(error):
            raise
        return Answer("ok", serialise_results(again(), fmt), rows=rows)


def _triples(result: ox.QueryTriples, job: Job, serializer: str) -> Answer:
    triples = []
    for triple in result:
        if len(triples) >= job.max_rows:
            raise _TooManyRows
        triples.append(triple)
    # The result of CONSTRUCT is one graph (in N-Quads/TriG: the default graph of a dataset).
    return Answer("ok", serialise(triples, getattr(ox.RdfFormat, serializer), dict(job.prefixes)),
                  rows=len(triples))


def serve(conn: Connection, store_path: str, *, network: bool, memory_mb: int, sandbox: str) -> None:
    """Process entry point: confine, open the store, say ready (with the confinement), answer jobs.

    `store_path` "": a checker without a store. `network` True (the federation pool): no network wall,
    only the memory cap; such a worker only ever gets queries whose every SERVICE is allowed.
    """
    confinement = confine(memory_mb, "off" if network else sandbox)
    try:
        store = ox.Store.read_only(store_path) if store_path else None
    except OSError as error:
        store, hello = None, Answer("error", message=f"无法打开数据存储 / cannot open the store: {error}")
    else:
        hello = Answer("ok", message=_describe(confinement))
    try:
        conn.send(hello)
        while hello.status == "ok":
            conn.send(run_job(store, conn.recv(), network=network, confined=confinement.network != "none"))
    except (EOFError, OSError):
        # The server went away: so do we, without a word. A replacement started after a worker died went on
        # to print a BrokenPipeError traceback when `luzhi query` had ended meanwhile (cold review, session 16).
        return


def _describe(confinement: Confinement) -> str:
    return f"network={confinement.network} memory={confinement.memory_bytes or 0} {confinement.reason}".strip()


if __name__ == "__main__":
    # Run the *imported* module's serve, so Job/Answer pickle as luzhi.store.query_worker.*
    # on both sides rather than as __main__.* (the one import left inside a block, for that reason).
    from luzhi.store import query_worker

    fd, path, mode, memory, sandbox = sys.argv[1:6]
    query_worker.serve(Connection(int(fd)), path, network=mode == "network", memory_mb=int(memory), sandbox=sandbox)

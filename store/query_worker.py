"""The query worker process: opens the store read-only and answers one job at a time over a pipe.

Why a process: pyoxigraph cannot cancel a running query, and an aggregate over a cross
join can run for minutes without yielding one row, so checking a deadline between rows is
not enough. Killing the process is the only sure stop. This module imports nothing but
pyoxigraph, the standard library and store/formats.py (the serialiser, pyoxigraph only), so a
replacement worker starts in a fraction of a second.

Row limit without truncation: SELECT results are first serialised as TSV into a writer
that counts lines (TSV escapes newlines inside literals, so one line is one row) and aborts
as soon as the count passes the limit, which also stops the query's lazy evaluation. Below
the limit the TSV is parsed back and re-serialised in the requested format: lossless
(checked byte for byte against direct serialisation) and only ~15% slower than direct.
"""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass
from multiprocessing.connection import Connection

import pyoxigraph as ox

from luzhi.store.formats import serialise


@dataclass(frozen=True)
class Job:
    query: str
    dataset: str  # "union" (default: union of named graphs), "query" (its own FROM), "protocol"
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    kind: str  # "results" or "graph"
    serializer: str  # QueryResultsFormat / RdfFormat member name; graphs for rdflib come as N_TRIPLES
    max_rows: int
    prefixes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Answer:
    status: str  # ok | syntax | too_many | wrong_kind | error
    body: bytes = b""
    rows: int = 0
    message: str = ""


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


def run_job(store: ox.Store, job: Job) -> Answer:
    """Execute one job; every failure becomes an `Answer`, never an exception."""
    try:
        result = store.query(job.query, **_dataset_options(job))
    except SyntaxError as error:
        return Answer("syntax", message=str(error))
    except (OSError, ValueError, RuntimeError) as error:
        return Answer("error", message=f"{type(error).__name__}: {error}")
    try:
        if isinstance(result, ox.QueryBoolean):
            return _boolean(result, job)
        if isinstance(result, ox.QuerySolutions):
            return _solutions(result, job)
        return _triples(result, job)
    except _TooManyRows:
        return Answer("too_many", rows=job.max_rows)
    except (OSError, ValueError, RuntimeError) as error:
        # Evaluation is lazy: type errors and SERVICE failures surface while iterating.
        return Answer("error", message=f"{type(error).__name__}: {error}")


def _dataset_options(job: Job) -> dict:
    if job.dataset == "protocol":
        return {
            "default_graph": [ox.NamedNode(g) for g in job.default_graphs],
            "named_graphs": [ox.NamedNode(g) for g in job.named_graphs],
        }
    if job.dataset == "query":
        return {}  # FROM / FROM NAMED in the query define the dataset (the union flag would ignore them)
    return {"use_default_graph_as_union": True}


def _boolean(result: ox.QueryBoolean, job: Job) -> Answer:
    if job.kind != "results":
        return Answer("wrong_kind", message="ASK")
    return Answer("ok", result.serialize(format=getattr(ox.QueryResultsFormat, job.serializer)), rows=1)


def _solutions(result: ox.QuerySolutions, job: Job) -> Answer:
    if job.kind != "results":
        return Answer("wrong_kind", message="SELECT")
    counter = _LineCounter(job.max_rows + 1)  # +1: the TSV header line
    result.serialize(counter, format=ox.QueryResultsFormat.TSV)
    tsv = counter.buffer.getvalue()
    rows = max(counter.lines - 1, 0)
    if job.serializer == "TSV":
        return Answer("ok", tsv, rows=rows)
    parsed = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
    return Answer("ok", parsed.serialize(format=getattr(ox.QueryResultsFormat, job.serializer)), rows=rows)


def _triples(result: ox.QueryTriples, job: Job) -> Answer:
    if job.kind != "graph":
        return Answer("wrong_kind", message="CONSTRUCT/DESCRIBE")
    triples = []
    for triple in result:
        if len(triples) >= job.max_rows:
            raise _TooManyRows
        triples.append(triple)
    # The result of CONSTRUCT is one graph (in N-Quads/TriG: the default graph of a dataset).
    return Answer("ok", serialise(triples, getattr(ox.RdfFormat, job.serializer), dict(job.prefixes)),
                  rows=len(triples))


def serve(conn: Connection, store_path: str) -> None:
    """Process entry point: open the store, say ready, answer jobs until the pipe closes."""
    try:
        store = ox.Store.read_only(store_path)
    except OSError as error:
        conn.send(Answer("error", message=f"cannot open store {store_path}: {error}"))
        return
    conn.send(Answer("ok", message="ready"))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return  # the server went away: so do we
        conn.send(run_job(store, job))


if __name__ == "__main__":
    # Run the *imported* module's serve, so Job/Answer pickle as luzhi.store.query_worker.*
    # on both sides rather than as __main__.* (the one import left inside a block, for that reason).
    from luzhi.store import query_worker

    query_worker.serve(Connection(int(sys.argv[1])), sys.argv[2])

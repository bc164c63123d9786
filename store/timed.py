"""A `Store` whose queries run under a time limit, for the pages (issue 13: one page query held a worker 110 s).

pyoxigraph cannot cancel a query in the process that runs it, so page queries go to the same
kind of killable worker processes as /sparql (store/executor.py), in their own pool: a runaway
page query is killed at `timeout` and raises `QueryTimeout`, which the app answers with 503 and
`Retry-After` (server/views/common.py). Results come back as TSV (lossless: terms are written in
N-Triples syntax) and are turned into rdflib terms here. Index lookups (`triples`) stay in this
process: each is bounded by its own limit, and a worker round trip cost more than the lookup.
Everything but querying is the wrapped store's own. A remote store needs none of this: its server
stops a query itself (store/remote.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Node

from luzhi.store.executor import Executor, QueryTimeout, WorkerFailed
from luzhi.store.oxigraph import OxigraphStore, to_rdflib
from luzhi.store.query_worker import Job

# A page query is bounded by its own LIMIT; this only turns a pathological result into an error.
_MAX_ROWS = 1_000_000


class PageQueryFailed(RuntimeError):
    """A page query was refused by the worker (syntax, too many rows): a bug in luzhi, not the user's."""


class TimedStore:
    """`OxigraphStore` for reading, with every query run by `executor` within its time limit."""

    def __init__(self, store: OxigraphStore, executor: Executor) -> None:
        self._store = store
        self.executor = executor

    def _run(self, sparql: str, kind: str, serializer: str) -> bytes:
        results, graph = (serializer, None) if kind == "results" else (None, serializer)
        answer = self.executor.run(Job(sparql, False, (), (), results, graph, _MAX_ROWS))
        if answer.status != "ok":
            raise PageQueryFailed(f"{answer.status}: {answer.message}\n{sparql}")
        return answer.body

    def select(self, sparql: str) -> list[dict[str, Node]]:
        solutions = ox.parse_query_results(self._run(sparql, "results", "TSV"), format=ox.QueryResultsFormat.TSV)
        names = [v.value for v in solutions.variables]
        return [{name: to_rdflib(row[name]) for name in names if row[name] is not None} for row in solutions]

    def ask(self, sparql: str) -> bool:
        body = self._run(sparql, "results", "JSON")
        return bool(ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON))

    def construct(self, sparql: str) -> Graph:
        graph = Graph()
        for triple in ox.parse(self._run(sparql, "graph", "N_TRIPLES"), format=ox.RdfFormat.N_TRIPLES):
            graph.add((to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object)))
        return graph

    def triples(self, subject: Node | None = None, predicate: Node | None = None, obj: Node | None = None, *,
                limit: int) -> list[tuple[Node, Node, Node]]:
        """An index lookup bounded by `limit`, in this process: no query to run away, so no worker."""
        return self._store.triples(subject, predicate, obj, limit=limit)

    def raw_query(self, sparql: str):
        return self._store.raw_query(sparql)

    def replace_graph(self, graph: str, triples: Iterable[tuple[Node, Node, Node]]) -> None:
        self._store.replace_graph(graph, triples)

    def graph_names(self) -> list[str]:
        return self._store.graph_names()

    def dump_graph(self, graph: str, fmt: ox.RdfFormat, prefixes: Mapping[str, str] | None = None) -> bytes:
        return self._store.dump_graph(graph, fmt, prefixes)

    def quads(self) -> Iterator[ox.Quad]:
        return self._store.quads()

    def __len__(self) -> int:
        return len(self._store)

    def close(self) -> None:
        self.executor.close()
        self._store.close()


__all__ = ["PageQueryFailed", "QueryTimeout", "TimedStore", "WorkerFailed"]

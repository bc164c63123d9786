"""The one `Store` protocol the rest of luzhi talks to; `store/open.py` chooses its backend once.

Backends: `OxigraphStore` (store/oxigraph.py, pyoxigraph on disk) and `RemoteStore`
(store/remote.py, any SPARQL 1.1 server with the Graph Store Protocol, tested on Virtuoso).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Node


class Store(Protocol):
    """What luzhi needs of a triple store. The default graph of every query is the union of the named graphs."""

    def select(self, sparql: str) -> list[dict[str, Node]]: ...

    def construct(self, sparql: str) -> Graph: ...

    def ask(self, sparql: str) -> bool: ...

    def triples(self, subject: Node | None = None, predicate: Node | None = None, obj: Node | None = None, *,
                limit: int) -> list[tuple[Node, Node, Node]]:
        """At most `limit` distinct triples of the union graph matching the pattern (None = any), for the pages.

        An index lookup: the embedded store answers it in the web process without a query worker
        (issue 13: a page made 7-20 worker round trips); callers bind a subject or an object.
        """
        ...

    def raw_query(self, sparql: str) -> ox.QuerySolutions | ox.QueryBoolean | Iterable[ox.Triple]:
        """pyoxigraph's own result objects, for the CLI's `luzhi query` (it writes them without rdflib)."""
        ...

    def replace_graph(self, graph: str, triples: Iterable[tuple[Node, Node, Node]]) -> None: ...

    def graph_names(self) -> list[str]: ...

    def dump_graph(self, graph: str, fmt: ox.RdfFormat, prefixes: Mapping[str, str] | None = None) -> bytes: ...

    def quads(self) -> Iterator[ox.Quad]: ...

    def __len__(self) -> int: ...

    def close(self) -> None: ...


def is_remote(spec: str | Path) -> bool:
    """True when `open_store(spec)` gives a remote store (a URL), False for a directory."""
    return "://" in str(spec)

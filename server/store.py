"""The one `Store` protocol the rest of luzhi talks to, and its embedded backend.

Pages and the CLI want rdflib terms and graphs (`select`, `construct`); the SPARQL endpoint
wants the backend's own serialisation (`query_serialized`) so datatypes and language tags
survive untouched (STYLE.md warns about hand-written serialisers). A remote SPARQL 1.1
backend (Virtuoso, Fuseki …) implements the same protocol in `server/remote_store.py`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

# Query result MIME types the embedded backend serialises natively.
RESULT_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
}


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


class Store(Protocol):
    """What luzhi needs of a triple store; one backend is chosen once, in `open_store`."""

    def select(self, sparql: str) -> list[dict[str, Node]]: ...

    def construct(self, sparql: str) -> Graph: ...

    def ask(self, sparql: str) -> bool: ...

    def replace_graph(self, graph: str, triples: Iterable[tuple[Node, Node, Node]]) -> None: ...

    def remove_graph(self, graph: str) -> None: ...

    def graph_names(self) -> list[str]: ...

    def quads(self) -> Iterator[ox.Quad]: ...

    def __len__(self) -> int: ...

    def close(self) -> None: ...


def is_remote(spec: str | Path) -> bool:
    """True when `open_store(spec)` gives a remote store (a URL), False for a directory."""
    return "://" in str(spec)


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
    """Convert a pyoxigraph term to rdflib, keeping datatype and language."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == _XSD_STRING:
        return Literal(term.value)  # rdflib treats "x" and "x"^^xsd:string as different terms
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def to_oxigraph(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """Convert an rdflib term to pyoxigraph."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


class OxigraphStore:
    """pyoxigraph on disk (RocksDB). The default graph of every query is the union of all named graphs.

    Open read-only in servers: RocksDB allows one writer, but any number of read-only
    processes (gunicorn workers) can share the directory.
    """

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        self.path = Path(path)
        if read_only:
            if not (self.path / "CURRENT").exists():
                raise FileNotFoundError(f"no luzhi store at {self.path} (run `luzhi build --store {self.path}`)")
            self._store = ox.Store.read_only(str(self.path))
        else:
            self.path.mkdir(parents=True, exist_ok=True)
            self._store = ox.Store(str(self.path))
        self.read_only = read_only

    @property
    def native(self) -> ox.Store:
        """The pyoxigraph store, for the SPARQL endpoint's native serialisation."""
        return self._store

    def raw_query(self, sparql: str, **options):
        return self._store.query(sparql, use_default_graph_as_union=True, **options)

    def select(self, sparql: str) -> list[dict[str, Node]]:
        solutions = self.raw_query(sparql)
        names = [v.value for v in solutions.variables]
        return [
            {name: to_rdflib(row[name]) for name in names if row[name] is not None} for row in solutions
        ]

    def construct(self, sparql: str) -> Graph:
        graph = Graph()
        for triple in self.raw_query(sparql):
            graph.add((to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object)))
        return graph

    def ask(self, sparql: str) -> bool:
        return bool(self.raw_query(sparql))

    def replace_graph(self, graph: str, triples: Iterable[tuple[Node, Node, Node]]) -> None:
        """Replace one named graph in a single transaction: readers see the old graph or the new, never half.

        pyoxigraph runs each SPARQL Update as one transaction, so DROP + INSERT DATA in one
        request is atomic; a failure anywhere leaves the previous graph as it was. The flush
        writes RocksDB's memtables to disk: without it a build's memory grew by ~4 MB per
        document (bench/build_bench.py: 1.4 GB at 400 documents), with it memory stays flat.
        """
        name = ox.NamedNode(graph)
        ox_triples = [ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in triples]
        body = ox.serialize(ox_triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
        self._store.update(f"DROP SILENT GRAPH <{name.value}> ;\nINSERT DATA {{ GRAPH <{name.value}> {{\n{body}}} }}")
        self._store.flush()

    def remove_graph(self, graph: str) -> None:
        self._store.update(f"DROP SILENT GRAPH <{graph}>")

    def graph_names(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def quads(self) -> Iterator[ox.Quad]:
        return iter(self._store)

    def __len__(self) -> int:
        return len(self._store)

    def flush(self) -> None:
        if not self.read_only:
            self._store.flush()

    def close(self) -> None:
        self.flush()
        del self._store


def open_store(
    spec: str | Path,
    *,
    read_only: bool = False,
    user: str | None = None,
    password: str | None = None,
    timeout: float = 30.0,
) -> Store:
    """Choose the backend once: an http(s) URL → RemoteStore, anything else → OxigraphStore on disk.

    A URL is a Virtuoso query endpoint (`…/sparql`); with `user` it is also written through
    Virtuoso's authenticated endpoints beside it (docs/remote-store.md). Other remotes: build
    `RemoteStore(RemoteEndpoints(...))` yourself.
    """
    text = str(spec)
    if not is_remote(text):
        return OxigraphStore(Path(text), read_only=read_only)
    if not text.startswith(("http://", "https://")):
        raise ValueError(f"store: expected a directory or an http(s) SPARQL endpoint URL, got {text!r}")
    from luzhi.server.remote_store import RemoteEndpoints, RemoteStore

    base = text.rstrip("/")
    base = base[: -len("/sparql")] if base.endswith("/sparql") else base
    endpoints = RemoteEndpoints.virtuoso(base, None if read_only else user, password)
    return RemoteStore(replace(endpoints, query=text), timeout=timeout)

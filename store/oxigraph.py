"""The embedded backend of the `Store` protocol (store/base.py): pyoxigraph on disk, and term conversion.

Pages and the CLI want rdflib terms and graphs (`select`, `construct`); the SPARQL endpoint and the
CLI want pyoxigraph's own results (`raw_query`), so datatypes and language tags survive untouched
(STYLE.md warns about hand-written serialisers). The term conversion itself is `luzhi.ontology.terms`
(shared with the fast validator); it is imported here, where the other modules of this layer find it.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Node
from zlib_ng import gzip_ng

from luzhi.ontology.terms import to_oxigraph, to_rdflib
from luzhi.store.formats import serialise
from luzhi.store.snapshots import StoreLayoutError, read_pointer


class OxigraphStore:
    """pyoxigraph on disk (RocksDB). The default graph of every query is the union of all named graphs.

    Open read-only in servers: RocksDB allows one writer, but any number of read-only
    processes (gunicorn workers) can share the directory. A store directory made by `luzhi build`
    holds snapshots (store/snapshots.py): read-only, `path` may be that directory, and the snapshot
    its `current` names is opened; writing into a snapshot is refused (only a build makes one).
    """

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        pointer = read_pointer(Path(path))
        if pointer.snapshot is not None and not read_only:
            raise StoreLayoutError(f"{path} holds snapshots: change it with `luzhi build`, not by writing into it")
        self.path = pointer.triples_dir or Path(path)
        if read_only:
            if not (self.path / "CURRENT").exists():
                raise FileNotFoundError(f"{self.path} 处没有 luzhi 存储（请先运行 luzhi build --store {self.path}） / "
                                        f"no luzhi store at {self.path} (run `luzhi build --store {self.path}`)")
            self._store = ox.Store.read_only(str(self.path))
        else:
            self.path.mkdir(parents=True, exist_ok=True)
            self._store = ox.Store(str(self.path))
        self.read_only = read_only

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

    def triples(self, subject: Node | None = None, predicate: Node | None = None, obj: Node | None = None, *,
                limit: int) -> list[tuple[Node, Node, Node]]:
        """At most `limit` distinct triples matching the pattern, in the union of the named graphs.

        `quads_for_pattern` reads one RocksDB index range, so the work is bounded by `limit` (and by
        the matching triples), never by the store: unlike a query it cannot run away, so it needs no
        killable worker (issue 13: 7 worker round trips made a duty page 175 ms under load, 2 ms
        here). A triple stated in several graphs comes once per graph, in a row: kept once.
        """
        pattern = [None if term is None else to_oxigraph(term) for term in (subject, predicate, obj)]
        found: dict[tuple, None] = {}
        for quad in self._store.quads_for_pattern(*pattern, None):
            found.setdefault((quad.subject, quad.predicate, quad.object))
            if len(found) >= limit:
                break
        # A bound term is returned as given: converting it back cost as much as the lookup.
        return [(subject if subject is not None else to_rdflib(s), predicate if predicate is not None else to_rdflib(p),
                 obj if obj is not None else to_rdflib(o)) for s, p, o in found]

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

    def drop_graph(self, graph: str) -> None:
        """Remove one named graph (a build's work-in-progress snapshot: no reader sees it, so no transaction)."""
        self._store.remove_graph(ox.NamedNode(graph))

    def load_nquads(self, *paths: Path) -> None:
        """Load N-Quads files, one after the other as one input, with pyoxigraph's bulk loader (its parser is
        ~25x rdflib's, issue 13; the bulk path was 1.5-2x `Store.load` here). Not a transaction: only for a
        store no reader sees yet (a build's new snapshot), whose journal reloads a batch cut by a kill
        (etl/build.py). N-Quads files end each quad with a newline, so their concatenation is N-Quads; a
        file whose name ends in .gz is read through gzip (zlib-ng's, twice zlib's speed)."""
        with io.BufferedReader(_Concatenated(paths), 1 << 20) as stream:
            self._store.bulk_load(stream, format=ox.RdfFormat.N_QUADS)

    def graph_names(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def dump_graph(self, graph: str, fmt: ox.RdfFormat, prefixes: Mapping[str, str] | None = None) -> bytes:
        """One named graph serialised in `fmt` by the one serialiser (the /graph/ route): sorted, with only
        the prefixes it uses (one township's graph is a few thousand triples)."""
        quads = self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph))
        return serialise((ox.Triple(q.subject, q.predicate, q.object) for q in quads), fmt, prefixes or {})

    def graph_quads(self, graph: str | None) -> Iterator[ox.Quad]:
        """One named graph's quads, or the default graph's (`None`)."""
        return self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph) if graph else ox.DefaultGraph())

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


class _Concatenated(io.RawIOBase):
    """Files read one after another as one stream, without copying them to a new file first (gzip ones
    decompressed on the way)."""

    def __init__(self, paths: Iterable[Path]) -> None:
        self._paths = iter(paths)
        self._current: BinaryIO | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while True:
            if self._current is None:
                path = next(self._paths, None)
                if path is None:
                    return 0
                # closed when exhausted, or by close()
                self._current = gzip_ng.open(path, "rb") if Path(path).suffix == ".gz" else open(path, "rb")  # noqa: SIM115
            count = self._current.readinto(buffer)
            if count:
                return count
            self._current.close()
            self._current = None

    def close(self) -> None:
        if self._current is not None:
            self._current.close()
        super().close()

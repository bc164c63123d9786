"""Helpers for the SPARQL endpoint tests: a small store on disk and the real app over real HTTP.

The protocol tests need graphs they control (three small documents, W3C-protocol style),
and the limit tests need enough triples for a cross join that runs for minutes; the
bundled-sample store (tests/conftest.py) serves the example-query and client tests.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from rdflib import Literal, URIRef
from rdflib.namespace import FOAF, RDF, RDFS
from werkzeug.serving import make_server

from luzhi.server.app import create_app
from luzhi.server.config import Config
from luzhi.server.context import get_store
from luzhi.store.oxigraph import OxigraphStore

EX = "http://example.org/"
DOCS = {n: URIRef(f"{EX}doc/{n}") for n in (1, 2, 3)}
GRAPHS = {n: f"{EX}graph/{n}" for n in (1, 2, 3)}
FILLER_GRAPH = f"{EX}graph/filler"
FILLER_TRIPLES = 200


def fill_small_store(path: Path) -> Path:
    """Three one-document graphs plus a filler graph of 200 triples (for expensive joins)."""
    store = OxigraphStore(path)
    for n, doc in DOCS.items():
        label = Literal(f"文档{n}", lang="zh")
        store.replace_graph(GRAPHS[n], [(doc, RDF.type, FOAF.Document), (doc, RDFS.label, label)])
    store.replace_graph(
        FILLER_GRAPH,
        [(URIRef(f"{EX}item/{i}"), URIRef(f"{EX}value"), Literal(i)) for i in range(FILLER_TRIPLES)],
    )
    store.close()
    return path


@dataclass(frozen=True)
class Server:
    base: str
    app: Flask

    @property
    def endpoint(self) -> str:
        return f"{self.base}/sparql"

    @property
    def executor(self):
        return self.app.extensions["luzhi.sparql"]


@contextmanager
def serve(config: Config) -> Iterator[Server]:
    """The real app on 127.0.0.1, an OS-chosen port, in a thread; workers stopped afterwards."""
    app = create_app(config)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Server(f"http://127.0.0.1:{server.server_port}", app)
    finally:
        server.shutdown()
        thread.join(10)
        app.extensions["luzhi.sparql"].close()
        get_store(app).close()  # the current snapshot's page query processes (store/timed.py)

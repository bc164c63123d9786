"""Helpers for the SPARQL endpoint tests: a small store on disk and the real app over real HTTP.

The protocol tests need graphs they control (three small documents, W3C-protocol style),
and the limit tests need enough triples for a cross join that runs for minutes; the
bundled-sample store (tests/conftest.py) serves the example-query and client tests.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
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
from luzhi.server.http_servers import TimedRequestHandler
from luzhi.store.oxigraph import OxigraphStore

REPO = Path(__file__).resolve().parent.parent
EX = "http://example.org/"
DOCS = {n: URIRef(f"{EX}doc/{n}") for n in (1, 2, 3)}
GRAPHS = {n: f"{EX}graph/{n}" for n in (1, 2, 3)}
FILLER_GRAPH = f"{EX}graph/filler"
FILLER_TRIPLES = 200
# COUNT over a 4-way cross join of the filler graph: 1.6 billion combinations, minutes of work
# without one row coming out, so only a kill can stop it (tests/test_sparql_limits.py, test_worker_death.py).
RUNAWAY = f"""SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{FILLER_GRAPH}> {{
  ?a ?p1 ?x . ?b ?p2 ?y . ?c ?p3 ?z . ?d ?p4 ?w }} }}"""


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
def serve(config: Config, *, luzhi_serve: bool = False) -> Iterator[Server]:
    """The real app on 127.0.0.1, an OS-chosen port, in a thread; workers stopped afterwards. `luzhi_serve`: with
    the request handler `luzhi serve` runs (server/http_servers.py), not Werkzeug's own."""
    app = create_app(config)
    handler = {"request_handler": TimedRequestHandler} if luzhi_serve else {}
    server = make_server("127.0.0.1", 0, app, threaded=True, **handler)
    # serve_forever's default poll, 0.5 s, is how long shutdown() waits on leaving: per test using this, on CI too.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield Server(f"http://127.0.0.1:{server.server_port}", app)
    finally:
        server.shutdown()
        thread.join(10)
        app.extensions["luzhi.sparql"].close()
        get_store(app).close()  # the current snapshot's page query processes (store/timed.py)


@contextmanager
def gunicorn(store: Path, folder: Path, *, workers: int, threads: int | None = None) -> Iterator[str]:
    """Production's launcher: gunicorn.conf.py on 127.0.0.1, port 0, one query process per worker; its base URL.

    Waits (bounded) for the "Listening at" line and every worker's boot; the log is `folder`/gunicorn.log.
    """
    env = {**os.environ, "LUZHI_STORE": str(store), "LUZHI_BIND": "127.0.0.1:0", "LUZHI_WORKERS": str(workers),
           "LUZHI_QUERY_PROCESSES": "1",
           # Where gunicorn would put its control socket (gunicorn.conf.py turns it off): the test's folder.
           "HOME": str(folder), "XDG_RUNTIME_DIR": str(folder)}
    if threads is not None:
        env["LUZHI_THREADS"] = str(threads)
    log = folder / "gunicorn.log"
    with log.open("wb") as sink:
        process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(REPO / "gunicorn.conf.py")],
                                   env=env, stderr=sink, stdout=subprocess.DEVNULL, cwd=folder)
    try:
        url = None
        for _ in range(300):
            text = log.read_text(errors="replace")
            found = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", text)
            if found and text.count("Booting worker") >= workers:
                url = found.group(1)
                break
            if process.poll() is not None:
                break
            time.sleep(0.1)
        assert url, log.read_text(errors="replace")
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(30)


def raw_answer(url: str, request: bytes) -> bytes:
    """`request` sent whole over a socket to the server at `url`; the whole answer, until it closes."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=60) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer

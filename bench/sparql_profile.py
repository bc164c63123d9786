"""Where a `/sparql` point lookup spends its CPU: luzhi's path against the same query without luzhi (issue 13).

In one process, over a built store, the same 200 point lookups (as bench/sparql_bench.py's `lookup`):
1. luzhi: `POST /sparql` through the app's WSGI callable (the fast path beside Flask, one query process,
   whose CPU is counted in the process tree);
2. the same app with the fast path unplugged (the Flask view: what Flask's own machinery costs);
3. the query and its JSON alone (pyoxigraph);
4. the checker (store/service_check.py) on a text it has never seen: with the prologue's parse remembered,
   and rdflib's whole parse (what every new text cost before).
Each line: CPU ms per request of this process and of its process tree. No HTTP server and no client on
another thread, so the split depends little on the machine's load.

    python bench/sparql_profile.py STORE [--requests 600]
"""

from __future__ import annotations

import argparse
import io
import os
import random
import time
from pathlib import Path

import pyoxigraph as ox
from proctree import tree_cpu  # bench/ is on sys.path when this file runs as a script
from rdflib.plugins.sparql.parser import parseQuery
from werkzeug.test import EnvironBuilder

from luzhi.ontology.namespaces import LZ, sparql_prologue
from luzhi.server.app import create_app
from luzhi.server.config import Config
from luzhi.store.service_check import check_query
from luzhi.store.snapshots import read_pointer

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def measure(label: str, step, count: int) -> None:
    own, tree = time.process_time(), tree_cpu(os.getpid())
    for n in range(count):
        step(n)
    print(f"{label}: {(time.process_time() - own) / count * 1000:.2f} ms CPU in this process, "
          f"{(tree_cpu(os.getpid()) - tree) / count * 1000:.2f} ms in the process tree")


def caller(wsgi, queries: list[str]):
    """Call `wsgi` with POST /sparql for query n, as a WSGI server would; check it answered 200."""
    environs = []
    for query in queries:
        environ = EnvironBuilder(path="/sparql", method="POST", data={"query": query},
                                 headers={"Accept": "application/sparql-results+json"}).get_environ()
        environs.append((environ, environ["wsgi.input"].read()))

    def call(n: int) -> None:
        environ, body = environs[n % len(environs)]
        status = []
        b"".join(wsgi({**environ, "wsgi.input": io.BytesIO(body)}, lambda s, h, e=None: status.append(s)))
        assert status[0].startswith("200"), status

    return call


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--requests", type=int, default=600)
    args = parser.parse_args()
    triples = read_pointer(args.store).triples_dir or args.store
    store = ox.Store.read_only(str(triples))
    duties = sorted({q.subject.value for q in store.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(str(LZ.Duty)))})
    queries = [sparql_prologue() + f"SELECT ?title ?category WHERE {{ <{iri}> dct:title ?title "
               f"OPTIONAL {{ <{iri}> lz:category ?category }} }}" for iri in random.Random(1).sample(duties, 200)]
    n = args.requests

    fast = create_app(Config(store_path=args.store, query_processes=1))
    flask_only = create_app(Config(store_path=args.store, query_processes=1))
    flask_only.wsgi_app.app = flask_only.wsgi_app.app.inner  # server/app.py: PercentEncode(SparqlFastPath(…))
    for label, app in (("luzhi POST /sparql (fast path)", fast), ("luzhi POST /sparql through Flask", flask_only)):
        call = caller(app, queries)
        for i in range(len(queries)):  # warm-up: the query process starts and hears every text once
            call(i)
        measure(label, call, n)
    measure("query + JSON alone", lambda i: store.query(queries[i % 200], use_default_graph_as_union=True)
            .serialize(format=ox.QueryResultsFormat.JSON), n)
    fresh = [f"{q}\n# {i}" for i, q in enumerate(queries * (n // 200 + 1))]
    measure("check_query, new text, prologue remembered", lambda i: check_query(fresh[i]), n)
    measure("rdflib's whole parse of a new text", lambda i: parseQuery(fresh[i]), min(n, 200))


if __name__ == "__main__":
    main()

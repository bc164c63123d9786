"""Where a `/sparql` point lookup spends its CPU: luzhi's path against the same query without luzhi (issue 13).

In one process, over a built store, the same 200 point lookups (as bench/sparql_bench.py's `lookup`):
1. luzhi: `POST /sparql` through the Flask test client (one query process; its CPU is counted too);
2. a bare Flask view that runs the query in-process and serialises JSON (what Flask itself costs);
3. the query and its JSON alone (pyoxigraph);
4. luzhi's query inspection alone (`inspect_query`, the lexer behind the read-only and SERVICE checks).
Each line: CPU ms per request of this process and of its process tree (query process included).
No HTTP server and no client on another thread: the split does not depend on the machine's load.

    python bench/sparql_profile.py STORE [--requests 600]
"""

from __future__ import annotations

import argparse
import os
import random
import time
from pathlib import Path

import pyoxigraph as ox
from flask import Flask, request
from proctree import tree_cpu  # bench/ is on sys.path when this file runs as a script

from luzhi.ontology.namespaces import LZ, sparql_prologue
from luzhi.server.app import create_app
from luzhi.server.config import Config
from luzhi.server.sparql.query_text import inspect_query

JSON = {"Accept": "application/sparql-results+json"}
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def measure(label: str, step, count: int) -> None:
    own, tree = time.process_time(), tree_cpu(os.getpid())
    for n in range(count):
        step(n)
    print(f"{label}: {(time.process_time() - own) / count * 1000:.2f} ms CPU in this process, "
          f"{(tree_cpu(os.getpid()) - tree) / count * 1000:.2f} ms in the process tree")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--requests", type=int, default=600)
    args = parser.parse_args()
    store = ox.Store.read_only(str(args.store))
    duties = sorted({q.subject.value for q in store.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(str(LZ.Duty)))})
    queries = [sparql_prologue() + f"SELECT ?title ?category WHERE {{ <{iri}> dct:title ?title "
               f"OPTIONAL {{ <{iri}> lz:category ?category }} }}" for iri in random.Random(1).sample(duties, 200)]

    luzhi = create_app(Config(store_path=args.store, query_processes=1)).test_client()
    bare = Flask("bare")

    @bare.post("/sparql")
    def answer():
        result = store.query(request.form["query"], use_default_graph_as_union=True)
        return result.serialize(format=ox.QueryResultsFormat.JSON)

    plain = bare.test_client()
    for query in queries[:20]:  # warm-up: the query process starts, templates and caches fill
        assert luzhi.post("/sparql", data={"query": query}, headers=JSON).status_code == 200
        assert plain.post("/sparql", data={"query": query}, headers=JSON).status_code == 200
    n = args.requests
    measure("luzhi POST /sparql (Flask test client)", lambda i: luzhi.post(
        "/sparql", data={"query": queries[i % 200]}, headers=JSON), n)
    measure("bare Flask view, query in-process (Flask test client)", lambda i: plain.post(
        "/sparql", data={"query": queries[i % 200]}, headers=JSON), n)
    measure("query + JSON alone", lambda i: store.query(queries[i % 200], use_default_graph_as_union=True)
            .serialize(format=ox.QueryResultsFormat.JSON), n)
    measure("inspect_query alone", lambda i: inspect_query(queries[i % 200]), n)


if __name__ == "__main__":
    main()

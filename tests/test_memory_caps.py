"""Memory bombs (issue 10): refused where they can be recognised, and capped where they cannot.

Every process that runs user input has its address space capped (store/sandbox.py, RLIMIT_AS),
so these tests run in CI without the machine's memory going past the caps set here: a capped
worker dies alone, the client is told why (503), and the next request is served.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
import requests
from conftest import make_config
from sparql_server import fill_small_store, serve

from luzhi.server.config import Config
from luzhi.server.context import get_store

# 960 bytes of RDF/XML: ten levels of ten entities, 10^9 "lol"s once expanded (3 GB of text).
BILLION_LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
                  + "".join(f' <!ENTITY lol{n} "{f"&lol{n - 1};" * 10 if n > 1 else "&lol;" * 10}">\n'
                            for n in range(1, 10))
                  + ']>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                    'xmlns:ex="http://example.org/">\n <rdf:Description rdf:about="http://example.org/a">'
                    "<ex:p>&lol9;</ex:p></rdf:Description>\n</rdf:RDF>").encode()
# A sort over a 3-way cross join of the 200-triple filler graph: 8 million rows held at once.
SORTED_CROSS_JOIN = ("SELECT * { GRAPH <http://example.org/graph/filler> { ?a ?p1 ?x . ?b ?p2 ?y . ?c ?p3 ?z } } "
                     "ORDER BY ?x ?y ?z")
CAP_MB = 768
# The bomb is parsed in a grandchild forked from this small script, which reports its exit and peak memory.
# Not wait4 on a child of the test: Linux carries a process's peak resident memory over fork and exec, so a
# child of a large pytest worker "peaked" at the worker's size (825 MB in CI, against a 768 MB cap).
PARSE_CONFINED = """
import os, sys
pid = os.fork()
if pid == 0:
    import pyoxigraph as ox
    from luzhi.store.sandbox import confine
    confine(int(sys.argv[1]))
    print(sum(1 for _ in ox.parse(sys.stdin.buffer.read(), format=ox.RdfFormat.RDF_XML)))
    os._exit(0)
_pid, status, usage = os.wait4(pid, 0)
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)
"""

def test_billion_laughs_is_refused_before_parsing(live_server):
    response = requests.post(f"{live_server.url}/validate", data=BILLION_LAUGHS, timeout=60,
                             headers={"Content-Type": "application/rdf+xml", "Accept": "application/json"})
    assert response.status_code == 400
    body = response.json()
    assert "DOCTYPE" in body["error"] and body["line"] == 2


def test_a_billion_laughs_that_got_through_would_die_alone_under_the_cap():
    """The second wall alone: the bomb parsed by pyoxigraph in a confined process, as if the check missed it."""
    done = subprocess.run([sys.executable, "-c", PARSE_CONFINED, str(CAP_MB)], input=BILLION_LAUGHS,
                          capture_output=True, timeout=300, check=True)
    exit_code, peak_kb = map(int, done.stdout.split()[-2:])
    assert exit_code != 0  # Rust aborts on a failed allocation (SIGABRT)
    assert 0 < peak_kb < CAP_MB * 1024  # it never held more than its cap


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    return fill_small_store(tmp_path_factory.mktemp("memory-caps") / "store")


def test_a_sort_over_a_cross_join_stops_at_the_cap_and_the_next_query_runs(store_path):
    with serve(Config(store_path=store_path, query_memory_mb=CAP_MB, query_timeout=120, query_processes=1)) as server:
        warm = requests.get(server.endpoint, params={"query": "ASK {}"}, timeout=60)
        assert warm.status_code == 200
        assert f"memory={CAP_MB * 1024 * 1024}" in server.executor.confinement
        before = server.executor.worker_pids()
        bomb = requests.get(server.endpoint, params={"query": SORTED_CROSS_JOIN}, timeout=180)
        assert bomb.status_code == 503
        assert f"{CAP_MB} MB (query_memory_mb)" in bomb.text
        after = requests.get(server.endpoint, params={"query": "ASK {}"}, timeout=60)
        assert after.status_code == 200 and after.json()["boolean"] is True
        assert server.executor.worker_pids() != before  # a fresh worker replaced the one that died


def test_page_query_workers_are_capped_too(store_path):
    """Pages run queries holding what a visitor typed (search terms, page numbers) in their own workers:
    the same cap as /sparql's (they had none: `memory=0`, session 14's cold review)."""
    with serve(Config(store_path=store_path, query_memory_mb=CAP_MB)) as server:
        assert requests.get(f"{server.base}/", timeout=60).status_code == 200  # the home page queries the store
        assert f"memory={CAP_MB * 1024 * 1024}" in get_store(server.app).executor.confinement


def test_a_validation_over_its_memory_cap_is_a_503_and_the_server_goes_on(built_store):
    # 64 MiB of address space: the validation child cannot even load pySHACL, so it dies as a bomb would.
    with serve(make_config(built_store, validation_memory_mb=64)) as server:
        url = server.base
        response = requests.post(f"{url}/validate", data=b"<http://x/a> <http://x/b> <http://x/c> .", timeout=60,
                                 headers={"Content-Type": "application/n-triples", "Accept": "application/json"})
        assert response.status_code == 503
        assert "64 MB (validation_memory_mb)" in response.json()["error"]
        assert requests.get(f"{url}/health", timeout=30).status_code == 200


def test_json_ld_nested_100000_deep_is_a_clear_400(live_server):
    document = '{"@id": "http://example.org/a", "http://example.org/p": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = requests.post(f"{live_server.url}/validate", data=document.encode(), timeout=60,
                             headers={"Content-Type": "application/ld+json", "Accept": "application/json"})
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["error"]

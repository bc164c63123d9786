"""Production: gunicorn with two workers serving the same on-disk store, each opening it read-only."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from sparql_server import fill_small_store, gunicorn

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def two_workers(tmp_path):
    with gunicorn(fill_small_store(tmp_path / "store"), tmp_path, workers=2) as url:
        yield url, tmp_path / "gunicorn.log"


def test_gunicorn_workers_share_the_store(two_workers):
    url, log = two_workers
    answers = set()
    with requests.Session() as session:
        for _ in range(20):
            response = requests.get(f"{url}/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"},
                                    headers={"Accept": "text/csv"})
            assert response.status_code == 200, response.text
            answers.add(response.text)
        assert session.get(f"{url}/health").status_code == 200
    assert answers == {"n\r\n206\r\n"}  # 3 documents × 2 triples + 200 filler, from every worker
    workers = set(re.findall(r"Booting worker with pid: (\d+)", log.read_text()))
    assert len(workers) == 2
    # gunicorn 27's control socket (add or remove workers, shut down), shared by all of a user's gunicorns: off.
    assert not list(log.parent.rglob("gunicorn.ctl"))


def test_a_query_of_6_kb_by_get_is_answered(two_workers):
    """SPARQLWrapper sends GET by default: a 5 KB query (a VALUES list) got gunicorn's own 400 (cold review)."""
    url, _log = two_workers
    values = " ".join(str(n) for n in range(10_000, 11_000))
    query = f"SELECT (COUNT(*) AS ?n) {{ VALUES ?v {{ {values} }} }}"
    response = requests.get(f"{url}/sparql", params={"query": query}, headers={"Accept": "text/csv"}, timeout=60)
    assert 6_000 < len(response.request.url) < 8_000
    assert response.status_code == 200, response.text
    assert response.text == "n\r\n1000\r\n"


def test_a_worker_leaves_what_it_loaded_out_of_full_collections():
    """gunicorn.conf.py's `post_worker_init` freezes the loaded objects (a ~200 ms full collection every few
    hundred duty pages at 10,000 townships, bench/results/deref.md), here in a process that loaded the app."""
    code = ("import gc, runpy; from luzhi.server import app; conf = runpy.run_path('gunicorn.conf.py'); "
            "before = gc.get_freeze_count(); conf['post_worker_init'](None); print(before, gc.get_freeze_count())")
    answer = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    before, after = map(int, answer.stdout.split())
    assert before == 0 and after > 10_000

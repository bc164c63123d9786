"""Production: gunicorn with two workers serving the same on-disk store, each opening it read-only."""

from __future__ import annotations

import re
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

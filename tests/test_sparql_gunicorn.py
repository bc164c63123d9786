"""Production: gunicorn with two workers serving the same on-disk store, each opening it read-only."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from sparql_server import fill_small_store

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def gunicorn(tmp_path):
    store = fill_small_store(tmp_path / "store")
    env = {**os.environ, "LUZHI_STORE": str(store), "LUZHI_BIND": "127.0.0.1:0", "LUZHI_WORKERS": "2",
           "LUZHI_QUERY_PROCESSES": "1"}
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as sink:
        process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(REPO / "gunicorn.conf.py")],
                                   env=env, stderr=sink, stdout=subprocess.DEVNULL, cwd=tmp_path)
    try:
        url = None
        for _ in range(300):  # bounded wait for the "Listening at" line and both workers
            text = log.read_text(errors="replace")
            found = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", text)
            if found and text.count("Booting worker") >= 2:
                url = found.group(1)
                break
            if process.poll() is not None:
                break
            time.sleep(0.1)
        assert url, log.read_text(errors="replace")
        yield url, log
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(30)


def test_gunicorn_workers_share_the_store(gunicorn):
    url, log = gunicorn
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

"""Production as docs/security.md describes it: gunicorn on loopback behind nginx (issue 10).

- 40 slowloris connections (headers trickled, never finished) block a bare gunicorn, and do not
  block the documented nginx block in front of it (that very block, read from the docs).
- The first /dumps/ requests, racing between two gunicorn workers, all succeed.
All on 127.0.0.1, bounded: 40 connections, a few seconds each.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from sparql_server import fill_small_store, gunicorn

REPO = Path(__file__).resolve().parent.parent
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SLOW_CLIENTS = 40

pytestmark = pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx not installed (tests/setup-system.sh)")


def documented_nginx_block() -> str:
    text = (REPO / "docs" / "security.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```nginx\n(.*?)```", text, re.DOTALL)
    assert len(blocks) == 1
    return blocks[0]


@contextmanager
def nginx(upstream: str, folder: Path):
    listen = socket.socket()
    listen.bind(("127.0.0.1", 0))
    port = listen.getsockname()[1]
    listen.close()
    block = (documented_nginx_block().replace("server 127.0.0.1:8000;", f"server {upstream.split('//')[1]};")
             .replace("listen 80;", f"listen 127.0.0.1:{port};"))
    temp = folder / "nginx-temp"
    temp.mkdir()
    conf = folder / "nginx.conf"
    user = "user root;\n" if os.getuid() == 0 else ""
    conf.write_text(
        f"{user}worker_processes 1;\npid {folder}/nginx.pid;\nerror_log {folder}/nginx-error.log;\n"
        "events { worker_connections 512; }\n"
        f"http {{\naccess_log off;\nclient_body_temp_path {temp}/body;\nproxy_temp_path {temp}/proxy;\n"
        f"fastcgi_temp_path {temp}/fastcgi;\nuwsgi_temp_path {temp}/uwsgi;\nscgi_temp_path {temp}/scgi;\n"
        f"{block}\n}}\n", encoding="utf-8")
    process = subprocess.Popen([NGINX, "-p", str(folder), "-c", str(conf), "-g", "daemon off;"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None, process.stderr.read().decode()
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGQUIT)
        process.wait(30)
        process.stderr.close()


@contextmanager
def slow_clients(url: str, count: int):
    """`count` connections that send a request line and one header, then nothing."""
    host, port = url.split("//")[1].split(":")
    sockets = []
    try:
        for _ in range(count):
            sock = socket.create_connection((host, int(port)), timeout=5)
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: luzhi\r\nX-Slow: ")
            sockets.append(sock)
        time.sleep(1)  # let the server hand them to its threads
        yield
    finally:
        for sock in sockets:
            sock.close()


def answers_in(url: str, seconds: float) -> bool:
    try:
        return requests.get(f"{url}/health", timeout=seconds).status_code == 200
    except requests.RequestException:
        return False


@pytest.fixture
def small_store(tmp_path):
    return fill_small_store(tmp_path / "store")


def test_slowloris_blocks_bare_gunicorn_but_not_nginx_in_front(small_store, tmp_path):
    with gunicorn(small_store, tmp_path, workers=1, threads=2) as upstream:
        assert answers_in(upstream, 30)
        with slow_clients(upstream, SLOW_CLIENTS):
            blocked = not answers_in(upstream, 3)
        with nginx(upstream, tmp_path) as proxy:
            assert answers_in(proxy, 30)
            with slow_clients(proxy, SLOW_CLIENTS):
                start = time.monotonic()
                through_proxy = answers_in(proxy, 3)
                seconds = time.monotonic() - start
            # The documented headers reach the client through the proxy too.
            headers = requests.get(f"{proxy}/", timeout=30).headers
    assert blocked, "bare gunicorn answered despite the slow clients: this test shows nothing"
    assert through_proxy and seconds < 3
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_first_dump_requests_racing_between_workers_all_succeed(built_store, tmp_path):
    store = tmp_path / "samples"  # the bundled documents: writing their dumps takes long enough to race
    shutil.copytree(built_store.path, store, ignore=shutil.ignore_patterns("dumps"))
    with gunicorn(store, tmp_path, workers=2, threads=1) as url:  # one thread each: both workers get requests
        answers: list[requests.Response] = []
        lock = threading.Lock()

        def fetch() -> None:
            response = requests.get(f"{url}/dumps/", headers={"Accept": "application/json"}, timeout=120)
            with lock:
                answers.append(response)

        threads = [threading.Thread(target=fetch) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(150)
    assert [a.status_code for a in answers] == [200] * 8, [a.text[:200] for a in answers if a.status_code != 200]
    assert len({a.text for a in answers}) == 1  # one manifest, the same for every worker
    assert not list((store / "dumps").rglob("*.part"))

"""The README's first command, as a user runs it (issue 11, finding 1): `luzhi serve` from a fresh
working directory with the default relative store ./luzhi-store. Relative paths once made every
/source/… and /dumps/… answer 500 (send_file resolves them against the package); tests that
pass absolute temporary paths never saw it."""

from __future__ import annotations

import csv
import io
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urldefrag

import pytest
import requests
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, RDFS

from luzhi.store.snapshots import state_dir_of

LUZHI = Path(sys.executable).parent / "luzhi"  # the console script `pip install .` puts on PATH


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def readme_server(tmp_path_factory):
    cwd = tmp_path_factory.mktemp("fresh-directory")
    port = _free_port()
    log = cwd / "serve.log"
    with log.open("wb") as sink:
        process = subprocess.Popen([str(LUZHI), "serve", "--port", str(port)], cwd=cwd, stdout=sink, stderr=sink)
    url = f"http://127.0.0.1:{port}"
    try:
        # Bounded by attempts, not by time: it builds the samples first, and the machine may be loaded.
        for _ in range(600):
            if process.poll() is not None:
                break
            try:
                if requests.get(f"{url}/health", timeout=10).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            try:
                process.wait(0.5)
            except subprocess.TimeoutExpired:
                pass
        assert process.poll() is None, log.read_text(errors="replace")
        assert (state_dir_of(cwd / "luzhi-store") / "build.json").exists()  # the default, relative store
        yield url
    finally:
        # SIGTERM, what a service manager sends: SIGINT is ignored by a process started in the background
        # of a script (POSIX), as CI may be, and the server then never stopped (session 12's CI hang).
        children = _children(process.pid)
        process.send_signal(signal.SIGTERM)
        assert process.wait(60) == 0, log.read_text(errors="replace")[-3000:]
    for _ in range(100):  # the query workers end with the server (they are stopped at its exit)
        if not any(Path(f"/proc/{child}").exists() for child in children):
            break
        time.sleep(0.1)
    assert not any(Path(f"/proc/{child}").exists() for child in children), children


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux /proc), e.g. the server's query workers."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:  # the process ended meanwhile
            continue
        if fields.get("PPid", "").strip() == str(pid):
            found.append(int(status.parent.name))
    return found


def test_a_duty_source_link_answers_200(readme_server):
    query = ("SELECT ?src WHERE { ?d a <https://w3id.org/luzhi/def#Duty> ; "
             "<http://www.w3.org/ns/prov#wasDerivedFrom> ?src } LIMIT 1")
    rows = requests.get(f"{readme_server}/sparql", params={"query": query},
                        headers={"Accept": "application/sparql-results+json"}, timeout=60).json()
    source = rows["results"]["bindings"][0]["src"]["value"]
    assert source.startswith(f"{readme_server}/source/")
    response = requests.get(urldefrag(source)[0], timeout=60)
    assert response.status_code == 200 and response.text


def test_every_void_distribution_answers_200(readme_server):
    void = requests.get(f"{readme_server}/.well-known/void", headers={"Accept": "text/turtle"}, timeout=120)
    assert void.status_code == 200
    graph = Graph().parse(data=void.text, format="turtle")
    urls = {str(o) for p in (DCAT.downloadURL, DCAT.accessURL) for o in graph.objects(None, p)}
    assert any(u.endswith(".gz") for u in urls), urls
    for url in sorted(urls):
        response = requests.get(url, timeout=120)
        assert response.status_code == 200, url


def test_the_readmes_first_steps_answer_as_written(readme_server):
    """The README's "First steps" commands, run by a shell as written, only the server's address changed: the
    counts an integrator's first query gets (without DISTINCT) are the duties each township's lists hold."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("**First steps**", 1)[1].split("```sh\n", 1)[1].split("\n```", 1)[0]
    count_command, turtle_command = block.replace("http://127.0.0.1:5000", readme_server).split("\n")

    def run(command: str) -> str:
        return subprocess.run(["bash", "-c", command], capture_output=True, text=True, check=True, timeout=120).stdout

    rows = list(csv.DictReader(io.StringIO(run(count_command))))
    counts = {row["township"].rsplit("/", 1)[1]: int(row["duties"]) for row in rows}
    distinct = requests.get(f"{readme_server}/sparql", headers={"Accept": "text/csv"}, timeout=60, params={
        "query": "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a <https://w3id.org/luzhi/def#Duty> }"}).text
    assert len(counts) == 5 and sum(counts.values()) == int(distinct.split()[-1]), rows
    assert f"耿庄镇, `http://127.0.0.1:5000/id/division/210381121`, {counts['210381121']} duties" in readme

    township = Graph().parse(data=run(turtle_command), format="turtle")
    assert (URIRef(f"{readme_server}/id/division/210381121"), RDFS.label, Literal("耿庄镇", lang="zh")) in township

"""SPARQL endpoint throughput and latency: luzhi vs rdflib-endpoint on the same data, one run (issue 5).

For each data set (the bundled samples; a synthetic set of the samples copied ×N with their
instance IRIs rewritten per copy) both servers are started on 127.0.0.1 with two processes
each: luzhi under gunicorn (gunicorn.conf.py, 2 workers, 1 query process each) and
rdflib-endpoint under uvicorn (2 workers, each loading the data into an rdflib Dataset with
a union default graph). A fixed query mix is sent by C concurrent client threads for D
seconds; we report requests/s, p50 and p99 latency, and errors. Results: bench/results/sparql.md.

    python bench/sparql_bench.py [--copies 25] [--seconds 20] [--concurrency 4]
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).parent / "results" / "sparql.md"
BASE = "http://127.0.0.1:5000"


def query_mix() -> list[tuple[str, str, str]]:
    """(name, query, Accept): four worked examples, a CONSTRUCT and a point lookup."""
    from luzhi.ontology.namespaces import sparql_prologue
    from luzhi.server.sparql.examples import EXAMPLES

    by_key = {e.key: e for e in EXAMPLES}
    json_accept = "application/sparql-results+json"
    mix = [(key, sparql_prologue() + by_key[key].query, json_accept)
           for key in ("duties-by-category", "cooperating-departments", "reclaimed-by-department", "list-sizes")]
    mix.append(("construct-duty", sparql_prologue() + by_key["describe-duty"].query, "text/turtle"))
    mix.append(("lookup", sparql_prologue() + "SELECT ?title WHERE { ?d a lz:Duty ; lz:sequence 5 ; "
                "lz:listType lz:BasicList ; dct:title ?title }", json_accept))
    return mix


def build_samples(store: Path) -> None:
    from luzhi.etl.build import BuildOptions, build, bundled_documents

    build(bundled_documents(), store, BuildOptions(base=BASE))


def synthetic_store(samples: Path, store: Path, copies: int) -> int:
    """Copy every sample quad `copies` times, instance IRIs under BASE rewritten per copy."""
    import pyoxigraph as ox

    source = ox.Store.read_only(str(samples))
    quads = list(source)
    del source

    def rewrite(term, k):
        if isinstance(term, ox.NamedNode) and term.value.startswith(BASE) and k:
            return ox.NamedNode(term.value.replace(BASE, f"{BASE}/copy{k}", 1))
        return term

    target = ox.Store(str(store))
    for k in range(copies):
        target.bulk_extend(ox.Quad(rewrite(q.subject, k), q.predicate, rewrite(q.object, k), rewrite(q.graph_name, k))
                           for q in quads)
    target.flush()
    count = len(target)
    del target
    return count


def dump_nquads(store: Path, out: Path) -> None:
    import pyoxigraph as ox

    source = ox.Store.read_only(str(store))
    ox.serialize(iter(source), str(out), format=ox.RdfFormat.N_QUADS)


def rdflib_app():
    """uvicorn factory for rdflib-endpoint over the N-Quads in $BENCH_NQUADS."""
    from rdflib import Dataset
    from rdflib_endpoint import SparqlEndpoint

    dataset = Dataset(default_union=True)
    dataset.parse(os.environ["BENCH_NQUADS"], format="nquads")
    return SparqlEndpoint(graph=dataset, path="/sparql")


def wait_ready(url: str, process: subprocess.Popen, log: Path, limit: float = 300) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            if requests.get(url, params={"query": "ASK {}"}, timeout=5,
                            headers={"Accept": "application/sparql-results+json"}).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"server not ready after {limit} s:\n{log.read_text(errors='replace')[-3000:]}")


def start_luzhi(store: Path, port: int, work: Path) -> tuple[subprocess.Popen, Path]:
    log = work / f"luzhi-{port}.log"
    env = {**os.environ, "LUZHI_STORE": str(store), "LUZHI_BIND": f"127.0.0.1:{port}", "LUZHI_WORKERS": "2",
           "LUZHI_QUERY_PROCESSES": "1", "LUZHI_BASE": BASE, "LUZHI_QUERY_TIMEOUT": "60"}
    with log.open("wb") as sink:
        process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(REPO / "gunicorn.conf.py"),
                                    "--access-logfile", "/dev/null"], env=env, stdout=sink, stderr=sink)
    return process, log


def start_rdflib(nquads: Path, port: int, work: Path) -> tuple[subprocess.Popen, Path]:
    log = work / f"rdflib-{port}.log"
    env = {**os.environ, "BENCH_NQUADS": str(nquads)}
    with log.open("wb") as sink:
        process = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "sparql_bench:rdflib_app",
                                    "--app-dir", str(Path(__file__).parent), "--host", "127.0.0.1",
                                    "--port", str(port), "--workers", "2", "--log-level", "warning"],
                                   env=env, stdout=sink, stderr=sink)
    return process, log


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load(url: str, mix, seconds: float, concurrency: int) -> dict:
    """C threads send the mix round-robin (each thread starts at a different query) for `seconds`."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(offset: int) -> None:
        session = requests.Session()
        for name, query, accept in itertools.islice(itertools.cycle(mix), offset, None):
            if time.monotonic() >= stop_at:
                return
            started = time.perf_counter()
            try:
                response = session.post(url, data={"query": query}, headers={"Accept": accept}, timeout=120)
                ok = response.status_code == 200 and len(response.content) > 0
            except requests.RequestException as error:
                ok, response = False, error
            elapsed = time.perf_counter() - started
            with lock:
                if ok:
                    latencies.append(elapsed)
                else:
                    errors.append(f"{name}: {getattr(response, 'status_code', response)}")

    begun = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - begun
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else float("nan")

    return {"requests": len(latencies), "rps": len(latencies) / wall, "p50": pct(0.50), "p99": pct(0.99),
            "errors": len(errors), "error_sample": errors[:3], "mean": statistics.fmean(latencies) * 1000
            if latencies else float("nan")}


def check_same_answers(luzhi_url: str, rdflib_url: str, mix) -> list[str]:
    """Both servers must agree on the row count of every SELECT in the mix (else the figures mean nothing)."""
    notes = []
    for name, query, accept in mix:
        if not accept.endswith("json"):
            continue
        counts = []
        for url in (luzhi_url, rdflib_url):
            response = requests.post(url, data={"query": query}, headers={"Accept": accept}, timeout=300)
            ok = response.status_code == 200
            counts.append(len(response.json()["results"]["bindings"]) if ok else f"HTTP {response.status_code}")
        notes.append(f"{name}: luzhi {counts[0]} rows, rdflib-endpoint {counts[1]} rows")
    return notes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=25, help="synthetic set = samples × COPIES")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="luzhi-sparql-bench-"))
    mix = query_mix()
    rows, notes = [], []
    try:
        samples = work / "samples"
        build_samples(samples)
        synthetic = work / "synthetic"
        sets = [("bundled samples", samples), (f"synthetic (samples ×{args.copies})", synthetic)]
        synthetic_store(samples, synthetic, args.copies)
        for label, store in sets:
            import pyoxigraph as ox

            quads = len(ox.Store.read_only(str(store)))
            nquads = work / f"{store.name}.nq"
            dump_nquads(store, nquads)
            luzhi_port, rdflib_port = free_port(), free_port()
            luzhi, luzhi_log = start_luzhi(store, luzhi_port, work)
            rdflib_started = time.monotonic()
            rdflib, rdflib_log = start_rdflib(nquads, rdflib_port, work)
            try:
                luzhi_url = f"http://127.0.0.1:{luzhi_port}/sparql"
                rdflib_url = f"http://127.0.0.1:{rdflib_port}/sparql"
                wait_ready(luzhi_url, luzhi, luzhi_log)
                wait_ready(rdflib_url, rdflib, rdflib_log)
                notes.append(f"{label}: rdflib-endpoint ready (data loaded) after "
                             f"{time.monotonic() - rdflib_started:.0f} s")
                notes += [f"{label}: {n}" for n in check_same_answers(luzhi_url, rdflib_url, mix)]
                for server, url in (("luzhi", luzhi_url), ("rdflib-endpoint", rdflib_url)):
                    result = load(url, mix, args.seconds, args.concurrency)
                    rows.append((label, quads, server, result))
                    print(label, server, {k: v for k, v in result.items() if k != "error_sample"}, flush=True)
                    if result["errors"]:
                        notes.append(f"{label} / {server}: errors, e.g. {result['error_sample']}")
            finally:
                stop(luzhi)
                stop(rdflib)
        write_results(rows, notes, args, mix)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def write_results(rows, notes, args, mix) -> None:
    lines = [
        "# SPARQL endpoint benchmark (issue 5)",
        "",
        f"Run: `python bench/sparql_bench.py --copies {args.copies} --seconds {args.seconds:g} "
        f"--concurrency {args.concurrency}` on {time.strftime('%Y-%m-%d')}, {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}. Client and servers on the same machine.",
        "",
        "Both servers run two processes: luzhi under gunicorn (2 gthread workers, 1 query process each), "
        "rdflib-endpoint under uvicorn (2 workers, rdflib Dataset with a union default graph). "
        f"Query mix, sent round-robin by {args.concurrency} client threads (POST, urlencoded): "
        + ", ".join(f"`{name}`" for name, _, _ in mix) + ".",
        "",
        "| data | quads | server | requests | req/s | p50 ms | p99 ms | errors |",
        "|---|---:|---|---:|---:|---:|---:|---:|",
    ]
    for label, quads, server, r in rows:
        lines.append(f"| {label} | {quads:,} | {server} | {r['requests']} | {r['rps']:.1f} | {r['p50']:.1f} | "
                     f"{r['p99']:.1f} | {r['errors']} |")
    lines.append("")
    by_set: dict[str, dict[str, float]] = {}
    for label, _, server, r in rows:
        by_set.setdefault(label, {})[server] = r["rps"]
    for label, servers in by_set.items():
        if servers.get("rdflib-endpoint"):
            lines.append(f"- {label}: luzhi / rdflib-endpoint throughput = "
                         f"{servers['luzhi'] / servers['rdflib-endpoint']:.1f}×")
    lines += ["", "Checks and notes:", ""] + [f"- {n}" for n in notes] + [""]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()

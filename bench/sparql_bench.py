"""SPARQL endpoint throughput and latency: luzhi vs rdflib-endpoint vs bare pyoxigraph, same data, one run.

The data: `luzhi synth --townships N` built by `luzhi build` (issue 13). Three servers on 127.0.0.1,
two processes each:
- luzhi under gunicorn with gunicorn.conf.py's defaults (2 gthread workers × 4 threads, 2 query
  processes per worker: the time limit and the memory cap of issue 5);
- a bare pyoxigraph app under gunicorn (bench/oxigraph_wsgi.py, 2 gthread workers × 4 threads): the
  ceiling for this stack, without luzhi's checks, limits and worker processes;
- rdflib-endpoint under uvicorn (2 workers, each loading the N-Quads into an rdflib Dataset with a
  union default graph).
With `--baseline SRC` a fourth: luzhi from another source tree (a `git archive` of an older commit,
unpacked as SRC/luzhi, put first on PYTHONPATH), so a change is measured against what it replaced in
the same run. Workloads: `lookup` (point lookups: one random duty's title and category, 200 duties sent
round-robin), `lookup-new` (the same, each request's text never sent before: a numbered comment is
appended, so nothing can be remembered by query text), `lookup-iri` (the same lookup of every duty of the
store in turn, shuffled: each request asks for a duty that server was not asked for before in the run,
as a client looking resources up by IRI does), `aggregate` (the number of duties per category
over the whole store) and `mix` (four worked examples, a CONSTRUCT and a lookup by sequence); each sent
by C concurrent client threads for D seconds, for C in `--concurrency`. Servers take turns within each
(workload, C), so ratios are read in one run; with `--slices K` they take turns K times within the D
seconds (D/K each), so that the shared machine's load, which changes from one second to the next, falls
on every server alike; `--repeat N` goes through all the turns N times, to show the spread. Results:
appended to bench/results/sparql.md.

    python bench/sparql_bench.py [--townships 50 | --store DIR] [--seconds 15] [--concurrency 2 8]
        [--workloads lookup lookup-new lookup-iri aggregate mix] [--baseline SRC] [--repeat 1] [--slices 1]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import requests
from proctree import tree_cpu  # bench/ is on sys.path when this file runs as a script
from servers import free_port, spawn, stop, wait_ready

REPO = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).parent / "results" / "sparql.md"
LUZHI = Path(sys.executable).with_name("luzhi")
BASE = "http://127.0.0.1:5000"
JSON = "application/sparql-results+json"


def query_mix(store: Path) -> list[tuple[str, str, str]]:
    """(name, query, Accept): four worked examples, a CONSTRUCT and a lookup by sequence.

    `duties-by-category` names a bundled sample's township (耿庄镇); it asks for one of the store's instead.
    """
    import pyoxigraph as ox

    from luzhi.ontology.namespaces import sparql_prologue
    from luzhi.server.sparql.examples import EXAMPLES

    source = ox.Store.read_only(str(store))
    township = next(source.query(sparql_prologue() + "SELECT ?name WHERE { ?t a lz:Township ; rdfs:label ?name } "
                                 "ORDER BY ?name LIMIT 1", use_default_graph_as_union=True))["name"].value
    del source
    by_key = {e.key: e for e in EXAMPLES}
    mix = [(key, sparql_prologue() + by_key[key].query.replace("耿庄镇", township), JSON)
           for key in ("duties-by-category", "cooperating-departments", "reclaimed-by-department", "list-sizes")]
    mix.append(("construct-duty", sparql_prologue() + by_key["describe-duty"].query, "text/turtle"))
    mix.append(("lookup", sparql_prologue() + "SELECT ?title WHERE { ?d a lz:Duty ; lz:sequence 5 ; "
                "lz:listType lz:BasicList ; dct:title ?title }", JSON))
    return mix


def lookups(store: Path, count: int | None = 200) -> list[tuple[str, str, str]]:
    """Point lookups of `count` random duties (None: all), their IRIs read from the store before serving."""
    import pyoxigraph as ox

    from luzhi.ontology.namespaces import LZ, sparql_prologue

    source = ox.Store.read_only(str(store))
    duty = ox.NamedNode(str(LZ.Duty))
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    duties = sorted({q.subject.value for q in source.quads_for_pattern(None, rdf_type, duty)})
    del source
    picked = random.Random(1).sample(duties, len(duties) if count is None else min(count, len(duties)))
    return [("point-lookup", sparql_prologue() + f"SELECT ?title ?category WHERE {{ <{iri}> dct:title ?title "
             f"OPTIONAL {{ <{iri}> lz:category ?category }} }}", JSON) for iri in picked]


def aggregate() -> list[tuple[str, str, str]]:
    """One whole-store aggregate: duties per category, counted over the union of every township's graph."""
    from luzhi.ontology.namespaces import sparql_prologue

    return [("duties-per-category", sparql_prologue() + "SELECT ?category (COUNT(?d) AS ?duties) WHERE { "
             "?d a lz:Duty ; lz:category ?category } GROUP BY ?category ORDER BY ?category", JSON)]


def triples_dir(store: Path) -> Path:
    """The pyoxigraph directory luzhi serves from a store: its current snapshot's (store/snapshots.py)."""
    from luzhi.store.snapshots import read_pointer

    return read_pointer(store).triples_dir or store


def build_synth(townships: int, work: Path) -> Path:
    docs, store = work / "docs", work / "store"
    subprocess.run([str(LUZHI), "synth", "--townships", str(townships), "--seed", "1", "--out", str(docs),
                    "--jobs", "2"], check=True, capture_output=True)
    files = [str(docs / d["files"][0]) for d in
             json.loads((docs / "manifest.json").read_text(encoding="utf-8"))["documents"]]
    subprocess.run([str(LUZHI), "build", *files, "--store", str(store), "--base", BASE], check=True,
                   capture_output=True)
    return store


def dump_nquads(store: Path, out: Path) -> int:
    subprocess.run([str(LUZHI), "export", "--store", str(store), "--format", "nquads", "-o", str(out)], check=True,
                   capture_output=True)
    return sum(1 for line in out.open("rb") if line.strip())


def rdflib_app():
    """uvicorn factory for rdflib-endpoint over the N-Quads in $BENCH_NQUADS."""
    from rdflib import Dataset
    from rdflib_endpoint import SparqlEndpoint

    dataset = Dataset(default_union=True)
    dataset.parse(os.environ["BENCH_NQUADS"], format="nquads")
    return SparqlEndpoint(graph=dataset, path="/sparql")


def start_luzhi(store: Path, port: int, log: Path, source: Path | None = None) -> subprocess.Popen:
    """gunicorn.conf.py as deployed: its defaults for workers, threads and query processes (2 cores → 2, 4, 2).

    `source`: a directory holding another version's package as `luzhi/`, served instead of this one
    (with its own gunicorn.conf.py); the query processes inherit PYTHONPATH, so they run it too.
    """
    env = {"LUZHI_STORE": str(store), "LUZHI_BIND": f"127.0.0.1:{port}", "LUZHI_BASE": BASE,
           "LUZHI_QUERY_TIMEOUT": "60"}
    if source is not None:
        env["PYTHONPATH"] = str(source.resolve())
    conf = (source.resolve() / "luzhi" if source is not None else REPO) / "gunicorn.conf.py"
    return spawn([sys.executable, "-m", "gunicorn", "-c", str(conf), "--access-logfile", "/dev/null"], env, log)


def start_bare(store: Path, port: int, log: Path) -> subprocess.Popen:
    """The ceiling: pyoxigraph under gunicorn with luzhi's worker model (2 gthread workers × 4 threads)."""
    return spawn([sys.executable, "-m", "gunicorn", "-w", "2", "-k", "gthread", "--threads", "4", "-b",
                  f"127.0.0.1:{port}", "--chdir", str(Path(__file__).parent), "oxigraph_wsgi:app"],
                 {"BENCH_STORE": str(store)}, log)


def start_rdflib(nquads: Path, port: int, log: Path) -> subprocess.Popen:
    return spawn([sys.executable, "-m", "uvicorn", "--factory", "sparql_bench:rdflib_app", "--app-dir",
                  str(Path(__file__).parent), "--host", "127.0.0.1", "--port", str(port), "--workers", "2",
                  "--log-level", "warning",
                  # uvicorn ≥ 0.30 restarts a worker that misses a 5 s health check: one busy parsing the data
                  # (600 k quads, minutes) was restarted forever, and the server never answered
                  "--timeout-worker-healthcheck", "3600"], {"BENCH_NQUADS": str(nquads)}, log)


@dataclass
class Sample:
    """What one server answered in one slice of a row."""

    latencies: list[float]
    errors: list[str]
    wall: float
    cpu: float  # seconds, all the server's processes
    load: float  # the 1-minute load average, the higher of before and after


def load(url: str, mix, seconds: float, concurrency: int, server_pid: int, *,
         numbers: itertools.count | None = None, order: itertools.count | None = None) -> Sample:
    """C threads send the mix round-robin (each thread starts at a different query) for `seconds`.

    `numbers`: every request's text is made new (`# request N` appended, N from this count, which the
    caller keeps per server for the whole run), so no server can answer from a memory of the text.
    `order`: the threads take the mix's queries in this order together (mix[n % len] for each n it
    gives), instead of each going round it on its own, so none is sent twice before all are.

    Besides latency: the server's CPU time (all its processes), which the load of the shared machine
    changes far less than latency.
    """
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    loadavg = os.getloadavg()[0]

    def client(offset: int) -> None:
        session = requests.Session()
        queries = (mix[n % len(mix)] for n in order) if order is not None else \
            itertools.islice(itertools.cycle(mix), offset, None)
        for name, query, accept in queries:
            if time.monotonic() >= stop_at:
                return
            if numbers is not None:  # next() on a count is atomic under the GIL
                query = f"{query}\n# request {next(numbers)} of {url}"
            started = time.perf_counter()
            try:
                response = session.post(url, data={"query": query}, headers={"Accept": accept}, timeout=CLIENT_TIMEOUT)
                ok = response.status_code == 200 and len(response.content) > 0
            except requests.RequestException as error:
                ok, response = False, error
            elapsed = time.perf_counter() - started
            with lock:
                if ok:
                    latencies.append(elapsed)
                else:
                    errors.append(f"{name}: {getattr(response, 'status_code', response)}")

    cpu_before = tree_cpu(server_pid)
    begun = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return Sample(latencies, errors, time.monotonic() - begun, tree_cpu(server_pid) - cpu_before,
                  max(loadavg, os.getloadavg()[0]))


def summary(samples: list[Sample]) -> dict:
    """One row from a server's slices: requests over their summed time, percentiles over all latencies."""
    latencies = sorted(x for s in samples for x in s.latencies)
    errors = [e for s in samples for e in s.errors]

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else float("nan")

    answered = len(latencies) or float("nan")
    return {"requests": len(latencies), "rps": len(latencies) / sum(s.wall for s in samples), "p50": pct(0.50),
            "p99": pct(0.99), "errors": len(errors), "error_sample": errors[:3],
            "cpu_ms": sum(s.cpu for s in samples) * 1000 / answered, "mean": sum(latencies) * 1000 / answered,
            "load": round(max(s.load for s in samples), 1)}


def check_same_answers(urls: dict[str, str], queries) -> list[str]:
    """Every server must give as many rows for every SELECT (else the figures mean nothing)."""
    notes = []
    for name, query, accept in queries:
        if not accept.endswith("json"):
            continue
        counts = {}
        for server, url in urls.items():
            response = requests.post(url, data={"query": query}, headers={"Accept": accept}, timeout=300)
            ok = response.status_code == 200
            counts[server] = len(response.json()["results"]["bindings"]) if ok else f"HTTP {response.status_code}"
        if len(set(counts.values())) > 1:
            raise RuntimeError(f"{name}: the servers disagree: {counts}")
        notes.append(f"{name}: {next(iter(counts.values()))} rows from each server")
    return notes


SERVERS = ("luzhi", "bare pyoxigraph", "rdflib-endpoint")
CLIENT_TIMEOUT = 60  # seconds: an answer later than this counts as an error (rdflib-endpoint's aggregates)
BASELINE = "luzhi (baseline)"
HEADER = ("# SPARQL endpoint benchmark (issues 5 and 13)\n\n"
          "Written by `python bench/sparql_bench.py`; newest run last.\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--townships", type=int, default=50, help="synthetic townships (luzhi synth, seed 1)")
    parser.add_argument("--store", type=Path, help="serve this built store instead of building --townships")
    parser.add_argument("--seconds", type=float, default=15, help="per server, workload and concurrency")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[2, 8])
    parser.add_argument("--workloads", nargs="+", choices=["lookup", "lookup-new", "lookup-iri", "aggregate", "mix"],
                        default=["lookup", "mix"])
    parser.add_argument("--baseline", type=Path, help="also serve luzhi from SRC/luzhi (another version)")
    parser.add_argument("--repeat", type=int, default=1, help="go through all the turns this many times")
    parser.add_argument("--slices", type=int, default=1,
                        help="split each server's --seconds into this many slices, the servers taking turns slice by "
                             "slice, so a change in the shared machine's load falls on all of them alike")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="luzhi-sparql-bench-"))
    rows, notes, processes = [], [], []
    servers = SERVERS[:1] + ((BASELINE,) if args.baseline else ()) + SERVERS[1:]
    try:
        store = args.store.resolve() if args.store else build_synth(args.townships, work)
        quads = dump_nquads(store, work / "data.nq")
        triples = triples_dir(store)
        workloads = {"lookup": lookups(triples), "mix": query_mix(triples), "aggregate": aggregate()}
        workloads["lookup-new"] = workloads["lookup"]
        workloads["lookup-iri"] = lookups(triples, None)
        ports = {server: free_port() for server in servers}
        urls = {server: f"http://127.0.0.1:{port}/sparql" for server, port in ports.items()}
        starts = {"luzhi": (start_luzhi, store, None), BASELINE: (start_luzhi, store, args.baseline),
                  "bare pyoxigraph": (start_bare, triples, None),
                  "rdflib-endpoint": (start_rdflib, work / "data.nq", None)}
        started = time.monotonic()
        logs = {}
        for server in servers:  # all at once: rdflib-endpoint's parse of the data takes longest
            start, data, source = starts[server]
            logs[server] = work / f"{server.split()[0]}{'-baseline' if source else ''}.log"
            processes.append(start(data, ports[server], logs[server], source) if source
                             else start(data, ports[server], logs[server]))
        for server, process in zip(servers, processes, strict=True):
            # rdflib-endpoint parses the whole N-Quads before it answers: 600 k quads took over 5 min at load 12
            wait_ready(urls[server], process, logs[server], limit=1500, params={"query": "ASK {}"},
                       headers={"Accept": "application/sparql-results+json"})
        pids = {server: process.pid for server, process in zip(servers, processes, strict=True)}
        notes.append(f"all {len(servers)} servers ready (rdflib-endpoint: data parsed) after "
                     f"{time.monotonic() - started:.0f} s")
        if args.baseline:
            notes.append(f"{BASELINE}: the source tree {args.baseline}/luzhi, first on PYTHONPATH")
        for name in args.workloads:
            notes += [f"{name} / {n}" for n in check_same_answers(urls, workloads[name][:6])]
        # lookup-iri: where each server is in the list (past the 6 the answers check sent); lookup-new: the
        # next number of each server's texts, so none is sent twice in the run
        orders = {server: itertools.count(6) for server in servers}
        numbers = {server: itertools.count() for server in servers}
        for turn in range(1, args.repeat + 1):
            for name in args.workloads:
                for concurrency in args.concurrency:
                    samples: dict[str, list[Sample]] = {server: [] for server in servers}
                    for _slice in range(args.slices):  # the servers take turns slice by slice
                        for server in servers:
                            samples[server].append(load(
                                urls[server], workloads[name], args.seconds / args.slices, concurrency, pids[server],
                                numbers=numbers[server] if name == "lookup-new" else None,
                                order=orders[server] if name == "lookup-iri" else None))
                    for server in servers:
                        result = summary(samples[server])
                        rows.append((name, concurrency, server, turn, result))
                        print(turn, name, concurrency, server,
                              {k: v for k, v in result.items() if k != "error_sample"}, flush=True)
                        if result["errors"]:
                            notes.append(f"{name} ×{concurrency} / {server}: errors, e.g. {result['error_sample']}")
        write_results(rows, notes, args, quads, workloads["mix"], servers)
    finally:
        for process in processes:
            stop(process)
        shutil.rmtree(work, ignore_errors=True)


def write_results(rows, notes, args, quads, mix, servers) -> None:
    data = f"store {args.store}" if args.store else f"{args.townships} synthetic townships"
    lines = [
        f"## {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        "",
        f"Run: `python bench/sparql_bench.py {' '.join(sys.argv[1:])}` on "
        f"{platform.machine()}, {os.cpu_count()} cores (shared), Python {platform.python_version()}. Client and "
        f"servers on the same machine. Data: {data}, {quads:,} quads.",
        "",
        "Servers, two processes each: luzhi under gunicorn with gunicorn.conf.py's defaults (2 gthread workers × 4 "
        "threads, 2 query processes per worker); a bare pyoxigraph app under gunicorn (bench/oxigraph_wsgi.py, "
        "2 gthread workers × 4 threads; the ceiling); rdflib-endpoint under uvicorn (2 workers). Workloads: "
        "`lookup` = one random duty's title and category (200 duties, round-robin); `lookup-new` = the same, each "
        "text made new by a numbered comment; `lookup-iri` = the same lookup for every duty of the store in turn "
        "(shuffled; no duty asked twice of a server, the answers check's 6 aside); `aggregate` = duties per "
        "category over the whole store; `mix` = "
        + ", ".join(f"`{name}`" for name, _, _ in mix) + ", round-robin. POST, urlencoded. "
        "load = the highest 1-minute load average seen at the start or end of the row (of each of its slices); "
        "server CPU = user + system time of all the server's processes (workers, query processes) divided by the "
        "requests answered.",
        "",
        "| turn | workload | connections | server | requests | req/s | p50 ms | p99 ms | server CPU ms / request "
        "| errors | load |",
        "|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, concurrency, server, turn, r in rows:
        lines.append(f"| {turn} | {name} | {concurrency} | {server} | {r['requests']} | {r['rps']:.1f} | "
                     f"{r['p50']:.1f} | {r['p99']:.1f} | {r['cpu_ms']:.2f} | {r['errors']} | {r['load']} |")
    others = [s for s in servers if s.startswith("luzhi")]
    lines += ["", "| turn | workload | connections | " + " | ".join(
        f"{s} / rdflib-endpoint | {s} / bare pyoxigraph" for s in others) + " |",
        "|---:|---|---:|" + "---:|---:|" * len(others)]
    rps = {(name, c, server, turn): r["rps"] for name, c, server, turn, r in rows}
    for name, concurrency, turn in dict.fromkeys((name, c, turn) for name, c, _, turn, _ in rows):
        rdflib = rps[(name, concurrency, "rdflib-endpoint", turn)]
        bare = rps[(name, concurrency, "bare pyoxigraph", turn)]
        cells = []
        for server in others:
            ours = rps[(name, concurrency, server, turn)]
            cells += [f"{ours / rdflib:.1f}×" if rdflib else "(rdflib-endpoint answered nothing)",
                      f"{ours / bare:.2f}×" if bare else "(bare answered nothing)"]
        lines.append(f"| {turn} | {name} | {concurrency} | " + " | ".join(cells) + " |")
    lines += ["", "Checks and notes:", ""] + [f"- {n}" for n in notes] + [""]
    if not RESULTS.exists() or not RESULTS.read_text(encoding="utf-8").startswith(HEADER):
        RESULTS.write_text(HEADER, encoding="utf-8")  # the issue-5 runs (other data, no ceiling) are in git history
    with RESULTS.open("a", encoding="utf-8") as out:
        out.write("\n" + "\n".join(lines))
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()

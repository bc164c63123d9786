"""National scale, measured: synth → build → serve → dereference and search, for N townships (issue 13).

For each N in `--sizes` (the first N documents of one `luzhi synth` run: synth's order makes them the
N documents of a smaller run, byte for byte):

1. `luzhi build` those N documents in a child process: wall time; CPU time of the whole process tree
   (the larger of os.wait4's figure, which misses a pool's workers when their forkserver outlives the
   build, and the sum of each descendant's own CPU sampled every 0.2 s from /proc, which misses at most
   the last 0.2 s of each); peak RSS of the tree, the sum over every live descendant at each sample (a
   process pool's workers count together), and the largest single process (ru_maxrss); the store's size
   on disk.
2. Serve it with gunicorn (gunicorn.conf.py, 2 workers) and dereference random duties and their
   townships, `/doc/…` as HTML and as Turtle, with `--concurrency` client threads; then search.
   p50 / p99 per kind of request; the machine's 1-minute load average is recorded beside each figure
   (the machine is shared: read ratios within one run before absolute times).

Rows are appended to bench/results/scale.jsonl (one JSON object per size) and a section to
bench/results/scale.md with the extrapolation to the country, and bench/results/scale.png is redrawn
(bench/scale_report.py).

    python bench/scale_bench.py --sizes 20 100 [--seed 1] [--requests 200] [--build-arg=--jobs=2]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
import scale_report
from proctree import descendants, own_cpu, tree_rss  # bench/ is on sys.path when this file runs as a script
from servers import free_port, spawn, stop, wait_ready

from luzhi.ontology.iris import Iris
from luzhi.ontology.namespaces import sparql_prologue

REPO = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).parent / "results"
LUZHI = Path(sys.executable).with_name("luzhi")
BASE = "http://127.0.0.1:5000"  # minted IRIs; the server maps them to paths on whatever port it listens
SEARCH_TERMS = ("森林防火", "安全生产", "防汛", "河长制", "耕地保护", "食品安全", "退役军人", "环境卫生",
                "网格化", "矛盾纠纷")


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


def run_measured(cmd: list[str], log: Path, env: dict | None = None) -> dict:
    """Run `cmd`; wall, CPU of the tree, peak tree RSS, largest single RSS (module docstring, step 1)."""
    peak = 0
    cpu: dict[tuple[int, int], float] = {}
    done = threading.Event()
    with log.open("wb") as sink:
        started = time.perf_counter()
        process = subprocess.Popen(cmd, stdout=sink, stderr=subprocess.STDOUT, env=env)

        def sample() -> None:
            nonlocal peak
            while not done.wait(0.2):
                pids = descendants(process.pid)
                peak = max(peak, tree_rss(process.pid))
                cpu.update(own_cpu(pids))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        done.set()
        sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise RuntimeError(f"{cmd[:3]} failed ({process.returncode}):\n{log.read_text(errors='replace')[-3000:]}")
    return {"wall_s": round(wall, 2), "cpu_s": round(max(usage.ru_utime + usage.ru_stime, sum(cpu.values())), 2),
            "cpu_waited_s": round(usage.ru_utime + usage.ru_stime, 2), "cpu_sampled_s": round(sum(cpu.values()), 2),
            "peak_tree_rss_mb": round(peak / 2**20, 1), "max_process_rss_mb": round(usage.ru_maxrss / 1024, 1)}


def disk_usage(path: Path) -> int:
    """Bytes of the files under `path`, a hard-linked file once (snapshots share their unchanged files)."""
    sizes = {}
    for file in path.rglob("*"):
        if file.is_file() and not file.is_symlink():
            stat = file.stat()
            sizes[(stat.st_dev, stat.st_ino)] = stat.st_size
    return sum(sizes.values())


def start_server(store: Path, port: int, log: Path) -> subprocess.Popen:
    process = spawn([sys.executable, "-m", "gunicorn", "-c", str(REPO / "gunicorn.conf.py"), "--access-logfile",
                     "/dev/null"], {"LUZHI_STORE": str(store), "LUZHI_BIND": f"127.0.0.1:{port}", "LUZHI_WORKERS": "2"},
                    log)
    wait_ready(f"http://127.0.0.1:{port}/health", process, log)
    return process


def sample_resources(url: str, codes: list[str], count: int, rng: random.Random) -> tuple[list[str], list[str]]:
    """`count` random duty paths from up to 20 random townships' graphs, and those townships' paths."""
    iris = Iris(BASE)
    towns = rng.sample(codes, min(20, len(codes)))
    duties: list[str] = []
    for code in towns:
        query = sparql_prologue() + f"SELECT ?d WHERE {{ GRAPH <{iris.graph(code)}> {{ ?d a lz:Duty }} }}"
        answer = requests.post(f"{url}/sparql", data={"query": query}, timeout=300,
                               headers={"Accept": "application/sparql-results+json"})
        answer.raise_for_status()
        duties += [row["d"]["value"] for row in answer.json()["results"]["bindings"]]
    if not duties:
        raise RuntimeError(f"no duty found in the graphs of {towns}")
    paths = [str(iris.page_of(d)).removeprefix(BASE) for d in rng.sample(duties, min(count, len(duties)))]
    return paths, [str(iris.page_of(iris.division(code))).removeprefix(BASE) for code in towns]


def hammer(url: str, paths: list[str], accept: str, requests_total: int, concurrency: int) -> dict:
    """GET `requests_total` requests cycling over `paths` from `concurrency` threads; latency percentiles."""
    load_before = load_average()
    latencies, errors = timed_requests(url, paths, accept, requests_total, concurrency)
    return {**summary(latencies), "errors": len(errors), "error_sample": errors[:3],
            "load": max(load_before, load_average())}


def timed_requests(url: str, paths: list[str], accept: str, requests_total: int,
                   concurrency: int) -> tuple[list[float], list[str]]:
    """Each successful request's latency in seconds, and a line per failed one (bench/deref_bench.py pools
    several calls' latencies before taking percentiles)."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    work = iter(range(requests_total))

    def client() -> None:
        session = requests.Session()
        while True:
            with lock:
                n = next(work, None)
            if n is None:
                return
            path = paths[n % len(paths)]
            started = time.perf_counter()
            try:
                response = session.get(url + path, headers={"Accept": accept}, timeout=120)
                ok = response.status_code == 200 and len(response.content) > 0
                problem = f"{path}: HTTP {response.status_code}"
            except requests.RequestException as error:
                ok, problem = False, f"{path}: {type(error).__name__}"
            elapsed = time.perf_counter() - started
            with lock:
                (latencies.append(elapsed) if ok else errors.append(problem))

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors


def summary(latencies: list[float]) -> dict:
    """n, p50, p99 and mean of latencies in seconds, in ms."""
    latencies = sorted(latencies)

    def pct(p: float) -> float | None:
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000, 1) if latencies else None

    return {"n": len(latencies), "p50_ms": pct(0.50), "p99_ms": pct(0.99),
            "mean_ms": round(statistics.fmean(latencies) * 1000, 1) if latencies else None}


def measure_serving(store: Path, codes: list[str], args, work: Path) -> dict:
    port = free_port()
    server = start_server(store, port, work / f"server-{port}.log")
    url = f"http://127.0.0.1:{port}"
    try:
        rng = random.Random(args.seed)
        duties, towns = sample_resources(url, codes, args.requests, rng)
        hammer(url, duties[:20] + towns[:5], "text/html", 25, 1)  # warm-up: templates, caches, query processes
        search = [f"/search?q={term}" for term in SEARCH_TERMS]
        return {
            "duty_html": hammer(url, duties, "text/html", args.requests, args.concurrency),
            "duty_ttl": hammer(url, duties, "text/turtle", args.requests, args.concurrency),
            "town_html": hammer(url, towns, "text/html", args.requests // 4, args.concurrency),
            "town_ttl": hammer(url, towns, "text/turtle", args.requests // 4, args.concurrency),
            "search_html": hammer(url, search, "text/html", args.search_rounds * len(search), args.concurrency),
        }
    finally:
        stop(server)


def synthesise(count: int, seed: int, out: Path) -> tuple[list[Path], list[str]]:
    subprocess.run([str(LUZHI), "synth", "--townships", str(count), "--seed", str(seed), "--out", str(out),
                    "--jobs", "2"], check=True, capture_output=True)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    documents = manifest["documents"]
    return [out / d["files"][0] for d in documents], [d["township_code"] for d in documents]


def measure_size(n: int, files: list[Path], codes: list[str], args, work: Path) -> dict:
    store = work / f"store-{n}"
    cmd = [str(LUZHI), "build", *map(str, files[:n]), "--store", str(store), "--base", BASE,
           "--report", str(work / f"report-{n}.json"), *args.build_arg]
    load_before = load_average()
    build = run_measured(cmd, work / f"build-{n}.log")
    build["load"] = max(load_before, load_average())
    # The newest build.json under the store (a snapshot-based store keeps one per snapshot).
    info_file = max(store.rglob("build.json"), key=lambda p: p.stat().st_mtime)
    info = json.loads(info_file.read_text(encoding="utf-8"))
    row = {"townships": n, "quads": info.get("quads") or info.get("triples"), "store_mb": round(
        disk_usage(store) / 2**20, 1), "build": build, "build_args": args.build_arg}
    print(f"N={n} build {build} store {row['store_mb']} MB, {row['quads']} quads", flush=True)
    row["serve"] = measure_serving(store, codes[:n], args, work)
    print(f"N={n} serve " + json.dumps({k: {m: v[m] for m in ("p50_ms", "p99_ms", "errors", "load")}
                                        for k, v in row["serve"].items()}), flush=True)
    if not args.keep:
        shutil.rmtree(store, ignore_errors=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20, 100])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--requests", type=int, default=200, help="per duty series (townships get a quarter)")
    parser.add_argument("--concurrency", type=int, default=2, help="client threads")
    parser.add_argument("--search-rounds", type=int, default=3, help="each of the ten search terms this many times")
    parser.add_argument("--build-arg", action="append", default=[], help="extra `luzhi build` argument")
    parser.add_argument("--work", type=Path, help="working directory (default: a new temporary one, removed)")
    parser.add_argument("--keep", action="store_true", help="keep the stores")
    args = parser.parse_args()

    work = args.work or Path(tempfile.mkdtemp(prefix="luzhi-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    run = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    try:
        docs = work / "docs"
        if not (docs / "manifest.json").exists():
            started = time.perf_counter()
            files, codes = synthesise(max(args.sizes), args.seed, docs)
            print(f"synth {max(args.sizes)} townships in {time.perf_counter() - started:.0f} s", flush=True)
        else:
            manifest = json.loads((docs / "manifest.json").read_text(encoding="utf-8"))["documents"]
            files, codes = [docs / d["files"][0] for d in manifest], [d["township_code"] for d in manifest]
        rows = []
        for n in sorted(args.sizes):
            rows.append({"run": run, "commit": commit, "seed": args.seed, "concurrency": args.concurrency,
                         **measure_size(n, files, codes, args, work)})
            RESULTS.mkdir(exist_ok=True)
            with (RESULTS / "scale.jsonl").open("a", encoding="utf-8") as out:
                out.write(json.dumps(rows[-1], ensure_ascii=False) + "\n")
    finally:
        if not args.work and not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    scale_report.append_markdown(rows)
    print(f"wrote {RESULTS / 'scale.md'} and {scale_report.plot(scale_report.read_rows())}")


if __name__ == "__main__":
    main()

"""A duty's dereference, HTML and Turtle, under two versions of the code on one store, or one version of
the code on two copies of a store (issue 13: p50 < 5 ms).

Serves `--store` read-only twice with gunicorn (gunicorn.conf.py, 2 workers each): "a" from a copy of
another commit (`git archive` of `--a-commit` on PYTHONPATH), "b" from this working tree. With
`--store-b`, both from this working tree, "a" on `--store` and "b" on `--store-b` (the same documents,
e.g. a store and its copy after `Store.optimize()`: bench/results/compact.md; or the same store twice, with
`--a-gunicorn`/`--b-gunicorn` to compare gunicorn settings, e.g. `--b-gunicorn="-k sync --threads 1 -w 4"`,
which override gunicorn.conf.py's). Draws random duties as bench/scale_bench.py does (`--seed`, up to 20
random townships of the store), then, chunk by chunk, asks both servers in turn, each its own duties (the two
halves of each chunk, swapped every turn, as is the order), so that neither meets duties the other has just
read into the OS page cache:

- `duty_html`, then `duty_ttl` on the same duties: scale_bench.py's sequence (its "duty HTML / Turtle"
  columns), where the Turtle request finds the duty its HTML page just read;
- `duty_ttl_cold`: Turtle of duties neither server has been asked for (what a crawler meets).

Latencies are pooled per server and kind, with the server's CPU time and bytes read from storage per
request (its gunicorn process tree, /proc: `rchar`, all bytes read, and `read_bytes`, those from storage);
the 1-minute load average (2 cores, shared) is reported with them: read the two servers against each other
within a run. Each server's peak resident memory (its process tree, sampled after every turn) is reported too,
and in how many turns one gunicorn worker served all the HTML pages (its access log names the process): the two
connections in one worker, where the GIL serialises them (gthread keeps a keep-alive connection where it was
accepted).
`--evict` first drops both stores' files from the OS page cache (posix_fadvise), so that both start disk-cold:
a store just written or copied is in the page cache, its twin may not be. Loopback only.

    python bench/deref_bench.py --store /work/data/scale-s12/store-10000 --docs /work/data/scale-s12/docs \\
        --townships 10000 [--a-commit main] [--duties 200] [--chunk 20]
    python bench/deref_bench.py --store /tmp/store-a --store-b /tmp/store-b --docs DOCS --townships 1000 --evict
    python bench/deref_bench.py --store S --store-b S --b-gunicorn="-w 4 --threads 1" --docs DOCS --townships 10000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shlex
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

import requests
from proctree import tree_cpu, tree_io, tree_rss
from scale_bench import load_average, sample_resources, summary, timed_requests  # bench/ on sys.path
from servers import free_port, spawn, stop, wait_ready

REPO = Path(__file__).resolve().parent.parent


def export_commit(commit: str, into: Path) -> Path:
    """`commit`'s tree as an importable `luzhi` package under `into`; the directory for PYTHONPATH."""
    archive = subprocess.run(["git", "-C", str(REPO), "archive", commit], check=True, capture_output=True).stdout
    package = into / "luzhi"
    package.mkdir(parents=True)
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(package, filter="data")
    return into


def serve(store: Path, code_root: Path | None, log: Path, options: str = ""):
    """gunicorn over `store`, importing luzhi from `code_root` (None: this working tree), with `options` added to
    its command line (they override gunicorn.conf.py); (process, URL). Its access log, `log` + ".access", holds
    each request's worker, path and Accept header."""
    port = free_port()
    conf = (code_root / "luzhi" if code_root else REPO) / "gunicorn.conf.py"
    env = {"LUZHI_STORE": str(store), "LUZHI_BIND": f"127.0.0.1:{port}", "LUZHI_WORKERS": "2"}
    if code_root is not None:
        env["PYTHONPATH"] = str(code_root)
    process = spawn([sys.executable, "-m", "gunicorn", "-c", str(conf), "--access-logfile", f"{log}.access",
                     "--access-logformat", "%(p)s %(U)s %({accept}i)s", *shlex.split(options)], env, log)
    url = f"http://127.0.0.1:{port}"
    wait_ready(f"{url}/health", process, log)
    return process, url


def same_bodies(a_url: str, b_url: str, paths: list[str], accept: str) -> str:
    """How many of `paths` both servers answer with the same status and body, and the first that differs."""
    differing = [path for path in paths if _answer(a_url + path, accept) != _answer(b_url + path, accept)]
    first = f", first differing: {differing[0]}" if differing else ""
    return f"{len(paths) - len(differing)} of {len(paths)}{first}"


def evict(store: Path) -> int:
    """Drop every file of `store` from the OS page cache (only these files: the machine is shared);
    returns the bytes of the files. Written pages are synced first: a dirty page is not dropped."""
    total = 0
    for folder, _dirs, files in os.walk(store):
        for name in files:
            fd = os.open(os.path.join(folder, name), os.O_RDONLY)
            try:
                os.fdatasync(fd)
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
                total += os.fstat(fd).st_size
            finally:
                os.close(fd)
    return total


def server_cost(pid: int) -> dict[str, float]:
    """What the server's process tree has used so far: CPU seconds, bytes read (all, and from storage)."""
    return {"cpu": tree_cpu(pid), **tree_io(pid)}


def per_request(cost: dict[str, float], requests_done: int) -> dict:
    """The server's CPU ms (its whole process tree, clock ticks of 10 ms pooled over the run), KiB read
    (`rchar`) and KiB read from storage (`read_bytes`), per request."""
    done = max(1, requests_done)
    return {"cpu_ms": round(cost["cpu"] * 1000 / done, 2), "read_kib": round(cost["rchar"] / 1024 / done, 1),
            "disk_kib": round(cost["read_bytes"] / 1024 / done, 1)}


def turns_in_one_worker(access_log: Path, turns: list[list[str]]) -> str:
    """In how many `turns` (each its HTML paths) one worker served every page, from the first `text/html`
    request of each path in the server's access log (the comparison of bodies asks them again later)."""
    worker: dict[str, str] = {}
    for line in access_log.read_text(encoding="utf-8", errors="replace").splitlines():
        pid, path, accept = (line.split(" ", 2) + ["", ""])[:3]
        if accept == "text/html":
            worker.setdefault(path, pid)
    alone = sum(len({worker.get(path.split("?")[0]) for path in paths}) == 1 for paths in turns)
    return f"{alone} of {len(turns)}"


def _answer(url: str, accept: str) -> tuple[int, bytes]:
    response = requests.get(url, headers={"Accept": accept}, timeout=120)
    return response.status_code, response.content


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--store-b", type=Path, help="serve this store as b, with this working tree for both "
                        "(--a-commit is then not used)")
    parser.add_argument("--evict", action="store_true", help="drop the stores' files from the OS page cache first")
    parser.add_argument("--docs", type=Path, required=True, help="the `luzhi synth` output the store was built from")
    parser.add_argument("--townships", type=int, help="only the first N documents were built")
    parser.add_argument("--a-commit", default="main")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--duties", type=int, default=200, help="duties asked as HTML then Turtle")
    parser.add_argument("--chunk", type=int, default=20, help="duties per turn")
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--a-gunicorn", default="", help="gunicorn options for a, e.g. "
                        "--a-gunicorn=\"-w 4 --threads 1\" (with =: a lone --reuse-port would be read as ours)")
    parser.add_argument("--b-gunicorn", default="", help="gunicorn options for b")
    args = parser.parse_args()
    manifest = json.loads((args.docs / "manifest.json").read_text(encoding="utf-8"))["documents"]
    codes = [d["township_code"] for d in manifest][: args.townships]
    work = Path(tempfile.mkdtemp(prefix="deref-bench-"))
    b_commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], check=True,
                              capture_output=True, text=True).stdout.strip()
    if args.store_b:
        a_root, a_label = None, f"working tree at {b_commit} on {args.store} {args.a_gunicorn}".rstrip()
        b_label = f"working tree at {b_commit} on {args.store_b} {args.b_gunicorn}".rstrip()
    else:
        a_root = export_commit(args.a_commit, work / "a")
        a_commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", args.a_commit], check=True,
                                  capture_output=True, text=True).stdout.strip()
        a_label, b_label = f"{args.a_commit} ({a_commit})", f"working tree at {b_commit}"
    servers = {}
    try:
        # The duties are drawn by a server of their own, stopped before the two measured start: drawn by "a",
        # they left the duties' IRIs in a's block cache (and, without --evict, in the page cache).
        servers["sample"] = serve(args.store, None, work / "sample.log")
        rng = random.Random(args.seed)
        # Each server its own duties (two halves of one sample, swapped every turn): the first to read a duty
        # would leave its blocks in the OS page cache for the other, and a disk-cold read is the cost measured.
        per_server = args.duties + args.duties // 2
        duties, towns = sample_resources(servers["sample"][1], codes, 2 * per_server + 20, rng)
        warm_up, duties = duties[:20], duties[20:]
        stop(servers.pop("sample")[0])
        evicted = {str(store): round(evict(store) / 2**20) for store in {args.store, args.store_b or args.store}
                   } if args.evict else {}
        servers["a"] = serve(args.store, a_root, work / "a.log", args.a_gunicorn)
        servers["b"] = serve(args.store_b or args.store, None, work / "b.log", args.b_gunicorn)
        for _process, url in servers.values():  # templates, label caches of the shared terms, query processes
            timed_requests(url, warm_up + towns[:5], "text/html", 25, 1)
        pooled = {(name, kind): [] for name in servers for kind in ("duty_html", "duty_ttl", "duty_ttl_cold")}
        costs = {key: {"cpu": 0.0, "rchar": 0, "read_bytes": 0} for key in pooled}
        errors: list[str] = []
        loads = [load_average()]
        peak_rss = {name: tree_rss(process.pid) for name, (process, _url) in servers.items()}
        html_turns = {name: [] for name in servers}
        started = time.time()
        turns = -(-args.duties // args.chunk)
        cold_chunk = max(1, args.duties // 2 // turns)
        for turn in range(turns):
            at = turn * 2 * (args.chunk + cold_chunk)
            halves = [duties[at : at + args.chunk + cold_chunk],
                      duties[at + args.chunk + cold_chunk : at + 2 * (args.chunk + cold_chunk)]]
            for side, name in enumerate(("a", "b") if turn % 2 == 0 else ("b", "a")):
                url, mine = servers[name][1], halves[side]
                chunk, cold_part = mine[: args.chunk], mine[args.chunk :]
                for kind, paths, accept in (("duty_html", chunk, "text/html"), ("duty_ttl", chunk, "text/turtle"),
                                            ("duty_ttl_cold", cold_part, "text/turtle")):
                    server = servers[name][0].pid
                    before = server_cost(server)
                    latencies, failed = timed_requests(url, paths, accept, len(paths), args.concurrency)
                    after = server_cost(server)
                    if kind == "duty_html":
                        html_turns[name].append(paths)
                    for field in costs[name, kind]:
                        costs[name, kind][field] += after[field] - before[field]
                    pooled[name, kind] += latencies
                    errors += [f"{name} {kind} {e}" for e in failed]
            loads.append(load_average())
            for name, (process, _url) in servers.items():
                peak_rss[name] = max(peak_rss[name], tree_rss(process.pid))
        same = {accept: same_bodies(servers["a"][1], servers["b"][1], duties[: 2 * per_server], accept)
                for accept in ("text/html", "text/turtle")}
        result = {"run": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(started)), "store": str(args.store),
                  "a": a_label, "b": b_label, "evicted_mib": evicted,
                  "load_min": min(loads), "load_max": max(loads), "errors": errors[:10], "same_bodies": same,
                  "peak_rss_mib": {name: round(rss / 2**20) for name, rss in peak_rss.items()},
                  "html_turns_in_one_worker": {name: turns_in_one_worker(work / f"{name}.log.access", paths)
                                               for name, paths in html_turns.items()},
                  "series": {f"{name} {kind}": {**summary(values), **per_request(costs[name, kind], len(values))}
                             for (name, kind), values in pooled.items()}}
        print(json.dumps(result, ensure_ascii=False, indent=1))
    finally:
        for process, _url in servers.values():
            stop(process)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

"""The search page over HTTP: two code versions on one store, alternated in one run (issue 13: p50 < 50 ms).

    python bench/search_http_bench.py --store STORE --old-root DIR [--rounds 4] [--requests 78]

`--old-root` holds the code to compare against as a `luzhi` package (e.g. `git archive BASE | tar -x -C
DIR/luzhi`), put first on the server's PYTHONPATH; "new" is this checkout. Each round starts a fresh gunicorn
(gunicorn.conf.py, 2 workers) per version, odd rounds old first, warms it with every term once, then GETs
/search?q=TERM (HTML) cycling over the terms from 2 client threads. p50 / mean / p99 ms and the 1-minute load.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from scale_bench import REPO, hammer  # bench/ is on sys.path when this file runs as a script
from servers import free_port, spawn, stop, wait_ready

TERMS = ("森林防火", "安全生产", "耕地保护", "防火", "应急管理局", "农村人居环境整治", "河长制", "垃圾分类",
         "退役军人", "火", "城管", "食品安全", "safety")


def serve(store: Path, root: Path | None, log: Path):
    port = free_port()
    env = {"LUZHI_STORE": str(store), "LUZHI_BIND": f"127.0.0.1:{port}", "LUZHI_WORKERS": "2",
           "PYTHONPATH": str(root) if root else os.environ.get("PYTHONPATH", "")}
    process = spawn([sys.executable, "-m", "gunicorn", "-c", str(REPO / "gunicorn.conf.py"),
                     "--access-logfile", "/dev/null"], env, log)
    wait_ready(f"http://127.0.0.1:{port}/health", process, log)
    return process, f"http://127.0.0.1:{port}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--old-root", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--requests", type=int, default=len(TERMS) * 6)
    parser.add_argument("--log", type=Path, default=Path("search-http-bench.log"))
    args = parser.parse_args()
    paths = [f"/search?q={term}" for term in TERMS]
    print("| round | code | p50 ms | mean ms | p99 ms | requests | load |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for round_ in range(1, args.rounds + 1):
        order = (("old", args.old_root), ("new", None))
        for name, root in order if round_ % 2 else order[::-1]:
            process, url = serve(args.store, root, args.log)
            try:
                hammer(url, paths, "text/html", len(paths), 1)  # warm: templates, labels, the index's pages
                result = hammer(url, paths, "text/html", args.requests, 2)
            finally:
                stop(process)
            assert not result["errors"], result["error_sample"]
            print(f"| {round_} | {name} | {result['p50_ms']} | {result['mean_ms']} | {result['p99_ms']} | "
                  f"{result['n']} | {result['load']:.1f} |", flush=True)


if __name__ == "__main__":
    main()

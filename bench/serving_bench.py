"""Page latency at several store sizes: each page kind's HTML and Turtle (duty, township, department, category,
list, duty kind), home, VoID, search.

    python bench/serving_bench.py --store x1=/tmp/x1 --store x10=/tmp/x10 [--repeat 20] [--label after]

Each store is served by the real app (`create_app`) over real HTTP on 127.0.0.1 in this process
(werkzeug, threaded), one client, requests one after another. Per page kind it prints the first
request (cold: per-process caches empty) and p50 / p99 of the next `--repeat` requests, as a
Markdown table for bench/results/serving.md. The resources are picked from the store itself:
duties spread over the store, the department, category and duty kind with the most duties, the
first township and list (the largest are the worst case of pages that list many things). Nothing
here asserts a time (working rules: no timed assertions).
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import requests
from werkzeug.serving import WSGIRequestHandler, make_server

from luzhi.server.app import create_app
from luzhi.server.config import Config
from luzhi.store.snapshots import read_pointer
from luzhi.store.state import read_build_info

LZ = "https://w3id.org/luzhi/def#"
SEARCHES = ("森林防火", "防火", "安全生产检查")


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args) -> None:  # one line per request would drown the table
        pass


def pick(store_path: Path, base: str) -> dict[str, list[str]]:
    """The paths to request, chosen with direct queries on the store (read-only)."""
    store = ox.Store.read_only(str(read_pointer(store_path).triples_dir or store_path))

    def iris(query: str) -> list[str]:
        return [row[0].value for row in store.query(query, use_default_graph_as_union=True)]

    duties = iris(f"SELECT ?d WHERE {{ ?d a <{LZ}Duty> }} LIMIT 2000")[::40][:50]
    department = iris(f"SELECT ?o (COUNT(?d) AS ?n) WHERE {{ ?d <{LZ}upperDepartment> ?o }} "
                      "GROUP BY ?o ORDER BY DESC(?n) LIMIT 1")
    category = iris(f"SELECT ?c (COUNT(?d) AS ?n) WHERE {{ ?d <{LZ}category> ?c }} "
                    "GROUP BY ?c ORDER BY DESC(?n) LIMIT 1")
    # lz:ofTownship (a list has no lz:township: this picked nothing, and township rows went missing)
    township = iris(f"SELECT ?t WHERE {{ ?l a <{LZ}DutyList> ; <{LZ}ofTownship> ?t }} ORDER BY ?t LIMIT 1")
    duty_list = iris(f"SELECT ?l WHERE {{ ?l a <{LZ}DutyList> }} ORDER BY ?l LIMIT 1")
    kind = iris(f"SELECT ?k (COUNT(?d) AS ?n) WHERE {{ ?d <{LZ}dutyKind> ?k }} GROUP BY ?k ORDER BY DESC(?n) LIMIT 1")

    def doc(iri: str) -> str:
        return "/doc/" + iri[len(base) + len("/id/"):]

    def twins(name: str, found: list[str]) -> dict[str, list[str]]:
        return {f"{name} HTML": [doc(i) for i in found], f"{name} Turtle": [doc(i) + ".ttl" for i in found]}

    return {
        **twins("duty", duties),
        **twins("township", township),
        **twins("department", department),
        **twins("category", category),
        **twins("list", duty_list),
        **twins("kind", kind),
        "home": ["/"],
        "VoID": ["/.well-known/void"],
        **{f"search {text}": [f"/search?q={quote(text)}"] for text in SEARCHES},
    }


def measure(url: str, paths: list[str], repeat: int, timeout: float) -> tuple[float, float, float, int]:
    """(cold ms, p50 ms, p99 ms, last status) over `repeat` requests cycling through `paths`.

    A request past `timeout` stops this page kind: it raises requests' Timeout for the caller to report.
    """
    session = requests.Session()

    def one(path: str) -> tuple[float, int]:
        start = time.perf_counter()
        response = session.get(url + path, timeout=timeout)
        return (time.perf_counter() - start) * 1000, response.status_code

    cold, status = one(paths[0])
    times = []
    for i in range(repeat):
        ms, status = one(paths[(i + 1) % len(paths)])
        times.append(ms)
    times.sort()
    p99 = times[min(len(times) - 1, int(round(0.99 * (len(times) - 1))))]
    return cold, statistics.median(times), p99, status


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", action="append", required=True, help="name=path")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--label", default="")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds before a page kind is given up")
    parser.add_argument("--only", nargs="*", default=[], help="page kinds to measure (prefixes: home, search …)")
    args = parser.parse_args()
    print(f"| store | quads | page | cold ms | p50 ms | p99 ms | status | {args.label}")
    print("|---|---:|---|---:|---:|---:|---:|")
    for spec in args.store:
        name, path = spec.split("=", 1)
        info = read_build_info(read_pointer(Path(path)).snapshot or Path(path))
        base = info["base"]
        paths = pick(Path(path), base)
        app = create_app(Config(store_path=Path(path), base=base))
        server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_Quiet)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_port}"
        for page, page_paths in paths.items():
            if not page_paths or (args.only and not page.startswith(tuple(args.only))):
                continue
            try:
                cold, p50, p99, status = measure(url, page_paths, args.repeat, args.timeout)
            except requests.Timeout:
                print(f"| {name} | {info.get('triples', '?'):,} | {page} | > {args.timeout:g} s | | | — |", flush=True)
                continue
            print(f"| {name} | {info.get('triples', '?'):,} | {page} | {cold:.1f} | {p50:.1f} | {p99:.1f} | {status} |",
                  flush=True)
        server.shutdown()


if __name__ == "__main__":
    main()

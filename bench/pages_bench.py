"""Duty, township and search pages at one store's size, over real HTTP (issue 13's page targets).

Serves `--store` with gunicorn (gunicorn.conf.py, 2 workers) — or talks to `--url` — and measures,
with `--concurrency` client threads, p50 / p99 of: random duties' HTML and Turtle, their townships'
HTML, and each search term. Duties are fresh (not warmed): a duty page's cold path (its kind's sample,
read once per kind and snapshot) is what a crawler meets. The machine's 1-minute load is recorded
beside each figure (read ratios within one run before absolute times).

    python bench/pages_bench.py --store STORE --docs SYNTH_DIR [--requests 200] [--seed 2]
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
from pathlib import Path

import requests
from rdflib.namespace import RDFS
from scale_bench import BASE, hammer, sample_resources, start_server  # bench/ is on sys.path as a script
from servers import free_port, stop

from luzhi.ontology.iris import Iris

SEARCH_TERMS = ("森林防火", "安全生产", "防汛", "河长制", "耕地保护", "食品安全", "退役军人", "环境卫生",
                "网格化", "矛盾纠纷")


def township_terms(url: str, codes: list[str], rng: random.Random, count: int = 3) -> list[str]:
    """The names (rdfs:label) of `count` random townships, asked of the server's /sparql."""
    names = []
    for code in rng.sample(codes, count):
        query = f"SELECT ?l WHERE {{ <{Iris(BASE).division(code)}> <{RDFS.label}> ?l }} LIMIT 1"
        answer = requests.post(f"{url}/sparql", data={"query": query}, timeout=60,
                               headers={"Accept": "application/sparql-results+json"})
        answer.raise_for_status()
        names += [row["l"]["value"] for row in answer.json()["results"]["bindings"]]
    return names


def measure(url: str, codes: list[str], args) -> dict:
    rng = random.Random(args.seed)
    duties, towns = sample_resources(url, codes, args.requests, rng)
    hammer(url, ["/", "/search?q=%E9%98%B2"], "text/html", 4, 1)  # start query processes, load templates
    terms = list(SEARCH_TERMS) + township_terms(url, codes, rng)
    result = {
        "duty_html_cold": hammer(url, duties, "text/html", len(duties), args.concurrency),
        "duty_html_warm": hammer(url, duties, "text/html", len(duties), args.concurrency),
        "duty_ttl": hammer(url, duties, "text/turtle", len(duties), args.concurrency),
        "town_html": hammer(url, towns, "text/html", len(towns) * 2, args.concurrency),
    }
    for term in terms:
        result[f"search {term}"] = hammer(url, [f"/search?q={term}"], "text/html", args.search_rounds,
                                          args.concurrency)
    result["search_all"] = hammer(url, [f"/search?q={t}" for t in terms], "text/html",
                                  args.search_rounds * len(terms), args.concurrency)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path)
    parser.add_argument("--url", help="an already running server instead of --store")
    parser.add_argument("--docs", type=Path, required=True, help="the `luzhi synth` output the store was built from")
    parser.add_argument("--townships", type=int, help="only the first N documents were built")
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--requests", type=int, default=200, help="distinct duties")
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--search-rounds", type=int, default=10)
    args = parser.parse_args()
    manifest = json.loads((args.docs / "manifest.json").read_text(encoding="utf-8"))["documents"]
    codes = [d["township_code"] for d in manifest][: args.townships]
    server = None
    url = args.url
    if url is None:
        port = free_port()
        log = Path(tempfile.mkdtemp(prefix="luzhi-pages-")) / "server.log"
        server = start_server(args.store, port, log)
        url = f"http://127.0.0.1:{port}"
    try:
        for name, row in measure(url.rstrip("/"), codes, args).items():
            print(f"{name:24} n={row['n']:4} p50={row['p50_ms']} p99={row['p99_ms']} errors={row['errors']} "
                  f"load={row['load']}", flush=True)
    finally:
        if server is not None:
            stop(server)


if __name__ == "__main__":
    main()

"""One huge duty list's page, over real HTTP: how long a list's HTML, JSON and CSV take at N items.

No real list has more than ~150 items, but a list page must not grow with its list (a 60,000-item list's
page took 12–17 s when it showed every item). `make` writes one synthetic township document whose lists are
scaled to `--items` (etl/synth: the five seeds' items, categories and layouts, the size multiplied) and builds
it; `measure` serves the store with gunicorn (gunicorn.conf.py, 2 workers) and times each URL `--rounds`
times, one request at a time (p50, max, bytes).

    python bench/list_page_bench.py make --items 60000 --out /tmp/big-list      # the document and its store
    python bench/list_page_bench.py measure --store /tmp/big-list/store [--rounds 5]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from scale_bench import BASE, LUZHI, start_server  # bench/ is on sys.path as a script
from servers import free_port, stop

from luzhi.etl.divisions import chain_of
from luzhi.etl.synth import townships
from luzhi.etl.synth.corpus import Corpus, load_corpus
from luzhi.etl.synth.plan import Rates, plan_document
from luzhi.etl.synth.text import render_txt
from luzhi.ontology.types import ListKind


def scaled(corpus: Corpus, kind: ListKind, items: int) -> Corpus:
    """`corpus` with every seed's `kind` list `items` long, its categories in the same proportions."""
    profiles = []
    for profile in corpus.profiles:
        lists = []
        for lst in profile.lists:
            if lst.kind is kind:
                factor = items / lst.size
                categories = tuple((name, max(1, round(n * factor))) for name, n in lst.categories)
                lst = dataclasses.replace(lst, size=items, categories=categories)
            lists.append(lst)
        profiles.append(dataclasses.replace(profile, lists=tuple(lists)))
    return dataclasses.replace(corpus, profiles=tuple(profiles))


def make(args) -> None:
    args.out.mkdir(parents=True, exist_ok=False)
    corpus = load_corpus()
    big = scaled(corpus, ListKind(args.kind), args.items)
    for chain in townships(args.seed):
        doc = plan_document(f"big_{chain.township.code}", chain_of(chain.township.code), big, Rates.of(corpus),
                            args.seed)
        if doc is not None:
            break
    path = args.out / f"{doc.name}.txt"
    path.write_bytes(render_txt(doc))
    started = time.monotonic()
    subprocess.run([str(LUZHI), "build", str(path), "--store", str(args.out / "store"), "--base", BASE,
                    "--report", str(args.out / "report.json")], check=True)
    print(f"{path}: township {doc.township_code}, {args.kind} list of ~{args.items} items (size ±20 %); built in "
          f"{time.monotonic() - started:.0f} s")


def timed(url: str, rounds: int, headers: dict | None = None) -> dict:
    """p50 and max of the whole answer and of its first byte (a streamed CSV starts long before it ends)."""
    times, firsts, size, status = [], [], 0, None
    for _ in range(rounds):
        started = time.perf_counter()
        with requests.get(url, headers=headers, timeout=600, stream=True) as response:
            chunks = response.iter_content(65536)
            first = next(chunks, b"")
            firsts.append(time.perf_counter() - started)
            size = len(first) + sum(len(chunk) for chunk in chunks)
            status = response.status_code
        times.append(time.perf_counter() - started)
    return {"p50_s": round(statistics.median(times), 3), "max_s": round(max(times), 3),
            "first_byte_p50_s": round(statistics.median(firsts), 3), "bytes": size, "status": status}


def measure(args) -> None:
    code = args.code or _township(args.store)
    lists = [f"/doc/list/{code}/{kind}" for kind in args.lists]
    port = free_port()
    server = start_server(args.store, port, Path(tempfile.mkdtemp(prefix="luzhi-list-")) / "server.log")
    url = f"http://127.0.0.1:{port}"
    try:
        timed(url + lists[0] + ".ttl", 1)  # start the query processes, load the templates
        for path in lists:
            for suffix in ("", "?page=2", "?page=300", "?category=jing-ji-fa-zhan", ".json", ".json?page=2", ".csv",
                           ".ttl"):
                print(path + suffix, timed(url + path + suffix, args.rounds), flush=True)
    finally:
        stop(server)


def _township(store: Path) -> str:
    answer = subprocess.run([str(LUZHI), "query", "--store", str(store), "--format", "csv",
                             "SELECT ?c WHERE { ?l <https://w3id.org/luzhi/def#ofTownship> ?t . "
                             "?t <http://www.w3.org/2004/02/skos/core#notation> ?c } LIMIT 1"],
                            check=True, capture_output=True, text=True)
    return answer.stdout.splitlines()[1].strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(required=True)
    making = commands.add_parser("make", help="write one document with a huge list, and build its store")
    making.add_argument("--items", type=int, default=60_000)
    making.add_argument("--kind", default="cooperative", choices=[k.value for k in ListKind])
    making.add_argument("--seed", type=int, default=0)
    making.add_argument("--out", type=Path, required=True)
    making.set_defaults(run=make)
    measuring = commands.add_parser("measure", help="serve the store and time its list pages")
    measuring.add_argument("--store", type=Path, required=True)
    measuring.add_argument("--code", help="the township (default: the store's first)")
    measuring.add_argument("--lists", nargs="+", default=["cooperative"])
    measuring.add_argument("--rounds", type=int, default=5)
    measuring.set_defaults(run=measure)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    sys.exit(main())

"""CPU, wall time and peak memory of the build's post-load phases (etl/derive.py `derive`) over a kept build state.

    python bench/derive_phases.py --state SNAPSHOT --townships 1000 --out /tmp/derive-x [--digest]

SNAPSHOT is a built store's snapshot directory (`snapshots/<name>/`, holding facts/ and shared/); it is only
read. `derive` itself runs over its first N townships (by code) into a fresh store under --out, with the
search index already done (it runs in its own process in a build). --digest then prints each derived
graph's size and the SHA-256 of its sorted N-Triples read back from that store, to compare two versions
of the code on the same state (bench/results/derive.md).
"""

from __future__ import annotations

import argparse
import hashlib
import resource
import shutil
import time
from concurrent.futures import Future
from pathlib import Path

import pyoxigraph as ox
from derived_writer import store_writer  # bench/ on sys.path

from luzhi.etl.build import ontology_graph
from luzhi.etl.derive import derive
from luzhi.etl.facts import FACTS_DIR
from luzhi.ontology.iris import Iris
from luzhi.store.oxigraph import OxigraphStore


class PhaseTimes:
    """A `Progress` that prints each phase's CPU and wall seconds and the process's peak RSS so far."""

    def __init__(self) -> None:
        self.name: str | None = None
        self.started = (0.0, 0.0)

    def phase(self, name: str, total: int) -> None:
        self.end()
        self.name, self.started = name, (time.process_time(), time.perf_counter())

    def advance(self, triples: int) -> None:
        pass

    def end(self) -> None:
        if self.name:
            cpu, wall = time.process_time() - self.started[0], time.perf_counter() - self.started[1]
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"{self.name}: cpu {cpu:.1f} s, wall {wall:.1f} s, peak RSS {peak:.0f} MB", flush=True)
        self.name = None


def state_arguments(doc: str) -> tuple[argparse.Namespace, Iris, list[str]]:
    """The options of the benches that run `derive` over a kept build state (this one, kinds_memory.py):
    the arguments, the Iris of --base, and the first --townships codes of --state; --out made empty."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--state", type=Path, required=True)
    parser.add_argument("--townships", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True, help="a new directory (replaced) for the store")
    parser.add_argument("--base", default="http://127.0.0.1:5000", help="the base the state was built with")
    parser.add_argument("--digest", action="store_true")
    args = parser.parse_args()
    codes = sorted(p.name.split(".")[0] for p in (args.state / FACTS_DIR).iterdir())[: args.townships]
    shutil.rmtree(args.out, ignore_errors=True)
    args.out.mkdir(parents=True)
    return args, Iris(args.base), codes


def main() -> None:
    args, iris, codes = state_arguments(__doc__)
    store = OxigraphStore(args.out / "oxigraph")
    search_index: Future = Future()
    search_index.set_result(0)
    progress = PhaseTimes()
    started = time.process_time()
    derive(store_writer(store, args.out), iris, args.state, codes,
           ontology_graph(), progress, search_index)
    progress.end()
    print(f"{len(codes)} townships: derive {time.process_time() - started:.1f} CPU-s")
    if args.digest:
        for graph in (iris.shared_graph(), iris.kinds_graph(), iris.statistics_graph()):
            quads = store._store.quads_for_pattern(None, None, None, ox.NamedNode(str(graph)))
            lines = sorted(f"{q.subject} {q.predicate} {q.object}" for q in quads)
            print(graph, len(lines), hashlib.sha256("\n".join(lines).encode()).hexdigest())
    store.close()


if __name__ == "__main__":
    main()

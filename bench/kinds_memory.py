"""Peak RSS, CPU and wall time of the build's "duty kinds" phase alone, over a kept build state (issue 13).

    python bench/kinds_memory.py --state SNAPSHOT --townships 1000 --out /tmp/kinds-x [--digest]

SNAPSHOT is a built store's snapshot directory (`snapshots/<name>/`, holding facts/ and shared/); it is only
read. `derive` (etl/derive.py) runs over its first N townships (by code) into a fresh store under --out and is
stopped when its "statistics" phase starts: the statistics phase is not this benchmark's (bench/derive_phases.py
times every phase). Each phase's peak RSS is its own: the kernel's high-water mark is reset when a phase starts
(`/proc/self/clear_refs`, Linux ≥ 4.0), where `getrusage` would carry the shared graph's peak into the kinds
phase. Run from a checkout of another version (`PYTHONPATH=that/parent`) to compare two versions of `derive`;
--digest prints the kinds graph (sorted N-Triples read back from the store) and the kind samples' rows as
SHA-256 digests (bench/results/kinds-memory.md).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from concurrent.futures import Future
from pathlib import Path

import pyoxigraph as ox
from derive_phases import state_arguments  # bench/ on sys.path
from derived_writer import store_writer  # bench/ on sys.path

from luzhi.etl.build import ontology_graph
from luzhi.etl.derive import derive
from luzhi.etl.facts import FACTS_DIR
from luzhi.ontology.iris import Iris
from luzhi.store.kind_samples import samples_path
from luzhi.store.oxigraph import OxigraphStore


class _Stop(Exception):
    """Raised when derive reaches its statistics phase: the phases measured here are done."""


def _status_mb(field: str) -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def _reset_peak() -> None:
    with open("/proc/self/clear_refs", "w", encoding="ascii") as clear:
        clear.write("5")  # resets the peak RSS (proc(5), /proc/pid/clear_refs)


class PhaseMeter:
    """A `Progress` recording each phase's CPU and wall seconds and its own peak RSS; stops at "statistics"."""

    def __init__(self) -> None:
        self.name: str | None = None
        self.started = (0.0, 0.0)
        self.phases: dict[str, dict] = {}
        self.rss_at_start = 0.0

    def phase(self, name: str, total: int) -> None:
        self.end()
        if name == "statistics":
            raise _Stop
        _reset_peak()
        self.name, self.started = name, (time.process_time(), time.perf_counter())
        self.rss_at_start = _status_mb("VmRSS")  # what the process held before: the peak includes it

    def advance(self, triples: int) -> None:
        pass

    def end(self) -> None:
        if self.name:
            cpu, wall = time.process_time() - self.started[0], time.perf_counter() - self.started[1]
            self.phases[self.name] = {"cpu_s": round(cpu, 1), "wall_s": round(wall, 1),
                                      "rss_at_start_mb": round(self.rss_at_start),
                                      "peak_rss_mb": round(_status_mb("VmHWM"))}
        self.name = None


def _digests(store: OxigraphStore, iris: Iris, state: Path) -> dict:
    quads = store._store.quads_for_pattern(None, None, None, ox.NamedNode(str(iris.kinds_graph())))
    lines = sorted(f"{q.subject} {q.predicate} {q.object}" for q in quads)
    db = sqlite3.connect(f"file:{samples_path(state)}?mode=ro", uri=True)
    try:
        kinds = db.execute("SELECT * FROM kinds ORDER BY kind").fetchall()
        members = db.execute("SELECT * FROM members ORDER BY kind, position").fetchall()
    finally:
        db.close()
    return {"kinds_graph_triples": len(lines),
            "kinds_graph_sha256": hashlib.sha256("\n".join(lines).encode()).hexdigest(),
            "kind_samples": len(kinds), "kind_sample_members": len(members),
            "kind_samples_sha256": hashlib.sha256(repr((kinds, members)).encode()).hexdigest()}


def main() -> None:
    args, iris, codes = state_arguments(__doc__)
    # derive writes the kind samples into its state directory: a link farm of the facts keeps the kept state
    # read-only (the facts themselves are only read).
    state = args.out / "state"
    (state / FACTS_DIR).mkdir(parents=True)
    for code in codes:
        for path in (args.state / FACTS_DIR).glob(f"{code}.*"):
            os.symlink(path, state / FACTS_DIR / path.name)
    os.symlink(args.state / "shared", state / "shared")
    store = OxigraphStore(args.out / "oxigraph")
    search_index: Future = Future()
    search_index.set_result(0)
    meter = PhaseMeter()
    kinds = None
    try:
        kinds = derive(store_writer(store, args.out), iris, state, codes,
                       ontology_graph(), meter, search_index)
    except _Stop:
        pass
    assert kinds is None, "derive ended without a statistics phase"
    row = {"code": str(Path(__import__("luzhi").__file__).parent), "townships": len(codes),
           "load_1min": os.getloadavg()[0], **meter.phases}
    if args.digest:
        row |= _digests(store, iris, state)
    print(json.dumps(row, ensure_ascii=False), flush=True)
    store.close()


if __name__ == "__main__":
    main()

"""Peak memory and time of loading one derived graph whole or in parts, as the build does (issue 13).

    python bench/bulk_parts_bench.py PART_QUADS [QUADS]

Writes QUADS (default 5.5 M, the kinds graph of 10,000 synthetic townships) kinds-like quads (a duty's
`lz:dutyKind` and `lz:matchScore`) into a fresh store under /tmp in parts of PART_QUADS (bench/derived_writer.py)
and prints the seconds and the process's peak RSS. Run one size per process (peak RSS never goes down);
results: bench/results/kinds-memory.md.
"""

from __future__ import annotations

import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from derived_writer import store_writer  # bench/ on sys.path
from rdflib import Literal, URIRef

from luzhi.ontology.namespaces import LZ
from luzhi.store.oxigraph import OxigraphStore

BASE = "http://127.0.0.1:5000"


def triples(quads: int):
    for i in range(quads // 2):
        duty = URIRef(f"{BASE}/id/duty/{110101001 + i // 300}/basic/{i % 300}")
        yield duty, LZ.dutyKind, URIRef(f"{BASE}/id/kind/k{i % 1400}")
        yield duty, LZ.matchScore, Literal(round((i % 1000) / 1000, 3))


def main() -> None:
    part = int(sys.argv[1])
    quads = int(sys.argv[2]) if len(sys.argv) > 2 else 5_500_000
    work = Path(tempfile.mkdtemp(prefix="luzhi-bulk-parts-"))
    try:
        store = OxigraphStore(work / "store")
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started = time.perf_counter()
        count = store_writer(store, work, part)(f"{BASE}/graph/kinds", triples(quads))
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"parts of {part:,}: {count:,} quads in {seconds:.1f} s, peak RSS {peak:,.0f} MB "
              f"({before:,.0f} MB before), {len(store):,} stored")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

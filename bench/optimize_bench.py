"""What `Store.optimize()` (a full RocksDB compaction) costs on a built store, and what it leaves (issue 13).

Opens the current snapshot's pyoxigraph directory of a luzhi store (store/snapshots.py) for writing, calls
`optimize()` and reports: wall and CPU seconds, peak RSS, the directory's size sampled every 0.2 s during
the call (its peak: the compaction writes the new files before it deletes the old), and the SST files'
number and size before and after. It WRITES the store: run it on a copy (`cp -a`), never on a store a
server is reading. bench/deref_bench.py `--store-b` then serves the copy beside the original
(bench/results/compact.md).

    python bench/optimize_bench.py /tmp/store-b
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import threading
import time
from pathlib import Path

import pyoxigraph as ox
from scale_bench import load_average  # bench/ on sys.path

from luzhi.store.snapshots import read_pointer


def files(folder: Path) -> dict[str, int]:
    """The SST files' number and bytes, and every file's bytes, of a pyoxigraph directory."""
    sizes = {entry.name: entry.stat().st_size for entry in os.scandir(folder) if entry.is_file()}
    return {"sst_files": sum(name.endswith(".sst") for name in sizes),
            "sst_mib": round(sum(v for k, v in sizes.items() if k.endswith(".sst")) / 2**20, 1),
            "all_mib": round(sum(sizes.values()) / 2**20, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path, help="a luzhi store directory (a copy: it is compacted in place)")
    args = parser.parse_args()
    folder = read_pointer(args.store).triples_dir
    if folder is None:
        raise SystemExit(f"{args.store} has no current snapshot")
    before = files(folder)
    peak = [before["all_mib"]]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.2):
            try:
                peak[0] = max(peak[0], files(folder)["all_mib"])
            except FileNotFoundError:
                continue  # a file compaction deleted between listing and stat

    load = [load_average()]
    sampler = threading.Thread(target=sample)
    sampler.start()
    cpu = time.process_time()
    started = time.perf_counter()
    store = ox.Store(str(folder))
    opened = time.perf_counter()
    store.optimize()
    optimized = time.perf_counter()
    store.flush()
    del store  # closes RocksDB
    ended = time.perf_counter()
    done.set()
    sampler.join()
    load.append(load_average())
    print(json.dumps({"store": str(folder), "before": before, "after": files(folder),
                      "peak_dir_mib": peak[0], "open_s": round(opened - started, 1),
                      "optimize_s": round(optimized - opened, 1), "close_s": round(ended - optimized, 1),
                      "cpu_s": round(time.process_time() - cpu, 1),
                      "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                      "load": load}, indent=1))


if __name__ == "__main__":
    main()

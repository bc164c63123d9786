"""CPU per document of pass 1, two luzhi checkouts side by side, document by document (bench/results/pass1.md).

    python bench/pass1_bench.py DOCUMENT_FOLDER --old CHECKOUT --new CHECKOUT

Each checkout (with its own .venv) runs one worker process that stages documents with the function
the build's process pool calls (`_stage_in_worker`, or `stage_one` in a luzhi without it) and reports
the CPU time of each call. The two workers take the same documents in turn, their order alternating,
so the machine's load weighs on both alike (this machine is shared); the first document only warms
up each worker (imports, compiled shapes) and is not counted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def worker() -> None:
    """Reads document paths on stdin, stages each, prints its CPU milliseconds."""
    import luzhi.etl.stage as stage
    from luzhi.shapes.engines import validator

    call = getattr(stage, "_stage_in_worker", stage.stage_one)
    options = stage.BuildOptions(base="http://127.0.0.1:5000")
    validate = validator("fast")
    staging = Path(tempfile.mkdtemp(prefix="luzhi-pass1-bench-"))
    for n, line in enumerate(sys.stdin):
        start = time.process_time()
        call(Path(line.strip()), f"k{n}", options, staging, validate)
        print(1000 * (time.process_time() - start), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path, nargs="?")
    parser.add_argument("--old", type=Path)
    parser.add_argument("--new", type=Path)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker()
        return
    documents = sorted(str(p) for p in args.folder.iterdir() if p.suffix != ".json")
    sides = {"old": args.old, "new": args.new}
    workers = {side: subprocess.Popen([str(root / ".venv/bin/python"), __file__, "--worker"], cwd=root, text=True,
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE) for side, root in sides.items()}

    def stage(side: str, document: str) -> float:
        workers[side].stdin.write(document + "\n")
        workers[side].stdin.flush()
        return float(workers[side].stdout.readline())

    for side in sides:
        stage(side, documents[0])
    times: dict[str, list[float]] = {side: [] for side in sides}
    loads = []
    for n, document in enumerate(documents[1:]):
        for side in ("old", "new") if n % 2 == 0 else ("new", "old"):
            times[side].append(stage(side, document))
        loads.append(os.getloadavg()[0])
    for process in workers.values():
        process.stdin.close()
        process.wait()
    count = len(documents) - 1
    old, new = sum(times["old"]) / count, sum(times["new"]) / count
    ratios = [o / n for o, n in zip(times["old"], times["new"], strict=True)]
    print(f"{count} documents; CPU ms a document: old {old:.1f}, new {new:.1f}; old/new {old / new:.2f} "
          f"(median of the per-document ratios {statistics.median(ratios):.2f}); "
          f"load average {min(loads):.1f}–{max(loads):.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()

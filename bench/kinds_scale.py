"""Time and peak memory of etl.kinds_learn.compute_kinds as the number of duties grows (docs/kinds.md, Cost).

    python bench/kinds_scale.py --store DIR --copies 1 2 4 8 16 32 [--write bench/results/kinds-scale.md]
    python bench/kinds_scale.py --store DIR --copies 1 2 4 --max-duties 100000   # force the dense method

Each size runs in a fresh process: the duties of a built store, copied under other township codes
(the first two digits changed), so each step of the method has the size a build of that many duties would
have. Copies repeat titles, so the kinds found are not those of real documents; only time and memory are
measured here (precision and recall: bench/kinds_eval.py).
"""

from __future__ import annotations

import argparse
import dataclasses
import resource
import subprocess
import sys
import time
from pathlib import Path


def measure(store: Path, copies: int, max_duties: int) -> str:
    from luzhi.etl.kinds_learn import compute_kinds
    from luzhi.etl.kinds_rdf import duty_records
    from luzhi.store.oxigraph import OxigraphStore

    records = duty_records(OxigraphStore(store, read_only=True))
    duties = [dataclasses.replace(r, township=f"{10 + c}{r.township[2:]}") for c in range(copies) for r in records]
    started = time.perf_counter()
    result = compute_kinds(duties, max_duties=max_duties)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    method = "sampled" if result.sampled else "dense"
    return f"| {len(duties):,} | {method} | {seconds:.1f} | {peak:,.0f} | {len(result.kinds)} |"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--copies", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: measure one size in this process
    parser.add_argument("--write", type=Path)
    parser.add_argument("--max-duties", type=int, default=None, help="default: etl.kinds.MAX_DUTIES")
    args = parser.parse_args()
    from luzhi.etl.kinds import MAX_DUTIES

    limit = args.max_duties or MAX_DUTIES
    if args.one:
        print(measure(args.store, args.one, limit))
        return 0
    rows = [subprocess.run([sys.executable, __file__, "--store", str(args.store), "--one", str(n),
                            "--max-duties", str(limit)],
                           check=True, capture_output=True, text=True).stdout.strip() for n in args.copies]
    text = "\n".join([
        "# Duty kinds: cost by number of duties", "",
        f"`python bench/kinds_scale.py --store {args.store} --copies {' '.join(map(str, args.copies))}`: the "
        "duties of that store copied under other township codes; one process per size, 2 shared cores (seconds "
        "vary with the load; memory does not).",
        f"Above {limit:,} duties the sampled method runs (etl/kinds.py).",
        "", "| duties | method | seconds | peak RSS MB | kinds |", "|---:|---|---:|---:|---:|", *rows, "",
    ])
    sys.stdout.write(text)
    if args.write:
        args.write.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

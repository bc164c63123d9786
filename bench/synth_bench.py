"""How fast `luzhi synth` writes the synthetic country (issue 13).

    python bench/synth_bench.py --sizes 100 1000 10000 --jobs 1 2

Each run is `luzhi synth` in a fresh process into a fresh directory (deleted afterwards); wall time,
CPU time (user + system of the process and its workers), peak RSS and bytes written are measured
and appended as a table to bench/results/synth.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "synth.md"


def run(size: int, jobs: int, seed: int) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="synth-bench-")) / "out"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "luzhi.server.cli",
            "synth",
            "--townships",
            str(size),
            "--seed",
            str(seed),
            "--out",
            str(folder),
            "--jobs",
            str(jobs),
        ],
        check=True,
        capture_output=True,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    size_bytes = sum(p.stat().st_size for p in folder.iterdir())
    shutil.rmtree(folder.parent)
    return {
        "townships": size,
        "jobs": jobs,
        "wall": wall,
        "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        "rss_mb": after.ru_maxrss / 1024,  # the largest child so far (KiB on Linux)
        "mb": size_bytes / 1e6,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rows = [run(size, jobs, args.seed) for size in args.sizes for jobs in args.jobs]
    load = os.getloadavg()[0]
    lines = [
        f"\n## {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: `python bench/synth_bench.py --sizes "
        f"{' '.join(map(str, args.sizes))} --jobs {' '.join(map(str, args.jobs))}`",
        f"\n{os.cpu_count()} cores, Python {platform.python_version()}, load average {load:.1f} at the end "
        "(the machine is shared).\n",
        "| townships | jobs | wall s | CPU s | documents/s | peak RSS MB | output MB |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['townships']:,} | {r['jobs']} | {r['wall']:.1f} | {r['cpu']:.1f} | {r['townships'] / r['wall']:.0f} "
            f"| {r['rss_mb']:.0f} | {r['mb']:,.0f} |"
        )
    text = "\n".join(lines) + "\n"
    if not RESULTS.exists():
        text = "# `luzhi synth` speed\n" + text
    with RESULTS.open("a", encoding="utf-8") as out:
        out.write(text)
    print(text)


if __name__ == "__main__":
    main()

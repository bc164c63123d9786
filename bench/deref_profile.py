"""CPU per duty page as HTML, by part, in process, under two versions of the code on one store (issue 13).

Where a duty page's CPU goes, measured with `time.process_time` around the page's parts (the view's
functions, wrapped by name in the measuring process: `describe`, `duty_participations`, the labels, the
source quote, the division chain, the kind sample ("the same duty elsewhere") and `render_page`, the
template), and around each whole request through Flask's test client. CPU, not wall time: the machine is
shared and its load moves wall times 3-8× (bench/results/deref.md); read the two versions against each
other within one run.

"a" is a copy of `--a-commit` (`git archive`, on PYTHONPATH), "b" this working tree; each runs in fresh
processes, `--rounds` times, alternated (a, b, b, a, …). The duties are one per township, from `--duties`
random townships of the store: each page's township is new to the process, as for a random duty at 10,000
townships (a source text, a division chain, a kind are cached per snapshot; at 1,000 townships a crawl of
random duties finds them in the caches far more often than at 10,000). Each process serves the duties
twice: "cold" (the first time) and "warm" (the same pages again, every cache filled). Both versions must
answer the same bytes for every page: the hashes are compared, and a differing page is named.

    python bench/deref_profile.py --store STORE [--a-commit main] [--duties 300] [--rounds 2] [--seed 1]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PARTS = (  # (module, attribute): the duty page's parts, wrapped where the view looks them up
    ("luzhi.server.views.resource", "describe"),
    ("luzhi.server.page_queries", "duty_participations"),
    ("luzhi.server.views.kinds", "_labels_for"),
    ("luzhi.server.views.kinds", "_source_excerpt"),
    ("luzhi.server.views.kinds", "division_chain"),
    ("luzhi.server.views.comparing", "elsewhere"),
    ("luzhi.server.views.kinds", "render_page"),
)


def sample_duties(store: Path, count: int, seed: int) -> list[str]:
    """One random duty's `/doc/` path from each of `count` random townships (their graphs, in the store)."""
    from luzhi.store.open import open_store

    opened = open_store(str(store), read_only=True)
    try:
        iris = opened.iris
        graphs = sorted(str(row["g"]) for row in opened.store.select(
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?t a <https://w3id.org/luzhi/def#Township> } }"))
        rng = random.Random(seed)
        paths = []
        for graph in rng.sample(graphs, min(count, len(graphs))):
            duties = sorted(str(row["d"]) for row in opened.store.select(
                f"SELECT ?d WHERE {{ GRAPH <{graph}> {{ ?d a <https://w3id.org/luzhi/def#Duty> }} }}"))
            paths.append(str(iris.page_of(rng.choice(duties))).removeprefix(iris.base))
        return paths
    finally:
        opened.store.close()


def child(store: Path, paths: list[str], profile: Path | None, profile_phase: str = "cold") -> dict:
    """In this process: serve `paths` twice as HTML, the CPU of each request and of each part."""
    import importlib

    from luzhi.server.app import create_app
    from luzhi.server.config import Config

    spent: dict[str, float] = {}

    def timed(name, function):
        def wrapper(*args, **kwargs):
            started = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + time.process_time() - started
        return wrapper

    for module_name, attribute in PARTS:
        module = importlib.import_module(module_name)
        if hasattr(module, attribute):
            setattr(module, attribute, timed(attribute, getattr(module, attribute)))
    app = create_app(Config(store_path=store))
    client = app.test_client()
    client.get("/", headers={"Accept": "text/html"})  # templates compiled, the store opened
    result: dict = {"hashes": {}, "code": str(Path(importlib.import_module("luzhi").__file__).parent)}
    profiler = None
    if profile is not None:
        import cProfile
        profiler = cProfile.Profile()
    for phase in ("cold", "warm"):
        rows = []
        for path in paths:
            spent.clear()
            if profiler is not None and phase == profile_phase:
                profiler.enable()
            started = time.process_time()
            response = client.get(path, headers={"Accept": "text/html"})
            total = time.process_time() - started
            if profiler is not None:
                profiler.disable()
            assert response.status_code == 200, (path, response.status_code)
            rows.append({"total": total, **spent})
            result["hashes"][path] = hashlib.sha256(response.data).hexdigest()
        names = ["total", *(attribute for _m, attribute in PARTS)]
        result[phase] = {name: [row.get(name, 0.0) * 1000 for row in rows] for name in names}
    if profiler is not None:
        profiler.dump_stats(profile)
    app.extensions["luzhi.live"].current.close()
    return result


def export_commit(commit: str, into: Path) -> Path:
    """`commit`'s tree as an importable `luzhi` package under `into` (as bench/deref_bench.py)."""
    import tarfile
    from io import BytesIO

    archive = subprocess.run(["git", "-C", str(REPO), "archive", commit], check=True, capture_output=True).stdout
    (into / "luzhi").mkdir(parents=True)
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into / "luzhi", filter="data")
    return into


def run_child(store: Path, paths_file: Path, code_root: Path | None, profile: Path | None,
              profile_phase: str = "cold") -> dict:
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    if code_root is not None:
        env["PYTHONPATH"] = str(code_root)
    command = [sys.executable, __file__, "--child", "--store", str(store), "--paths", str(paths_file)]
    if profile is not None:
        command += ["--profile", str(profile), "--profile-phase", profile_phase]
    out = subprocess.run(command, env=env, check=True, capture_output=True, text=True, cwd=tempfile.gettempdir())
    return json.loads(out.stdout.splitlines()[-1])


def load_average() -> float:
    return os.getloadavg()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--a-commit", default="main")
    parser.add_argument("--duties", type=int, default=300, help="random townships, one random duty of each")
    parser.add_argument("--rounds", type=int, default=2, help="fresh processes per version, alternated")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", type=Path, help="cProfile the last b process's pass into this file")
    parser.add_argument("--profile-phase", choices=("cold", "warm"), default="cold")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--paths", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        paths = json.loads(args.paths.read_text(encoding="utf-8"))
        print(json.dumps(child(args.store, paths, args.profile, args.profile_phase)))
        return
    work = Path(tempfile.mkdtemp(prefix="deref-profile-"))
    paths = sample_duties(args.store, args.duties, args.seed)
    paths_file = work / "paths.json"
    paths_file.write_text(json.dumps(paths), encoding="utf-8")
    a_root = export_commit(args.a_commit, work / "a")
    commit = {name: subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", ref], check=True,
                                   capture_output=True, text=True).stdout.strip()
              for name, ref in (("a", args.a_commit), ("b", "HEAD"))}
    runs: dict[str, list[dict]] = {"a": [], "b": []}
    loads = [load_average()]
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    for round_ in range(args.rounds):
        for name in ("a", "b") if round_ % 2 == 0 else ("b", "a"):
            last_b = name == "b" and round_ == args.rounds - 1
            runs[name].append(run_child(args.store, paths_file, a_root if name == "a" else None,
                                        args.profile if last_b else None, args.profile_phase))
            loads.append(load_average())
    differing = [p for p in paths if len({run["hashes"][p] for name in runs for run in runs[name]}) > 1]
    print(f"{started}, store {args.store}, {len(paths)} duties (one per township), {args.rounds} processes "
          f"per version; a = {args.a_commit} ({commit['a']}), b = working tree at {commit['b']}; "
          f"load {min(loads):.1f}-{max(loads):.1f}")
    print("code: " + ", ".join(f"{name} {runs[name][0]['code']}" for name in runs))
    print(f"same bytes in every process: {len(paths) - len(differing)} of {len(paths)}"
          + (f", first differing: {differing[0]}" if differing else ""))
    names = ["total", *(attribute for _m, attribute in PARTS)]
    for phase in ("cold", "warm"):
        print(f"\n{phase}: CPU ms per request, mean (p50 of the totals)")
        print("| part | " + " | ".join(f"{n} r{i + 1}" for n in runs for i in range(len(runs[n]))) + " |")
        print("|---|" + "---:|" * sum(len(r) for r in runs.values()))
        for part in names:
            cells = []
            for name in runs:
                for run in runs[name]:
                    values = run[phase][part]
                    cell = f"{statistics.fmean(values):.2f}"
                    if part == "total":
                        cell += f" ({statistics.median(values):.2f})"
                    cells.append(cell)
            print(f"| {part} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()

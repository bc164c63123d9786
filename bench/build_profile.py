"""CPU seconds per township of each build phase, from cProfile over one in-process build (issue 13).

    python bench/build_profile.py DOCUMENT_FOLDER [--limit N] [--label TEXT] [--plain]

Runs `build()` with one job (cProfile sees only its own process) into a fresh store under /tmp and
appends a table to bench/results/build.md: for each phase, the cumulative CPU seconds of the functions
that do it, divided by the townships. Phases nest (to_rdf includes departments), so they do not add
up; "whole build" is the total. cProfile itself costs CPU, so compare rows of one run, not runs.
`--plain` times pass 1's steps with `time.process_time` around each call instead (no profiler).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from luzhi.etl.build import BuildOptions, build, process_document
from luzhi.etl.divisions import resolve_township
from luzhi.etl.facts import document_facts
from luzhi.etl.parse import parse_document
from luzhi.etl.shared import split_shared
from luzhi.etl.stage import build_iri_for
from luzhi.etl.to_rdf import document_graph
from luzhi.ontology.iris import Iris
from luzhi.shapes.engines import validator

RESULTS = Path(__file__).parent / "results" / "build.md"
# phase → (module path fragment, function name): cumulative time of the outermost call
PHASES = {
    "whole build": ("etl/build.py", "build"),
    "pass 1: stage one document": ("etl/stage.py", "_stage"),
    "parse": ("etl/parse.py", "parse_document"),
    "to_rdf (departments included)": ("etl/to_rdf.py", "document_graph"),
    "departments": ("etl/departments.py", None),
    "validation (fast SHACL)": ("shapes/fast.py", None),
    "split shared + write N-Quads": ("etl/shared.py", "split_shared"),
    "facts (statistics, search, kinds rows)": ("etl/facts.py", "document_facts"),
    "pass 2: load N-Quads": ("store/oxigraph.py", "load_nquads"),
    "post-load: shared, kinds, statistics, search": ("etl/derive.py", "derive"),
    "post-load: kinds": ("etl/kinds_learn.py", "learn_kinds"),
    "post-load: statistics": ("store/derived.py", "write_statistics"),  # the search index: another process
    # before the per-document facts: duty kinds and statistics read back from the whole store
    "post-load (before): kinds read from the store": ("etl/kinds_rdf.py", "refresh_kinds"),
    "post-load (before): statistics counted in the store": ("store/statistics.py", "write_statistics"),
    "post-load (before): search rows read from the store": ("store/search_index.py", "build_search_index"),
}


def _phase_seconds(stats: pstats.Stats) -> dict[str, float]:
    found = {}
    for phase, (module, function) in PHASES.items():
        best = 0.0
        for (path, _line, name), (_cc, _nc, _tt, cumulative, _callers) in stats.stats.items():
            if path.endswith(module) and (function is None or name == function):
                best = max(best, cumulative)
        found[phase] = best
    return found


def plain_pass1(paths: list[Path]) -> dict[str, float]:
    """CPU seconds per township of pass 1's steps timed without a profiler (cProfile inflates Python-heavy
    steps several times): the same calls as etl/stage.py's `_stage`, one after the other."""
    options = BuildOptions(base="https://example.org/luzhi")
    iris = Iris(options.base)
    validate = validator()
    spent: dict[str, float] = {}

    def timed(step: str, call, *args, **keywords):
        started = time.process_time()
        result = call(*args, **keywords)
        spent[step] = spent.get(step, 0.0) + time.process_time() - started
        return result

    process_document(paths[0], options)  # imports and caches outside the timing
    for path in paths:
        doc = timed("parse", parse_document, path, None)
        chain = timed("divisions", resolve_township, doc.title, None)
        built = timed("to_rdf (departments included)", document_graph, doc, chain, iris, filename=path.name,
                      build_iri=build_iri_for(iris, doc))
        timed("validation (fast SHACL)", validate, built.graph, options.base)
        own, _shared = timed("split shared", split_shared, built.graph, iris, chain.township.code)
        timed("facts", document_facts, built.graph, own, iris)
    return {step: seconds / len(paths) for step, seconds in spent.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--label", default="")
    parser.add_argument("--plain", action="store_true", help="time pass 1's steps without cProfile instead")
    args = parser.parse_args()
    paths = sorted(p for p in args.folder.iterdir() if p.suffix in (".txt", ".docx", ".pdf", ".xlsx", ".html"))
    paths = paths[: args.limit] if args.limit else paths
    if args.plain:
        load = os.getloadavg()[0]
        seconds = plain_pass1(paths)
        text = (f"\n## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: pass 1 steps without a profiler, {len(paths)} townships"
                f" of {args.folder.name} ({args.label or 'this tree'}; 1-minute load {load:.1f} on 2 cores)\n\n"
                "| step | CPU s per township |\n|---|---:|\n"
                + "".join(f"| {step} | {value:.3f} |\n" for step, value in seconds.items())
                + f"| **sum** | **{sum(seconds.values()):.3f}** |\n")
        with open(RESULTS, "a", encoding="utf-8") as out:
            out.write(text)
        print(text)
        return
    store = Path(tempfile.mkdtemp(prefix="luzhi-profile-")) / "store"
    profile = cProfile.Profile(time.process_time)
    load = os.getloadavg()[0]
    try:
        profile.runcall(build, paths, store, BuildOptions(base="https://example.org/luzhi", jobs=1),
                        validate_graph=validator())
    finally:
        shutil.rmtree(store.parent, ignore_errors=True)
    seconds = _phase_seconds(pstats.Stats(profile))
    n = len(paths)
    lines = [f"\n## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: cProfile per phase, {n} townships of {args.folder.name}"
             f" ({args.label or 'this tree'}; 1-minute load {load:.1f} on 2 cores)\n",
             "| phase | CPU s per township |", "|---|---:|"]
    lines += [f"| {phase} | {value / n:.3f} |" for phase, value in seconds.items()]
    text = "\n".join(lines) + "\n"
    with open(RESULTS, "a", encoding="utf-8") as out:
        out.write(text)
    print(text)


if __name__ == "__main__":
    main()

"""Validation benchmark and second-engine cross-check (issues 4, 13). Writes bench/results/validate.md.

1. Per township: the fast validator (shapes compiled to SPARQL in pyoxigraph) against pySHACL on
   each bundled document through the ETL, median of several runs each, the ratio from the same run,
   and whether both gave the same results.
2. Both engines on one township graph (sample 000) and on 2×, 4×, 8× graphs made by copying it
   under other township codes; median of 3 runs each.
3. The worker-process overhead of the server path (`validate_isolated`) against in-process.
4. pyrudof (a Rust SHACL engine, PyPI) on every fixture in tests/shapes/, compared result by
   result — (shape, focus, path, severity) — with pySHACL's.

Run: python bench/validate_bench.py   (needs `pip install pyrudof` for part 3)
"""

from __future__ import annotations

import os
import platform
import statistics
import time
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from luzhi.etl.build import BuildOptions, bundled_documents, process_document
from luzhi.ontology.namespaces import SH
from luzhi.server.validation.worker import Job, validate_isolated, validate_submission
from luzhi.shapes import fast
from luzhi.shapes.validate import load_shapes, validate_graph

BASE = "http://127.0.0.1:5000"
ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "shapes"
OUT = ROOT / "bench" / "results" / "validate.md"


def timed(fn, repeat: int = 3) -> float:
    return timed_both(fn, repeat)[0]


def timed_both(fn, repeat: int) -> tuple[float, float]:
    """Median wall and median CPU seconds of this process: on a shared machine CPU time is the cost."""
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu)


def scaled(graph: Graph, copies: int) -> Graph:
    """`copies` townships: the graph again under codes 210381121, 210381122 … (same county)."""
    text = graph.serialize(format="nt")
    out = Graph()
    for k in range(copies):
        out.parse(data=text.replace("210381121", f"2103811{21 + k:02d}"), format="nt")
    return out


def _same(a, b) -> bool:
    def seen(report):
        return {(r.shape, r.focus, r.path, r.severity, r.component, r.value_n3, r.message_zh, r.message_en)
                for r in report.results}

    return seen(a) == seen(b)


def bench_townships(lines: list[str]) -> None:
    start = time.perf_counter()
    fast.compiled_shapes(BASE)
    compile_seconds = time.perf_counter() - start
    lines += ["## Per township: fast validator against pySHACL (bundled documents)", "",
              f"Compiling the shapes (once per process): {compile_seconds * 1000:.0f} ms, "
              f"{len(fast.compiled_shapes(BASE).core)} core queries + {len(fast.compiled_shapes(BASE).sparql)} "
              "SPARQL constraints.", "",
              "Wall and CPU seconds of this process, medians of 3 (pySHACL) and 15 (fast) runs.", "",
              "| document | triples | pySHACL wall / CPU (s) | fast wall / CPU (s) | ratio (CPU) | same results |",
              "|---|---:|---:|---:|---:|---|"]
    ratios, fast_cpu, fast_wall = [], [], []
    for path in bundled_documents():
        _, _, graph, _ = process_document(path, BuildOptions(base=BASE))
        same = _same(validate_graph(graph, BASE), fast.validate_graph(graph, BASE))
        slow, slow_cpu = timed_both(lambda graph=graph: validate_graph(graph, BASE), 3)
        quick, quick_cpu = timed_both(lambda graph=graph: fast.validate_graph(graph, BASE), 15)
        ratios.append(slow_cpu / quick_cpu)
        fast_cpu.append(quick_cpu)
        fast_wall.append(quick)
        lines.append(f"| {path.name} | {len(graph)} | {slow:.2f} / {slow_cpu:.2f} | {quick:.3f} / {quick_cpu:.3f} | "
                     f"{slow_cpu / quick_cpu:.0f}× | {'yes' if same else '**no**'} |")
        print(lines[-1], flush=True)
    lines += ["", f"Fast validator: median {statistics.median(fast_cpu):.3f} CPU-s per township "
              f"(max {max(fast_cpu):.3f}; wall {statistics.median(fast_wall):.3f} s); "
              f"{statistics.median(ratios):.0f}× less CPU than pySHACL (median ratio). "
              f"Load average at the end: {os.getloadavg()[0]:.1f}.", ""]


def bench_sizes(lines: list[str]) -> None:
    _, _, graph, _ = process_document(bundled_documents()[0], BuildOptions(base=BASE))
    lines += ["## Both engines by graph size", "",
              "| townships | triples | duties | pySHACL, median of 3 (s) | fast, median of 3 (s) | ratio | "
              "violations |", "|---:|---:|---:|---:|---:|---:|---:|"]
    for copies in (1, 2, 4, 8):
        big = scaled(graph, copies)
        report = validate_graph(big, BASE)
        assert _same(report, fast.validate_graph(big, BASE)), f"{copies}×: the engines disagree"
        seconds = timed(lambda big=big: validate_graph(big, BASE))
        quick = timed(lambda big=big: fast.validate_graph(big, BASE))
        duties = len(set(big.subjects(RDF.type, URIRef("https://w3id.org/luzhi/def#Duty"))))
        violations = sum(r.severity.value == "Violation" for r in report.results)
        lines.append(f"| {copies} | {len(big)} | {duties} | {seconds:.2f} | {quick:.3f} | {seconds / quick:.0f}× | "
                     f"{violations} |")
        print(lines[-1], flush=True)
    lines.append("")


def bench_worker(lines: list[str]) -> None:
    """What `POST /validate` costs: a fresh process per submission, for each engine and two sizes."""
    inputs = [("a small fixture (Turtle)", (FIXTURES / "Duty-title.fail.ttl").read_bytes(), "turtle"),
              ("a township document (sample 000, .txt, through the ETL)", bundled_documents()[0].read_bytes(), "text")]
    lines += ["## `POST /validate` path: in process against a child process (median of 3)", "",
              "| submission | engine | in process (s) | child process (s) | overhead (s) |", "|---|---|---:|---:|---:|"]
    for name, data, fmt in inputs:
        for engine in ("fast", "pyshacl"):
            job = Job(data, fmt, "bench", BASE, engine)
            inproc = timed(lambda job=job: validate_submission(job), 3)
            isolated = timed(lambda job=job: validate_isolated(job, 120), 3)
            lines.append(f"| {name} | {engine} | {inproc:.2f} | {isolated:.2f} | {isolated - inproc:.2f} |")
            print(lines[-1], flush=True)
    lines.append("")


def _rudof_results(data: Path, shapes_ttl: str) -> set[tuple]:
    import pyrudof

    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    rudof.read_shacl(shapes_ttl)
    rudof.read_data(str(data))
    rudof.validate_shacl()
    report = Graph().parse(data=rudof.serialize_shacl_validation_results(
        format=pyrudof.ResultShaclValidationFormat.Turtle), format="turtle")
    out = set()
    for node in report.subjects(RDF.type, SH.ValidationResult):
        path = report.value(node, SH.resultPath)
        out.add((str(report.value(node, SH.sourceShape)), str(report.value(node, SH.focusNode)),
                 str(path) if isinstance(path, URIRef) else None,
                 str(report.value(node, SH.resultSeverity)).rsplit("#", 1)[1]))
    return out


def _short(result: tuple) -> str:
    shape, focus, _path, severity = result
    return f"{shape.rsplit('#')[-1]} on {'/'.join(focus.rsplit('/', 2)[-2:])} ({severity})"


def crosscheck(lines: list[str]) -> None:
    try:
        import pyrudof
    except ImportError:
        lines += ["## Cross-check", "", "pyrudof is not installed: no cross-check was run.", ""]
        return
    shapes_ttl = load_shapes(BASE).serialize(format="turtle")
    version = getattr(pyrudof, "__version__", "")
    lines += [f"## Cross-check: pySHACL against pyrudof {version}", "",
              "| fixture | pySHACL | pyrudof | same results |", "|---|---:|---:|---|"]
    same = 0
    fixtures = sorted(FIXTURES.glob("*.ttl"))
    for fixture in fixtures:
        ours = {(r.shape, r.focus, r.path, r.severity.value)
                for r in validate_graph(Graph().parse(fixture, format="turtle"), BASE).results}
        try:
            theirs = _rudof_results(fixture, shapes_ttl)
            verdict = "yes" if ours == theirs else "**no**: " + "; ".join(
                [f"only pySHACL {_short(t)}" for t in sorted(ours - theirs, key=str)]
                + [f"only pyrudof {_short(t)}" for t in sorted(theirs - ours, key=str)])
            count = str(len(theirs))
        except Exception as error:  # noqa: BLE001 - record whatever the second engine says
            verdict, count = f"**pyrudof error**: {str(error)[:120]}", "-"
        same += verdict == "yes"
        lines.append(f"| {fixture.name} | {len(ours)} | {count} | {verdict} |")
    lines += ["", f"{same} of {len(fixtures)} fixtures give identical results.", ""]


def main() -> None:
    lines = ["# Validation benchmark (bench/validate_bench.py)", "",
             f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
             f"load average at start {os.getloadavg()[0]:.1f}. Measured, not estimated; rerun to refresh.", ""]
    bench_townships(lines)
    bench_sizes(lines)
    bench_worker(lines)
    crosscheck(lines)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(lines), encoding="utf-8")
    print(OUT.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
